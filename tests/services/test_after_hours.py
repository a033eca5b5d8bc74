"""The after-hours desk (issue 12 point 6, S6): the duty roster in staff.toml decides who receives a
case opened after hours, the visit slip says so, and the handover list (交接单) carries the evening to
the day shift until someone acknowledges it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hallterm.config_locations import DEFAULT_ASSETS
from hallterm.domain.errors import Refused
from hallterm.domain.reference import ReferenceDataError, duty_at, parse_duty, parse_staff
from hallterm.printing.slip_layouts import preview
from hallterm.services import after_hours, appointment_views, appointments, cases
from hallterm.services.after_hours import HandoverKind
from hallterm.services.context import Services
from hallterm.services.slip_builders import visit_slip
from hallterm.services.staff import StaffSession, set_pin, sign_in
from tests.services.test_open_and_route import draft

THURSDAY_18 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)  # 18:00 in Anshan: 陈昊天 is the duty coordinator
MONDAY_18 = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)  # the after-hours staff member receives it
FRIDAY_9 = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
FRIDAY_10 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def evening_session(loaded: Services) -> StaffSession:
    set_pin(loaded, "S1501", "1357")
    return sign_in(loaded, "S1501", "1357")


def _staff_text() -> str:
    return (DEFAULT_ASSETS / "staff.toml").read_text(encoding="utf-8")


def test_the_shipped_roster_covers_every_evening_and_the_weekend() -> None:
    text = _staff_text()
    roster = parse_duty(text, "staff.toml", parse_staff(text, "staff.toml"))
    assert duty_at(roster, "thu", "18:00").receiver == "S1004"  # type: ignore[union-attr]
    assert duty_at(roster, "mon", "18:00").receiver == "self"  # type: ignore[union-attr]
    assert duty_at(roster, "sat", "10:00").receiver == "S1005"  # type: ignore[union-attr]
    assert duty_at(roster, "wed", "10:00", holiday=True).receiver == "self"  # type: ignore[union-attr]
    assert duty_at(roster, "mon", "23:00") is None


@pytest.mark.parametrize(("change", "line_of", "reason"), [
    ('receiver = "S1004"', 'receiver = "S9999"', "不在 [[staff]] 中"),
    ('receiver = "S1004"', 'receiver = "S1201"', "角色是 proxy"),
    ('end = "20:30"\nreceiver = "S1004"', 'end = "21:30"\nreceiver = "S1004"', "重叠"),
    ('days = ["mon","tue","wed"]', 'days = ["mon","tue","xyz"]', "days 应为"),
])
def test_a_bad_roster_is_refused_with_file_line_and_reason(change: str, line_of: str, reason: str) -> None:
    text = _staff_text()
    assert change in text
    bad = text.replace(change, line_of, 1)
    with pytest.raises(ReferenceDataError) as caught:
        parse_duty(bad, "assets/staff.toml", parse_staff(bad, "assets/staff.toml"))
    error = caught.value
    assert error.file == "assets/staff.toml" and reason in error.reason
    assert error.line is not None
    lines = bad.splitlines()
    assert lines[error.line - 1].startswith(("receiver", "days", "[[duty]]"))


def test_reference_load_refuses_a_bad_roster_whole(loaded: Services, tmp_path: Path) -> None:
    import shutil

    from hallterm.services.reference import load_reference

    assets = tmp_path / "assets"
    shutil.copytree(DEFAULT_ASSETS, assets)
    staff = assets / "staff.toml"
    staff.write_text(staff.read_text(encoding="utf-8").replace('receiver = "S1005"', 'receiver = "S0000"'),
                     encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"staff.toml 第 .* 行：receiver = 'S0000'"):
        load_reference(loaded, assets)


def test_after_hours_the_roster_receives_the_case_and_the_slip_says_so(
    loaded: Services, evening_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    clock[0] = THURSDAY_18
    view = cases.open_case(loaded, evening_session, draft(cards["valid"]))
    assert view.status == "waiting" and view.coordinator is not None
    assert (view.coordinator.staff_id, view.duty) == ("S1004", "值班协调员")
    slip = preview(visit_slip(loaded, view))
    assert "值班协调员接待" in slip and "陈昊天" in slip and "由值班协调员按值班表接待" in slip
    clock[0] = MONDAY_18
    mine = cases.open_case(loaded, evening_session, draft(cards["valid"], item_codes=("QY-FGSSL",)))
    assert mine.coordinator is not None and (mine.coordinator.staff_id, mine.duty) == ("S1501", "值班人员")
    said = preview(visit_slip(loaded, mine))
    assert "值班人员接待" in said and "值班人员将前来对接" in said and "协调员" not in said
    assert "延时服务时段，由值班人员按值班表接待" in said  # a working day's evening


@pytest.mark.parametrize(("at", "period"), [
    (dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC), "值班时段"),  # Sunday 10:00
    (dt.datetime(2026, 10, 5, 2, 0, tzinfo=dt.UTC), "节假日值班"),  # National Day, a Monday, 10:00
])
def test_on_a_weekend_or_holiday_the_slip_names_the_duty_period(
    loaded: Services, evening_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime],
    at: dt.datetime, period: str
) -> None:
    clock[0] = at
    view = cases.open_case(loaded, evening_session, draft(cards["valid"]))
    assert view.duty != ""
    said = preview(visit_slip(loaded, view))
    assert f"{period}，由{view.duty}按值班表接待" in said and "延时服务时段" not in said


def test_in_the_day_the_roster_does_not_apply(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    clock[0] = FRIDAY_10
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert view.status == "waiting" and view.duty == ""
    assert "值班" not in preview(visit_slip(loaded, view))


def test_the_handover_lists_the_evening_until_the_day_shift_acknowledges_it(
    loaded: Services, evening_session: StaffSession, desk_session: StaffSession, cards: dict[str, str],
    clock: list[dt.datetime]
) -> None:
    clock[0] = FRIDAY_10
    day_case = cases.open_case(loaded, desk_session, draft(cards["valid"]))  # in the day: not handed over
    clock[0] = THURSDAY_18 + dt.timedelta(days=1)  # Friday 18:00
    evening = cases.open_case(loaded, evening_session, draft(cards["valid"], item_codes=("QY-FGSSL",)))
    booked = appointments.book(loaded, evening_session, cards["valid"], dt.date(2026, 11, 30), "09:00")
    # Monday evening and Saturday's duty slots are the after-hours desk's own business, not the day shift's.
    monday_evening = appointments.book(loaded, evening_session, cards["markup"], dt.date(2026, 11, 30), "18:30")
    saturday = appointments.book(loaded, evening_session, cards["markup"], dt.date(2026, 11, 28), "09:00",
                                 section="业务协调科", items="QY-FGSSL")
    listed = after_hours.handover(loaded)
    kinds = {(e.kind, e.reference) for e in listed.entries}
    assert not {monday_evening.number, saturday.number} & {e.reference for e in listed.entries}
    assert (HandoverKind.CASE, evening.case_no) in kinds
    assert (HandoverKind.APPOINTMENT, booked.number) in kinds
    assert all(e.reference != day_case.case_no for e in listed.entries)
    assert "延时受理办件 1" in listed.summary and "新增预约 1" in listed.summary
    assert all(e.name == "王*" for e in listed.entries)  # masked, as every list of the hall
    with pytest.raises(Refused):
        after_hours.acknowledge(loaded, evening_session, listed.upto)  # the evening does not sign its own
    clock[0] = MONDAY_18 - dt.timedelta(hours=9)  # Monday 09:00: the day shift
    assert len(after_hours.handover(loaded).entries) == 2  # still there on the next working day
    done = after_hours.acknowledge(loaded, desk_session, listed.upto)
    assert done.entries == [] and done.acknowledged_by == "林晓雯"
    with pytest.raises(Refused, match="已由林晓雯确认"):
        after_hours.acknowledge(loaded, desk_session, listed.upto)
    kinds_logged = [e.kind for e in cases.history(loaded, evening.id)]
    assert "case_opened" in kinds_logged


def test_the_evening_desk_lists_tonight_and_the_weekend(
    loaded: Services, evening_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    clock[0] = FRIDAY_9 - dt.timedelta(days=1)  # Thursday 09:00
    tonight = appointments.book(loaded, evening_session, cards["valid"], dt.date(2026, 11, 26), "17:30")
    saturday = appointments.book(loaded, evening_session, cards["valid"], dt.date(2026, 11, 28), "09:00",
                                 section="业务协调科", items="QY-FGSSL")
    appointments.book(loaded, evening_session, cards["valid"], dt.date(2026, 11, 27), "10:00",
                      items="QY-GSSL")  # Friday in the day: not the evening desk's
    listed = after_hours.evening_appointments(loaded)
    assert [a.number for a in listed.appointments] == [tonight.number, saturday.number]
    assert listed.until == dt.date(2026, 11, 29)


def test_the_handover_prints_as_an_a4_notice_with_every_entry(
    loaded: Services, evening_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime],
    tmp_path: Path
) -> None:
    from hallterm.printing.notices import preview_handover, render_handover_pdf
    from hallterm.services.printables import handover_notice

    clock[0] = THURSDAY_18
    opened = cases.open_case(loaded, evening_session, draft(cards["valid"]))
    notice = handover_notice(loaded, after_hours.handover(loaded), evening_session.name)
    text = preview_handover(notice)
    assert "延时服务交接单" in text and opened.case_no in text and "王*" in text and "交班人：罗喆" in text
    assert "接班人（签名）" in text
    pdf = render_handover_pdf(notice, "A5")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_a_visitor_left_waiting_after_the_roster_ends_is_handed_over_once(
    loaded: Services, evening_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    clock[0] = dt.datetime(2026, 11, 26, 13, 30, tzinfo=dt.UTC)  # Thursday 21:30: no roster line, nobody on shift
    queued = cases.open_case(loaded, evening_session, draft(cards["valid"]))
    assert queued.status == "queued" and queued.duty == ""
    cases.route_queued(loaded, evening_session)  # F8 again: queued twice, listed once
    listed = after_hours.handover(loaded)
    assert [(e.kind, e.reference) for e in listed.entries] == [(HandoverKind.WAITING, queued.case_no)]
    assert "协调员已下班" in listed.entries[0].text


def test_the_demo_hands_last_evenings_appointment_to_the_day_shift(
    loaded: Services, clock: list[dt.datetime]
) -> None:
    from hallterm.services.demo import build_demo

    clock[0] = dt.datetime(2026, 12, 4, 1, 15, tzinfo=dt.UTC)  # Friday 09:15
    summary = build_demo(loaded, 60, days=1)
    listed = after_hours.handover(loaded)
    assert summary["handover"] == len(listed.entries)
    # Booked at the after-hours desk last evening (19:15) for a slot in this morning's regular hours.
    booked = [e for e in listed.entries if e.kind is HandoverKind.APPOINTMENT and "12-03 19:15 约 12-04" in e.text]
    assert booked
    # The day shift reads what the visitor comes for by name, never by the catalog's internal code.
    what = booked[0].text.rsplit("：", 1)[1]
    assert what and not any(ch.isascii() and ch.isalpha() for ch in what)


def test_a_demo_built_before_dawn_records_nothing_in_the_future(
    loaded: Services, clock: list[dt.datetime]
) -> None:
    from hallterm.services.demo import build_demo
    from hallterm.storage import events as event_store

    clock[0] = dt.datetime(2026, 12, 3, 21, 30, tzinfo=dt.UTC)  # Friday 05:30 in the hall
    build_demo(loaded, 60, days=1)
    with loaded.db.read() as conn:
        latest = event_store.recent(conn, limit=500)
    assert latest and max(e.at for e in latest) <= clock[0]


def test_a_holiday_weeks_first_evening_still_reaches_the_day_shift(
    loaded: Services, evening_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    """Nothing leaves the list by age: over a week off, the first evening is still there (S6)."""
    clock[0] = THURSDAY_18
    opened = cases.open_case(loaded, evening_session, draft(cards["valid"]))
    clock[0] = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)  # the Monday 11 days later, 09:00
    listed = after_hours.handover(loaded)
    assert [e.reference for e in listed.entries] == [opened.case_no]


def test_the_day_shift_acknowledges_the_handover_not_the_evening(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    clock[0] = THURSDAY_18
    cases.open_case(loaded, desk_session, draft(cards["valid"]))  # a desk clerk on the evening desk
    listed = after_hours.handover(loaded)
    assert listed.after_hours and listed.entries
    with pytest.raises(Refused, match="须由白班在上班后确认交接"):
        after_hours.acknowledge(loaded, desk_session, listed.upto)
    clock[0] = FRIDAY_9  # the next morning: still not by whoever did it in the evening
    with pytest.raises(Refused, match="须由白班其他同事确认交接"):
        after_hours.acknowledge(loaded, desk_session, listed.upto)
    set_pin(loaded, "S1402", "2468")
    colleague = sign_in(loaded, "S1402", "2468")
    assert after_hours.acknowledge(loaded, colleague, listed.upto).entries == []


def test_a_demo_built_at_night_hands_over_only_last_evening(loaded: Services, clock: list[dt.datetime]) -> None:
    from hallterm.services.demo import build_demo

    clock[0] = dt.datetime(2026, 12, 3, 15, 24, tzinfo=dt.UTC)  # Thursday 23:24 in the hall
    summary = build_demo(loaded, 60, days=1)
    listed = after_hours.handover(loaded)
    # The demo's own bookings are made in the day shift's hours: none is handed over as booked at 23:24.
    assert not any("23:24" in e.text for e in listed.entries)
    assert all(e.kind is not HandoverKind.APPOINTMENT or "12-02 19:15" in e.text for e in listed.entries)
    order = list(HandoverKind)
    assert [(order.index(e.kind), e.at) for e in listed.entries] == \
        sorted((order.index(e.kind), e.at) for e in listed.entries)  # grouped by kind, each in time order
    # The summary counts today's appointments as `appointments list --all` lists them (last evening's too).
    assert summary["appointments_today"] == len(appointment_views.call_list(loaded, dt.date(2026, 12, 3),
                                                                            with_cancelled=True))
