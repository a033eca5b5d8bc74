"""Slip payload fields (their count and each field's form), the report's periods and plain values, the duty
roster's time windows, the responsibility list's copies, and the words for file errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno

import pytest

from hallterm.domain.os_errors import os_error_words
from hallterm.domain.payloads import (
    Keyring,
    Kind,
    PayloadError,
    Refusal,
    appointment_payload,
    handout_payload,
    sign,
    ticket_payload,
    verify,
    visit_payload,
)
from hallterm.domain.reference import Duty as RosterLine
from hallterm.domain.reference import duty_at
from hallterm.domain.report import (
    FIGURE_BY_KEY,
    NOT_PER_SECTION,
    Column,
    Period,
    Report,
    Table,
    figure_explain,
    plain_text,
    rate,
)
from hallterm.domain.responsibility import Duty, DutyKind, Timing

RING = Keyring("K1", {"K1": b"hall-secret-0123456789-012345678"}, region="210300")
DAY = dt.date(2026, 11, 26)


def test_each_kind_reads_its_own_fields() -> None:
    handout = verify(handout_payload("210300-20261126-0001", 42, DAY, RING), RING)
    assert handout.kind is Kind.HANDOUT and handout.day == DAY
    assert handout.fields == ("210300-20261126-0001", "42", "20261126")
    visit = verify(visit_payload("210300-20261126-0001", DAY, RING), RING)
    assert (visit.fields, visit.day) == (("210300-20261126-0001", "20261126"), DAY)
    ticket = verify(ticket_payload(DAY, "a017", RING), RING)
    assert (ticket.fields, ticket.day) == (("20261126", "A017"), DAY)
    slip = verify(appointment_payload(7, DAY, "09:30", RING), RING)
    assert (slip.fields, slip.day) == (("7", "20261126", "0930"), DAY)


@pytest.mark.parametrize(("kind", "fields"), [
    (Kind.TICKET, ("2026112", "A017")),  # a day of 7 digits
    (Kind.TICKET, ("A017", "20261126")),  # the fields swapped
    (Kind.APPOINTMENT, ("X7", "20261126", "0930")),  # an id not a number
    (Kind.APPOINTMENT, ("7", "20261126", "2400")),  # no such time
    (Kind.APPOINTMENT, ("7", "20261126", "0960")),
    (Kind.APPOINTMENT, ("7", "20261126", "930")),
    (Kind.APPOINTMENT, ("7", "20261131", "0930")),  # no such day
    (Kind.HANDOUT, ("210300-20261126-0001", "X42", "20261126")),
    (Kind.HANDOUT, ("210300-20261126-0001", "42", "20261326")),
    (Kind.VISIT, ("210300-20261126-0001", "2026-11-26")),
    (Kind.VISIT, ("20261126", "210300")),
])
def test_a_signed_payload_with_a_wrong_field_is_refused(kind: Kind, fields: tuple[str, ...]) -> None:
    with pytest.raises(PayloadError) as info:
        verify(sign(kind, fields, RING), RING)
    assert info.value.reason is Refusal.MALFORMED and "日期或时间无效" in str(info.value)


@pytest.mark.parametrize("hhmm", ["0000", "2359", "1959", "2000"])
def test_appointment_times_at_their_edges_verify(hhmm: str) -> None:
    assert verify(sign(Kind.APPOINTMENT, ("7", "20261126", hhmm), RING), RING).fields[2] == hhmm


@pytest.mark.parametrize(("kind", "count"), [(Kind.TICKET, 3), (Kind.APPOINTMENT, 2), (Kind.APPOINTMENT, 4),
                                              (Kind.VISIT, 1), (Kind.VISIT, 3), (Kind.HANDOUT, 2), (Kind.HANDOUT, 4)])
def test_the_field_count_is_the_kind_s(kind: Kind, count: int) -> None:
    fields = ("20261126",) * count
    with pytest.raises(ValueError, match=f"takes .* fields, not {count}"):
        sign(kind, fields, RING)
    # the same count forged with a valid signature over it is refused as malformed
    from hallterm.domain.payloads import signature

    message = ":".join(("HT2", "210300", kind.value, *fields, "K1"))
    with pytest.raises(PayloadError) as info:
        verify(f"{message}:{signature(RING.secrets['K1'], message)}", RING)
    assert info.value.reason is Refusal.MALFORMED


def test_field_form_and_key_ids() -> None:
    sign(Kind.VISIT, ("A" * 32, "20261126"), RING)
    for bad in ("A" * 33, "-A", "a1", "", "A:B"):
        with pytest.raises(ValueError, match="1-32 characters"):
            sign(Kind.VISIT, (bad, "20261126"), RING)
    assert Keyring("ABCDEFGH", {"ABCDEFGH": b"x" * 32}, region="210300").current == "ABCDEFGH"
    for kid in ("ABCDEFGHI", "1A", "a"):
        with pytest.raises(ValueError, match="1-8 characters"):
            Keyring(kid, {kid: b"x" * 32}, region="210300")
    with pytest.raises(ValueError, match="shorter than 32 bytes"):
        Keyring("K1", {"K1": b"x" * 31}, region="210300")
    with pytest.raises(ValueError, match="not in the keyring"):
        Keyring("K2", {"K1": b"x" * 32}, region="210300")
    for region in ("21030", "2103000", "ANSHAN", ""):  # the hall's GB/T 2260 code, or TEST for print test
        with pytest.raises(ValueError, match="region code"):
            Keyring("K1", {"K1": b"x" * 32}, region=region)


# --- the report -----------------------------------------------------------------------------------


def test_periods() -> None:
    assert Period.day(DAY) == Period(DAY, DAY) and Period.day(DAY).days == 1
    assert Period.week_of(dt.date(2026, 11, 26)) == Period(dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert Period.week_of(dt.date(2026, 11, 23)) == Period(dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert Period.week_of(dt.date(2026, 11, 29)).days == 7
    assert Period.month_of(dt.date(2026, 2, 28)) == Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert Period.month_of(dt.date(2028, 2, 1)) == Period(dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert Period.month_of(dt.date(2026, 12, 31)) == Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert Period.month_of(dt.date(2026, 1, 31)).days == 31
    assert Period(DAY, DAY).label() == "2026-11-26"
    assert Period(DAY, dt.date(2026, 11, 30)).label() == "2026-11-26 至 2026-11-30"
    with pytest.raises(ValueError, match="before it starts"):
        Period(DAY, DAY - dt.timedelta(days=1))


def test_rates_and_plain_values() -> None:
    assert rate(0, 0) is None and rate(0, 4) == 0 and rate(1, 4) == 0.25 and rate(4, 4) == 1
    assert plain_text(True) == "是" and plain_text(False) == "否"
    assert plain_text(dt.datetime(2026, 12, 1, 9, 30, 59)) == "2026-12-01 09:30"
    assert plain_text(dt.date(2026, 12, 1)) == "2026-12-01"
    assert plain_text(1) is None and plain_text("x") is None and plain_text(None) is None


def test_hall_only_figures_say_not_per_section_in_a_section_s_report() -> None:
    tickets = FIGURE_BY_KEY["tickets_issued"]
    assert figure_explain(tickets) == tickets.explain
    assert figure_explain(tickets, "企业登记科") == f"{NOT_PER_SECTION}（全大厅窗口共用）：{tickets.explain}"
    ratings = FIGURE_BY_KEY["ratings_total"]
    assert figure_explain(ratings, "企业登记科") == ratings.explain


def test_tables_and_the_empty_report() -> None:
    columns = (Column("name", "姓名", "text"), Column("n", "件数"))
    table = Table("people", "人员", columns, (("王芳", 3), ("李四", None)))
    assert table.as_dicts() == [{"name": "王芳", "n": 3}, {"name": "李四", "n": None}]
    with pytest.raises(ValueError):
        Table("t", "t", (Column("a", "a"),), ((1, 2),)).as_dicts()
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    report = Report(Period.day(DAY), None, now, {"tickets_issued": 0, "satisfaction_rate": 0.5}, {}, (table,))
    assert report.empty and report.table("people") is table
    with pytest.raises(KeyError):
        report.table("nobody")
    assert not Report(Period.day(DAY), None, now, {"tickets_issued": 1}, {}, ()).empty


# --- the duty roster and the responsibility list ---------------------------------------------------


def test_the_duty_roster_line_covering_a_time() -> None:
    evening = RosterLine(("mon", "tue"), "17:00", "20:00", "S1501")
    holiday = RosterLine(("holiday",), "09:00", "17:00", "SELF")
    roster = (evening, holiday)
    assert duty_at(roster, "mon", "17:00") is evening and duty_at(roster, "tue", "19:59") is evening
    assert duty_at(roster, "mon", "20:00") is None and duty_at(roster, "mon", "16:59") is None
    assert duty_at(roster, "wed", "18:00") is None
    assert duty_at(roster, "mon", "18:00", holiday=True) is None
    assert duty_at(roster, "mon", "09:00", holiday=True) is holiday
    assert duty_at(roster, "holiday", "10:00") is holiday


def test_a_timed_duty_is_the_same_duty_with_its_timing() -> None:
    plain = Duty(DutyKind.PROXY, "代办", 7, "210300-20261126-0001", "王*", "企业登记科", "S1001", "王芳", "业务协调科",
                 DAY, None)
    late = Timing(True, 2, 0, False)
    timed = plain.timed(late)
    assert timed == dataclasses.replace(plain, timing=late)
    assert timed.late and timed.late_days == 2 and timed.state == "逾期2个工作日" and timed.short_state == "逾2工作日"
    assert plain.timed(None) == plain


@pytest.mark.parametrize(("number", "words"), [
    (errno.ENOENT, "目录不存在"), (errno.EACCES, "没有写入权限"), (errno.ENOSPC, "磁盘已满"),
    (errno.EXDEV, "系统错误 EXDEV"), (99999, "系统错误 99999"), (None, "系统错误"), (0, "系统错误"),
])
def test_os_error_words(number: int | None, words: str) -> None:
    exc = OSError(number, "English text") if number is not None else OSError("no errno")
    assert os_error_words(exc) == words
