"""The hall's hours (assets/hours.toml) and slot generation across weekends, holidays and 调休 days (issue 12)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from hallterm.config_locations import DEFAULT_ASSETS
from hallterm.domain.appointments import AppointmentError, Booked, check_day, check_not_started, check_one_per_item
from hallterm.domain.hours import DayHours, DayKind, WindowKind, day_hours, parse_hours, slots_of_day
from hallterm.domain.reference import ReferenceDataError
from hallterm.domain.workdays import WorkCalendar
from hallterm.services.reference import read_hours

CALENDAR = WorkCalendar()
HOURS = read_hours(DEFAULT_ASSETS)


def schedule(day: dt.date) -> DayHours:
    return day_hours(HOURS, CALENDAR.day(day, estimate=True))


def test_the_shipped_file_loads_with_sections_from_the_staff_file() -> None:
    assert HOURS.sections[0] == "业务协调科" and "企业登记科" in HOURS.sections
    assert {w.kind for w in HOURS.windows} == set(WindowKind)


@pytest.mark.parametrize(("day", "kind", "first", "last"), [
    (dt.date(2026, 11, 26), DayKind.WORKDAY, "09:00", "19:00"),  # a Thursday: regular and 延时服务 evenings
    (dt.date(2026, 11, 28), DayKind.WEEKEND, "09:00", "16:30"),  # Saturday duty
    (dt.date(2026, 10, 1), DayKind.HOLIDAY, "09:00", "12:00"),  # 国庆节: holiday duty, mornings only
    (dt.date(2026, 10, 4), DayKind.HOLIDAY, "09:00", "12:00"),  # a Sunday inside the break is the holiday
    (dt.date(2026, 10, 10), DayKind.MAKEUP, "09:00", "19:00"),  # 调休上班 Saturday: a Monday's hours
])
def test_a_day_gets_the_windows_of_its_kind(day: dt.date, kind: DayKind, first: str, last: str) -> None:
    today = schedule(day)
    assert today.kind is kind
    assert (today.windows[0].start, today.windows[-1].end) == (first, last)


def test_slots_are_cut_per_section_and_window_and_never_run_past_the_window() -> None:
    slots = slots_of_day(HOURS, schedule(dt.date(2026, 11, 26)))
    coordination = [s for s in slots if s.section == "业务协调科"]
    assert [s.start for s in coordination[:3]] == ["09:00", "09:30", "10:00"]
    assert all(s.capacity == 2 for s in coordination if s.window is WindowKind.REGULAR)
    evening = [s for s in slots if s.window is WindowKind.EXTENDED]
    assert {(s.section, s.start) for s in evening} >= {("企业登记科", "17:00"), ("企业登记科", "18:00"),
                                                        ("业务协调科", "18:30")}
    assert all(s.after_hours for s in evening) and max(s.end for s in slots) == "19:00"
    assert len(slots_of_day(HOURS, schedule(dt.date(2026, 11, 26)), "企业登记科")) == 6 + 7 + 2
    # Saturday: only the section with duty slots, 60 minutes each
    saturday = slots_of_day(HOURS, schedule(dt.date(2026, 11, 28)))
    assert {s.section for s in saturday} == {"业务协调科"}
    assert [s.start for s in saturday] == ["09:00", "10:00", "11:00", "13:30", "14:30", "15:30"]


def test_closed_days_and_years_without_a_schedule() -> None:
    text = (DEFAULT_ASSETS / "hours.toml").read_text(encoding="utf-8")
    closed = parse_hours(text + '\n[[closed]]\ndate = 2026-11-27\nreason = "停电检修"\n', "hours.toml")
    friday = day_hours(closed, CALENDAR.day(dt.date(2026, 11, 27)))
    assert friday.kind is DayKind.CLOSED and not friday.windows and "停电检修" in friday.label
    assert slots_of_day(closed, friday) == []
    no_saturday = parse_hours(text.replace('days = ["sat", "sun", "holiday"]', 'days = ["holiday"]')
                              .replace('days = ["sat", "sun"]', 'days = ["sun"]'), "hours.toml")
    assert day_hours(no_saturday, CALENDAR.day(dt.date(2026, 11, 28))).kind is DayKind.CLOSED
    estimated = schedule(dt.date(2027, 1, 1))  # 2027's schedule is not in the package: 元旦 is certain anyway
    assert estimated.kind is DayKind.HOLIDAY and estimated.estimated and "估算" in estimated.label


@pytest.mark.parametrize(("change", "line", "reason"), [
    (('end = "12:00"', 'end = "08:00"'), 22, "应晚于开始时间"),
    (('start = "13:30"', 'start = "11:30"'), 27, "重叠"),
    (('capacity = 2', 'capacity = 0'), 59, "capacity 应在 1 到 100 之间"),
    (('capacity = 2', 'capcity = 2'), 59, "未知的键 capcity"),
    (('section = "企业登记科"', 'section = "不存在科"'), 74, "不是 staff.toml 中的科室"),
    (('kind = "extended" ', 'kind = "evening" '), 31, "kind = 'evening' 无效"),
    (('days = ["sat", "sun", "holiday"]', 'days = ["sat", "xmas"]'), 38, "days 应为"),
    (('makeup_weekday = "mon"', 'makeup_weekday = "sun"'), 15, "makeup_weekday"),
])
def test_a_bad_hours_file_is_refused_whole_with_file_line_and_reason(change: tuple[str, str], line: int,
                                                                     reason: str) -> None:
    text = (DEFAULT_ASSETS / "hours.toml").read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(ReferenceDataError) as caught:
        parse_hours(text.replace(change[0], change[1], 1), "assets/hours.toml",
                    known_sections=HOURS.sections)
    assert caught.value.file == "assets/hours.toml" and reason in caught.value.reason
    assert caught.value.line == line, str(caught.value)


def test_booking_time_rules() -> None:
    today = dt.date(2026, 11, 26)
    check_day(today + dt.timedelta(days=30), today, 30)
    with pytest.raises(AppointmentError, match="30 天以内"):
        check_day(today + dt.timedelta(days=31), today, 30)
    with pytest.raises(AppointmentError, match="已经过去"):
        check_day(today - dt.timedelta(days=1), today, 30)
    slot = slots_of_day(HOURS, schedule(today), "业务协调科")[2]  # 10:00
    check_not_started(slot, dt.datetime(2026, 11, 26, 9, 59), 0)
    with pytest.raises(AppointmentError, match="已开始"):
        check_not_started(slot, dt.datetime(2026, 11, 26, 10, 0), 0)
    with pytest.raises(AppointmentError, match="提前 15 分钟"):
        check_not_started(slot, dt.datetime(2026, 11, 26, 9, 50), 15)


def test_one_active_appointment_per_holder_and_item() -> None:
    active = [Booked(7, dt.date(2026, 11, 27), "09:00", ("QY-GSSL",)), Booked(8, dt.date(2026, 11, 30), "10:00", ())]
    check_one_per_item(("QY-BGDJ",), active)
    with pytest.raises(AppointmentError, match="QY-GSSL 的预约（000007"):
        check_one_per_item(("QY-BGDJ", "QY-GSSL"), active)
    with pytest.raises(AppointmentError, match="咨询"):  # no items: one consultation at a time
        check_one_per_item((), active)
    check_one_per_item(("QY-GSSL",), active, ignore=7)  # rescheduling itself


def test_the_hours_file_is_read_with_the_staff_file_and_refused_whole(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_ASSETS / "staff.toml", tmp_path / "staff.toml")
    with pytest.raises(ReferenceDataError, match=r"hours\.toml：文件不存在"):
        read_hours(tmp_path)
    text = (DEFAULT_ASSETS / "hours.toml").read_text(encoding="utf-8")
    (tmp_path / "hours.toml").write_text(text.replace('minutes = 30', 'minutes = "30"', 1), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as caught:
        read_hours(tmp_path)
    assert caught.value.file == str(tmp_path / "hours.toml") and caught.value.line == 58
    assert "minutes 应为整数" in str(caught.value)


def test_the_shipped_closure_example_is_that_years_new_years_eve() -> None:
    """The commented [[closed]] example of assets/hours.toml names 除夕 on its real date (the lunar calendar)."""
    import re

    from borax.calendars.lunardate import LunarDate

    text = (DEFAULT_ASSETS / "hours.toml").read_text(encoding="utf-8")
    found = re.search(r"# date = (\d{4}-\d{2}-\d{2}).*\n# reason = \"除夕闭厅\"", text)
    assert found is not None
    day = dt.date.fromisoformat(found.group(1))
    assert day == LunarDate(day.year, 1, 1).to_solar_date() - dt.timedelta(days=1)
