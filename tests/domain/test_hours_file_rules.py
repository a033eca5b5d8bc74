"""The hours file (assets/hours.toml, S6) refused with the exact line and reason for each mistake, and a day's
windows by its kind (a closure, a named rest day, an unnamed weekday off)."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.hours import (
    MAX_SECTION,
    DayKind,
    Window,
    WindowKind,
    day_hours,
    parse_hours,
)
from hallterm.domain.reference import ReferenceDataError
from hallterm.domain.workdays import DayInfo

HOURS = """\
[hours]
makeup_weekday = "tue"

[[windows]]
kind = "regular"
days = ["mon", "tue", "wed", "thu", "fri"]
start = "09:00"
end = "12:00"

[[windows]]
kind = "duty"
days = ["sat", "holiday"]
start = "09:00"
end = "11:00"

[[closed]]
date = 2026-12-31
reason = "跨年检修"

[[slots]]
section = "综合"
window = "regular"
minutes = 30
capacity = 2

[[slots]]
section = "综合"
window = "duty"
minutes = 60
capacity = 1
"""


def test_the_file_read_in_full() -> None:
    hours = parse_hours(HOURS, "hours.toml", known_sections=("综合",))
    assert hours.makeup_weekday == "tue" and hours.file == "hours.toml"
    assert hours.windows == (Window(WindowKind.REGULAR, ("mon", "tue", "wed", "thu", "fri"), "09:00", "12:00"),
                             Window(WindowKind.DUTY, ("sat", "holiday"), "09:00", "11:00"))
    assert [(c.day, c.reason) for c in hours.closed] == [(dt.date(2026, 12, 31), "跨年检修")]
    assert [(s.section, s.window, s.minutes, s.capacity) for s in hours.slots] == [
        ("综合", WindowKind.REGULAR, 30, 2), ("综合", WindowKind.DUTY, 60, 1)]
    assert parse_hours(HOURS.replace('makeup_weekday = "tue"\n', ""), "h").makeup_weekday == "mon"


@pytest.mark.parametrize(("old", "new", "line", "reason"), [
    ("[hours]\n", "[hours]\nfoo = 1\n", 2, "未知的键 foo（可用：makeup_weekday）"),
    ('makeup_weekday = "tue"', 'makeup_weekday = "sat"', 2,
     "makeup_weekday 应为 mon, tue, wed, thu, fri 之一（调休上班的周末按哪一天的时间）"),
    ("[hours]\n", "[other]\nx = 1\n[hours]\n", None,
     "未知的节：other（可用：[hours]、[[windows]]、[[closed]]、[[slots]]）"),
    ('days = ["sat", "holiday"]', 'days = ["sat", "sat"]', 12, "days 应为 mon, tue, wed, thu, fri, sat, sun, holiday"
                                                              " 组成的列表（不重复）"),
    ('days = ["sat", "holiday"]', "days = []", 12, "days 应为"),
    ('days = ["sat", "holiday"]', 'days = "sat"', 12, "days 应为"),
    ('days = ["sat", "holiday"]\n', "", 10, "days 应为"),
    ('start = "09:00"\nend = "11:00"', 'start = "9:00"\nend = "11:00"', 13, "start = '9:00' 应为 HH:MM，例如 08:30"),
    ('start = "09:00"\nend = "11:00"', 'start = "09:00"\nend = "09:00"', 14, "结束时间 09:00 应晚于开始时间 09:00"),
    ('start = "09:00"\nend = "11:00"', 'start = "09:00"\nend = "11:00"\nsize = 1', 15, "未知的键 size"),
    ("date = 2026-12-31", 'date = "2026-12-31"', 17, "date 应为日期，不加引号，例如 date = 2027-02-05"),
    ("date = 2026-12-31", "date = 2026-12-31T08:00:00", 17, "date 应为日期"),
    ("date = 2026-12-31\n", "", 16, "date 应为日期"),
    ('reason = "跨年检修"', 'reason = "跨年检修"\nwhy = 1', 19, "未知的键 why"),
    ('reason = "跨年检修"\n', 'reason = "跨年检修"\n[[closed]]\ndate = 2026-12-31\nreason = "x"\n', 20,
     "2026-12-31 重复"),
    ('section = "综合"\nwindow = "duty"', 'section = "综合"\nwindow = "regular"', 26, "综合 的 regular 时段重复定义"),
    ('section = "综合"\nwindow = "duty"', 'section = "综合"\nwindow = "extended"', 28,
     '没有 kind = "extended" 的 [[windows]]，无法为其划分时段'),
    ("minutes = 60", "minutes = 4", 29, "minutes 应在 5 到 240 之间，而不是 4"),
    ("minutes = 60", "minutes = 241", 29, "minutes 应在 5 到 240 之间"),
    ("capacity = 1", "capacity = 101", 30, "capacity 应在 1 到 100 之间"),
    ('section = "综合"\nwindow = "duty"', f'section = "{"科" * (MAX_SECTION + 1)}"\nwindow = "duty"', 27,
     f"section 最多 {MAX_SECTION} 个字"),
    ('section = "综合"\nwindow = "duty"', 'section = "别的"\nwindow = "duty"', 27,
     "section = '别的' 不是 staff.toml 中的科室（有：综合）"),
])
def test_each_mistake_names_its_line_and_reason(old: str, new: str, line: int | None, reason: str) -> None:
    assert old in HOURS
    with pytest.raises(ReferenceDataError) as info:
        parse_hours(HOURS.replace(old, new, 1), "hours.toml", known_sections=("综合",))
    assert info.value.file == "hours.toml"
    assert (info.value.line, info.value.reason[: len(reason)]) == (line, reason), str(info.value)


def test_overlapping_windows_on_a_shared_day() -> None:
    extra = HOURS.replace("[[closed]]", '[[windows]]\nkind = "extended"\ndays = ["fri", "sun"]\nstart = "11:59"\n'
                                       'end = "13:00"\n\n[[closed]]', 1)
    with pytest.raises(ReferenceDataError) as info:
        parse_hours(extra, "hours.toml")
    assert (info.value.line, info.value.reason) == (19, "11:59–13:00 与 09:00–12:00 在 fri 重叠")
    touching = extra.replace('start = "11:59"', 'start = "12:00"')
    assert len(parse_hours(touching, "hours.toml").windows) == 3
    other_days = extra.replace('days = ["fri", "sun"]', 'days = ["sun"]')
    assert len(parse_hours(other_days, "hours.toml").windows) == 3


HALL = parse_hours(HOURS, "hours.toml")


@pytest.mark.parametrize(("day", "info", "kind", "windows", "note", "estimated"), [
    (dt.date(2026, 12, 31), DayInfo(dt.date(2026, 12, 31), True, True, ""), DayKind.CLOSED, 0, "跨年检修", True),
    (dt.date(2026, 12, 30), DayInfo(dt.date(2026, 12, 30), True, False, ""), DayKind.WORKDAY, 1, "", False),
    (dt.date(2026, 12, 27), DayInfo(dt.date(2026, 12, 27), True, True, "调休上班"),
     DayKind.MAKEUP, 1, "调休上班", True),
    (dt.date(2026, 10, 1), DayInfo(dt.date(2026, 10, 1), False, False, "国庆节"), DayKind.HOLIDAY, 1, "国庆节", False),
    (dt.date(2026, 12, 29), DayInfo(dt.date(2026, 12, 29), False, True, ""), DayKind.HOLIDAY, 1, "", True),
    (dt.date(2026, 12, 26), DayInfo(dt.date(2026, 12, 26), False, False, ""), DayKind.WEEKEND, 1, "", False),
    (dt.date(2026, 12, 27), DayInfo(dt.date(2026, 12, 27), False, True, ""), DayKind.CLOSED, 0, "周末不开放", True),
])
def test_a_day_s_windows_by_its_kind(day: dt.date, info: DayInfo, kind: DayKind, windows: int, note: str,
                                     estimated: bool) -> None:
    got = day_hours(HALL, info)
    assert (got.day, got.kind, len(got.windows), got.note, got.estimated) == (day, kind, windows, note, estimated)
    if kind is DayKind.CLOSED:
        assert got.windows == ()
