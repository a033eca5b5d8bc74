"""Booking rules of hallterm.domain.appointments at their edges: numbers, items, phone, reason, slot choice."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.appointments import (
    GENERAL,
    MAX_REASON,
    AppointmentError,
    Booked,
    appointment_no,
    check_day,
    check_not_started,
    check_one_per_item,
    check_phone,
    check_reason,
    choose_slot,
    item_keys,
    parse_appointment_no,
    parse_items,
)
from hallterm.domain.hours import DayHours, DayKind, Slot, Window, WindowKind

DAY = dt.date(2026, 12, 7)  # a Monday


def slots(section: str = "综合", start: int = 9 * 60, count: int = 4, minutes: int = 30) -> list[Slot]:
    out = []
    for i in range(count):
        a, b = start + i * minutes, start + (i + 1) * minutes
        out.append(Slot(DAY, f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}", section,
                        WindowKind.REGULAR, 3))
    return out


OPEN = DayHours(DAY, DayKind.WORKDAY, (Window(WindowKind.REGULAR, ("mon",), "09:00", "11:00"),))


@pytest.mark.parametrize(("text", "number"), [("000123", 123), (" #7 ", 7), ("1", 1)])
def test_appointment_numbers_read(text: str, number: int) -> None:
    assert parse_appointment_no(text) == number


@pytest.mark.parametrize("text", ["0", "000000", "", "-1", "12a", "１２", "#"])
def test_appointment_numbers_refused(text: str) -> None:
    with pytest.raises(AppointmentError):
        parse_appointment_no(text)


def test_appointment_no_is_six_digits() -> None:
    assert appointment_no(123) == "000123" and appointment_no(1234567) == "1234567"


def test_items_are_split_upper_cased_mapped_to_the_catalog_and_unrepeated() -> None:
    known = ["QY-GSSL", "SM-CPYLS", "Ab-1"]
    assert parse_items("qy-gssl，SM-CPYLS、ab-1  qy-gssl", known) == ("QY-GSSL", "SM-CPYLS", "Ab-1")
    assert parse_items("", known) == ()
    assert parse_items(" , ", known) == ()
    with pytest.raises(AppointmentError, match="XX-1、YY-2"):
        parse_items("QY-GSSL,XX-1,YY-2", known)


def test_item_keys_of_no_items_is_the_consultation() -> None:
    assert item_keys(()) == (GENERAL,)
    assert item_keys(["A", "B"]) == ("A", "B")


@pytest.mark.parametrize(("text", "phone"), [
    ("", ""), ("  ", ""), ("138 1234 5678", "13812345678"), ("0412-5551234", "0412-5551234"),
    ("12345", "12345"), ("1" * 20, "1" * 20),
])
def test_phones_accepted(text: str, phone: str) -> None:
    assert check_phone(text) == phone


@pytest.mark.parametrize(("text", "why"), [
    ("1234", "位数不对（4 位）"), ("1" * 21, "位数不对（21 位）"), ("-12345", "位数不对"),
    ("138abc", "应为数字"), ("+8613812345678", "应为数字"),
])
def test_phones_refused(text: str, why: str) -> None:
    with pytest.raises(AppointmentError, match=why.replace("（", r"\（").replace("）", r"\）")):
        check_phone(text)


def test_reasons_are_squeezed_and_limited() -> None:
    assert check_reason("  持卡人\n来电   改期 ", "改期") == "持卡人 来电 改期"
    assert check_reason("x" * MAX_REASON, "改期") == "x" * MAX_REASON
    with pytest.raises(AppointmentError, match="改期需要填写原因"):
        check_reason(" \n ", "改期")
    with pytest.raises(AppointmentError, match=f"最多 {MAX_REASON} 个字，现在 {MAX_REASON + 1} 个"):
        check_reason("x" * (MAX_REASON + 1), "改期")


def test_days_from_today_to_the_horizon() -> None:
    today = dt.date(2026, 12, 1)
    check_day(today, today, 14)
    check_day(today + dt.timedelta(days=14), today, 14)
    with pytest.raises(AppointmentError, match="已经过去"):
        check_day(today - dt.timedelta(days=1), today, 14)
    with pytest.raises(AppointmentError, match="2026-12-15"):
        check_day(today + dt.timedelta(days=15), today, 14)


def test_the_cut_off_before_a_slot() -> None:
    slot = slots()[0]  # 09:00
    check_not_started(slot, dt.datetime(2026, 12, 7, 8, 59), 0)
    check_not_started(slot, dt.datetime(2026, 12, 7, 8, 29, tzinfo=dt.UTC), 30)
    with pytest.raises(AppointmentError, match="已开始或已截止：") as info:
        check_not_started(slot, dt.datetime(2026, 12, 7, 9, 0), 0)
    assert "需提前" not in str(info.value)
    with pytest.raises(AppointmentError, match="需提前 30 分钟预约"):
        check_not_started(slot, dt.datetime(2026, 12, 7, 8, 30), 30)
    late_slot = Slot(DAY, "14:45", "15:15", "综合", WindowKind.REGULAR, 3)
    check_not_started(late_slot, dt.datetime(2026, 12, 7, 14, 44), 0)
    with pytest.raises(AppointmentError):
        check_not_started(late_slot, dt.datetime(2026, 12, 7, 14, 45), 0)


def test_choose_the_slot_that_starts_then() -> None:
    day = slots() + slots("人才")
    found = choose_slot(OPEN, day, "09:30", "人才")
    assert (found.start, found.section) == ("09:30", "人才")


def test_no_appointments_on_a_closed_day_or_for_a_section_without_slots() -> None:
    closed = DayHours(DAY, DayKind.CLOSED, (), "除夕")
    with pytest.raises(AppointmentError, match="闭厅（除夕），不接受预约"):
        choose_slot(closed, slots(), "09:00", "综合")
    with pytest.raises(AppointmentError, match="人才 2026-12-07 没有预约时段"):
        choose_slot(OPEN, slots(), "09:00", "人才")


def test_between_two_starts_the_refusal_names_the_slot_length_and_the_neighbours() -> None:
    with pytest.raises(AppointmentError) as info:
        choose_slot(OPEN, slots(), "09:40", "综合")
    text = str(info.value)
    assert "每 30 分钟一段" in text and "如 09:30 或 10:00" in text
    assert "可选 09:00、09:30、10:00、10:30" in text and "…" not in text
    with pytest.raises(AppointmentError) as info:
        choose_slot(OPEN, slots(), "10:45", "综合")
    assert "如 10:30）" in str(info.value)


def test_outside_the_hours_only_slots_not_started_are_offered() -> None:
    with pytest.raises(AppointmentError) as info:
        choose_slot(OPEN, slots(), "12:00", "综合", now_local=dt.datetime(2026, 12, 7, 9, 10), cutoff_minutes=0)
    text = str(info.value)
    assert "不在预约时间内" in text and "可选 09:30、10:00、10:30" in text and "09:00" not in text
    with pytest.raises(AppointmentError) as info:
        choose_slot(OPEN, slots(), "12:00", "综合", now_local=dt.datetime(2026, 12, 7, 9, 10), cutoff_minutes=25)
    assert "可选 10:00、10:30" in str(info.value)
    with pytest.raises(AppointmentError, match="当天已无可约时段"):
        choose_slot(OPEN, slots(), "12:00", "综合", now_local=dt.datetime(2026, 12, 7, 11, 0))
    with pytest.raises(AppointmentError) as info:
        choose_slot(OPEN, slots(), "08:00", "综合")
    assert "可选 09:00、09:30、10:00、10:30" in str(info.value)


def test_at_most_twelve_slots_are_offered() -> None:
    twelve, thirteen = slots(count=12, minutes=15), slots(count=13, minutes=15)
    with pytest.raises(AppointmentError) as info:
        choose_slot(OPEN, twelve, "20:00", "综合")
    assert str(info.value).endswith("11:45") and "…" not in str(info.value)
    with pytest.raises(AppointmentError) as info:
        choose_slot(OPEN, thirteen, "20:00", "综合")
    assert str(info.value).endswith("11:45…") and "12:00" not in str(info.value)


def test_one_active_appointment_per_item() -> None:
    active = [Booked(5, DAY, "09:00", ("A", "B")), Booked(6, DAY, "10:00", ())]
    check_one_per_item(("C",), [active[0]])
    check_one_per_item(("A",), active, ignore=5)
    with pytest.raises(AppointmentError, match=r"已有 甲、B 的预约（000005，2026-12-07 09:00）"):
        check_one_per_item(("B", "A", "C"), active, names={"A": "甲"})
    with pytest.raises(AppointmentError, match="000006"):
        check_one_per_item((), active)
    check_one_per_item((), active, ignore=6)
