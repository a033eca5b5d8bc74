"""Calendar files at their edges: which line an error names, range limits, the merge of several files."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.calendar_files import (
    MAX_CLOSURE_DAYS,
    MAX_HOLIDAY_DAYS,
    CalendarFileError,
    Holiday,
    LocalAdjustments,
    LocalDay,
    build_calendar,
    parse_local_file,
    parse_year_file,
)

D = dt.date

LOCAL = """\
# the hall's own days
[[closures]]
start = 2026-12-01
reason = "第一次"

[[closures]]  # a second one
start = 2026-12-24
end = 2026-12-25
reason = " 大厅停电检修 "

[[extra_workdays]]
date = 2026-12-05
reason = "集中办公日"

[[extra_workdays]]
date = "2026-12-06"
reason = "再加一天"
"""


def refusal_local(text: str) -> CalendarFileError:
    with pytest.raises(CalendarFileError) as info:
        parse_local_file(text, "local.toml")
    assert info.value.file == "local.toml"
    return info.value


def test_the_local_file_read_in_full() -> None:
    local = parse_local_file(LOCAL, "local.toml")
    assert local.file == "local.toml"
    assert local.days == (
        LocalDay(D(2026, 12, 1), False, "第一次"), LocalDay(D(2026, 12, 5), True, "集中办公日"),
        LocalDay(D(2026, 12, 6), True, "再加一天"), LocalDay(D(2026, 12, 24), False, "大厅停电检修"),
        LocalDay(D(2026, 12, 25), False, "大厅停电检修"),
    )


@pytest.mark.parametrize(("old", "new", "line", "reason"), [
    ("[[closures]]  # a second one\nstart = 2026-12-24", "[[closures]]  # a second one\nbegin = 2026-12-24", 7,
     "未知的键 begin（可用：end, reason, start）；"),
    ("start = 2026-12-24\n", "", 6, "缺少 start（日期，例如 2027-02-10）"),
    ("end = 2026-12-25", "end = 2026-12-23", 8, "结束日期 2026-12-23 早于开始日期 2026-12-24"),
    ("end = 2026-12-25", "end = 2027-01-24", 8, "闭厅 32 天，超过 31 天，请核对日期"),
    ("end = 2026-12-25", "end = 2026-12-25T08:00:00", 8, "end 应为日期（例如 2027-02-10），不要带时间"),
    ("end = 2026-12-25", 'end = "圣诞"', 8, "end = '圣诞' 不是有效日期，应写成 2027-02-10"),
    ("end = 2026-12-25", "end = 12", 8, "end = 12 不是有效日期，应写成 2027-02-10"),
    ('reason = " 大厅停电检修 "', 'reason = " "', 9, "缺少 reason（文字说明）"),
    ('reason = " 大厅停电检修 "', "reason = 3", 9, "缺少 reason（文字说明）"),
    ('reason = " 大厅停电检修 "\n', "", 6, "缺少 reason（文字说明）"),
    ("start = 2026-12-24", "start = 2026-12-01", 6, "2026-12-01 重复出现"),
    ("date = 2026-12-05", "date = 2026-12-25", 12, "2026-12-25 已列为闭厅日，不能同时列为加班工作日"),
    ('date = "2026-12-06"', "date = 2026-12-05", 16, "2026-12-05 已列为加班日，不能同时列为加班工作日"),
    ('date = "2026-12-06"\n', "", 15, "缺少 date（日期，例如 2027-02-10）"),
    ('reason = "再加一天"', "note = 1", 17, "未知的键 note（可用：date, reason）；"),
    ('reason = "再加一天"\n', "", 15, "缺少 reason（文字说明）"),
    ("# the hall's own days", "closure = 1", 1, "未知的键 closure（可用：closures, extra_workdays）；"),
])
def test_local_file_refusals_name_the_line(old: str, new: str, line: int, reason: str) -> None:
    assert old in LOCAL
    error = refusal_local(LOCAL.replace(old, new, 1))
    assert (error.line, error.reason[: len(reason)]) == (line, reason), str(error)


def test_a_closure_of_the_longest_length_and_tables_of_the_wrong_shape() -> None:
    longest = f'[[closures]]\nstart = 2026-12-01\nend = 2026-12-{MAX_CLOSURE_DAYS:02d}\nreason = "x"\n'
    assert len(parse_local_file(longest, "local.toml").days) == MAX_CLOSURE_DAYS
    error = refusal_local('x = 1\nclosures = "2026-12-01"\n')
    assert error.reason.startswith("未知的键 x") and error.line == 1
    error = refusal_local('\nclosures = "2026-12-01"\n')
    assert (error.line, error.reason) == (2, "closures 应写成 [[closures]] 表")
    error = refusal_local('\n\nextra_workdays = [1, 2]\n')
    assert (error.line, error.reason) == (3, "extra_workdays 应写成 [[extra_workdays]] 表")
    error = refusal_local('[[closures]]\nstart = 2026-12-01\nreason = "x"\n\n[closures\n')
    assert error.line == 5 and error.reason.startswith("TOML 语法错误：")


YEAR = """\
year = 2027
source = " 国办发明电〔2026〕1号 "
makeup_workdays = [2027-02-20]

[[holidays]]
name = "春节"
start = 2027-02-05
end = 2027-02-11

[[holidays]]
name = "劳动节"
start = 2027-05-01
"""


def refusal_year(text: str, expected: int | None = 2027) -> CalendarFileError:
    with pytest.raises(CalendarFileError) as info:
        parse_year_file(text, "2027.toml", expected)
    assert info.value.file == "2027.toml"
    return info.value


def test_a_year_file_read_in_full() -> None:
    schedule = parse_year_file(YEAR, "2027.toml", 2027)
    assert (schedule.year, schedule.source, schedule.file) == (2027, "国办发明电〔2026〕1号", "2027.toml")
    assert schedule.holidays == (Holiday("春节", D(2027, 2, 5), D(2027, 2, 11)),
                                 Holiday("劳动节", D(2027, 5, 1), D(2027, 5, 1)))
    assert schedule.makeup_workdays == (D(2027, 2, 20),)
    assert parse_year_file(YEAR, "2027.toml").year == 2027  # no file-name year to compare with


@pytest.mark.parametrize(("old", "new", "line", "reason"), [
    ("year = 2027", "year = 1999", 1, "缺少 year 或不是 2000–2100 之间的年份"),
    ("year = 2027", "year = true", 1, "缺少 year 或不是 2000–2100 之间的年份"),
    ("year = 2027\n", "", None, "缺少 year 或不是 2000–2100 之间的年份"),
    ("year = 2027", "year = 2101", 1, "缺少 year"),
    ('source = " 国办发明电〔2026〕1号 "\n', "", None, "缺少 source（文字说明）"),
    ("end = 2027-02-11", "end = 2027-02-19", 8, f"「春节」共 15 天，超过 {MAX_HOLIDAY_DAYS} 天，请核对日期"),
    ("end = 2027-02-11", "end = 2027-02-04", 8, "「春节」的结束日期 2027-02-04 早于开始日期 2027-02-05"),
    ('name = "劳动节"', 'name = ""', 11, "缺少 name（文字说明）"),
    ("start = 2027-05-01", "start = 2027-02-11", 10, "「劳动节」与「春节」在 2027-02-11 重叠"),
    ("start = 2027-05-01", "start = 2026-11-30", 12, "日期 2026-11-30 不属于 2027 年的安排"),
    ("end = 2027-02-11", "end = 2028-01-01", 8, "日期 2028-01-01 不属于 2027 年的安排"),
    ("start = 2027-05-01", "start = 2027-05-01\nday = 1", 13, "未知的键 day"),
    ("makeup_workdays = [2027-02-20]", "makeup_workdays = [2027-02-21, 2027-02-06]", 3, "调休上班日 2027-02-06"),
    ("makeup_workdays = [2027-02-20]", "makeup_workdays = [2027-02-20, 2027-02-22]", 3,
     "调休上班日 2027-02-22（星期一） 本来就是工作日"),
    ("makeup_workdays = [2027-02-20]", 'makeup_workdays = ["x"]', 3, "makeup_workdays = 'x' 不是有效日期"),
])
def test_year_file_refusals_name_the_line(old: str, new: str, line: int | None, reason: str) -> None:
    assert old in YEAR
    error = refusal_year(YEAR.replace(old, new, 1))
    assert (error.line, error.reason[: len(reason)]) == (line, reason), str(error)


def test_the_longest_break_and_the_december_before() -> None:
    text = YEAR.replace("end = 2027-02-11", f"end = 2027-02-{4 + MAX_HOLIDAY_DAYS:02d}")
    text = text.replace("makeup_workdays = [2027-02-20]", "makeup_workdays = [2026-12-26]")
    schedule = parse_year_file(text, "2027.toml", 2027)
    assert len(schedule.holidays[0].days()) == MAX_HOLIDAY_DAYS
    assert schedule.makeup_workdays == (D(2026, 12, 26),)
    error = refusal_year(YEAR.replace("makeup_workdays = [2027-02-20]", "makeup_workdays = [2026-11-28]"))
    assert error.reason.startswith("日期 2026-11-28 不属于 2027 年的安排（只允许 2027 年及 2026 年 12 月）")


def test_the_year_must_match_the_file_name() -> None:
    error = refusal_year(YEAR, 2028)
    assert (error.line, error.reason) == (1, "year = 2027 与文件名 2028.toml 不一致")


def test_build_calendar_merges_years_then_the_hall_s_own_days() -> None:
    schedule = parse_year_file(YEAR, "2027.toml", 2027)
    local = LocalAdjustments((LocalDay(D(2027, 2, 8), True, "集中办公日"), LocalDay(D(2027, 3, 3), False, "停电")))
    cal = build_calendar([schedule], local, use_package=False)
    assert not cal.is_working_day(D(2027, 2, 5)) and cal.is_working_day(D(2027, 2, 20))
    assert cal.is_working_day(D(2027, 2, 8)) and not cal.is_working_day(D(2027, 3, 3))
    assert cal.day(D(2027, 2, 5)).note == "春节" and cal.day(D(2027, 2, 20)).note == "调休上班"
    assert cal.day(D(2027, 3, 3)).note == "停电"
    assert cal.is_working_day(D(2027, 3, 4))


def test_build_calendar_refuses_a_year_twice_and_contradicting_files() -> None:
    schedule = parse_year_file(YEAR, "2027.toml", 2027)
    with pytest.raises(CalendarFileError) as info:
        build_calendar([schedule, schedule])
    assert (info.value.file, info.value.line, info.value.reason) == ("2027.toml", None, "2027 年的安排重复")
    other = parse_year_file('year = 2028\nsource = "x"\nmakeup_workdays = [2027-12-25]\n[[holidays]]\nname = "元旦"\n'
                            "start = 2028-01-01\n", "2028.toml", 2028)
    clash = parse_year_file(YEAR.replace("start = 2027-05-01", "start = 2027-12-25").replace(
        'name = "劳动节"', 'name = "圣诞"'), "2027.toml", 2027)
    with pytest.raises(CalendarFileError) as info:
        build_calendar([clash, other])
    assert (info.value.file, info.value.reason) == ("2028.toml", "2027-12-25 与 2027.toml 的安排相互矛盾")
