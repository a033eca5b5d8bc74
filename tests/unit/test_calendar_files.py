"""The hall's calendar files: good files parse; a bad one is refused with the file, line and reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hallterm.domain.calendar_files import (
    CalendarFileError,
    build_calendar,
    parse_local_file,
    parse_year_file,
)
from hallterm.domain.reference import ReferenceDataError
from hallterm.services.calendar import default_calendar, read_calendar_files

D = dt.date

GOOD_YEAR = """\
year = 2027
source = "test data, not a real notice"
makeup_workdays = [2027-01-09, "2027-02-20"]

[[holidays]]
name = "元旦"
start = 2027-01-01
end = 2027-01-03

[[holidays]]
name = "春节"
start = 2027-02-05
end = 2027-02-11

[[holidays]]
name = "劳动节"
start = "2027-05-01"
"""

GOOD_LOCAL = """\
[[closures]]
start = 2026-12-24
end = 2026-12-25
reason = "大厅停电检修"

[[extra_workdays]]
date = 2026-12-27
reason = "集中办公日"
"""


def test_a_good_year_file_parses() -> None:
    schedule = parse_year_file(GOOD_YEAR, "2027.toml", 2027)
    assert schedule.year == 2027
    assert [h.name for h in schedule.holidays] == ["元旦", "春节", "劳动节"]
    assert schedule.holidays[2].start == schedule.holidays[2].end == D(2027, 5, 1)  # end defaults to start
    assert schedule.makeup_workdays == (D(2027, 1, 9), D(2027, 2, 20))  # quoted dates are accepted too


def test_a_good_local_file_parses() -> None:
    adjustments = parse_local_file(GOOD_LOCAL, "local.toml")
    assert [(d.day, d.working, d.reason) for d in adjustments.days] == [
        (D(2026, 12, 24), False, "大厅停电检修"), (D(2026, 12, 25), False, "大厅停电检修"),
        (D(2026, 12, 27), True, "集中办公日")]


def test_an_empty_local_file_is_fine() -> None:
    assert parse_local_file("# nothing yet\n", "local.toml").days == ()


def replace_line(text: str, line: int, new: str) -> str:
    lines = text.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("line", "new", "error_line", "fragment"), [
    (1, "year = 2028", 1, "与文件名 2027.toml 不一致"),
    (1, "year = \"2027\"", 1, "year"),
    (2, "source = \"\"", 2, "缺少 source"),
    (3, "makeup_workdays = [2027-01-11]", 3, "本来就是工作日"),  # a Monday
    (3, "makeup_workdays = [2027-02-06]", 3, "放假范围内"),  # a Saturday inside 春节
    (3, "makeup_workdays = [2027-01-09, 2027-01-09]", 3, "重复"),
    (3, "makeup_workdays = [2025-01-04]", 3, "不属于 2027 年"),
    (3, "makeup_workdays = 2027-01-09", 3, "日期列表"),
    (3, "makeup_workday = [2027-01-09]", 3, "未知的键 makeup_workday"),  # a typo must not drop dates
    (8, "end = 2026-12-31", 8, "早于开始日期"),
    (13, "end = 2027-03-11", 13, "超过 14 天"),
    (17, "start = 2027-02-11", 15, "重叠"),  # 劳动节 moved onto 春节's last day
    (13, "end = 2027-02-30", 13, "TOML 语法错误"),  # no such date
    (13, "end = 2027-02-11T00:00:00", 13, "不要带时间"),
    (12, "begin = 2027-02-05", 12, "未知的键 begin"),
    (17, "start = \"5月1日\"", 17, "不是有效日期"),
    (17, "start = 2028-05-01", 17, "不属于 2027 年"),
])
def test_a_bad_year_file_is_refused_with_line_and_reason(line: int, new: str, error_line: int, fragment: str) -> None:
    with pytest.raises(CalendarFileError) as info:
        parse_year_file(replace_line(GOOD_YEAR, line, new), "2027.toml", 2027)
    assert info.value.file == "2027.toml"
    assert info.value.line == error_line, str(info.value)
    assert fragment in info.value.reason
    assert str(info.value).startswith(f"2027.toml 第 {error_line} 行：")
    assert isinstance(info.value, ReferenceDataError)  # the CLI's existing handler turns it into one line


def test_a_year_file_without_holidays_is_refused() -> None:
    with pytest.raises(CalendarFileError, match="没有任何"):
        parse_year_file('year = 2027\nsource = "x"\n', "2027.toml", 2027)


def test_december_of_the_year_before_is_allowed_for_a_new_year_break() -> None:
    # The 2019 notice: 2018-12-30..2019-01-01 off, Saturday 2018-12-29 worked.
    text = 'year = 2019\nsource = "x"\nmakeup_workdays = [2018-12-29]\n' \
           '[[holidays]]\nname = "元旦"\nstart = 2018-12-30\nend = 2019-01-01\n'
    schedule = parse_year_file(text, "2019.toml", 2019)
    cal = build_calendar([schedule])
    assert cal.is_working_day(D(2018, 12, 29))
    assert not cal.is_working_day(D(2018, 12, 31))


@pytest.mark.parametrize(("line", "new", "error_line", "fragment"), [
    (3, "end = 2026-12-23", 3, "早于开始日期"),
    (3, "end = 2027-02-23", 3, "超过 31 天"),
    (4, "reason = \"\"", 4, "缺少 reason"),
    (7, "date = 2026-12-25", 7, "已列为闭厅日"),
    (7, "day = 2026-12-27", 7, "未知的键 day"),
])
def test_a_bad_local_file_is_refused_with_line_and_reason(line: int, new: str, error_line: int, fragment: str) -> None:
    with pytest.raises(CalendarFileError) as info:
        parse_local_file(replace_line(GOOD_LOCAL, line, new), "local.toml")
    assert info.value.line == error_line, str(info.value)
    assert fragment in info.value.reason


def test_two_year_files_contradicting_each_other_are_refused() -> None:
    new_year = parse_year_file('year = 2027\nsource = "x"\n[[holidays]]\nname = "元旦"\nstart = 2026-12-26\n'
                               'end = 2027-01-01\n', "2027.toml", 2027)
    agrees = parse_year_file('year = 2026\nsource = "x"\n[[holidays]]\nname = "春节"\nstart = 2026-02-15\n'
                             'end = 2026-02-23\n', "2026.toml", 2026)
    assert not build_calendar([new_year, agrees]).is_working_day(D(2026, 12, 28))
    clashes = parse_year_file('year = 2026\nsource = "x"\nmakeup_workdays = [2026-12-26]\n'
                              '[[holidays]]\nname = "春节"\nstart = 2026-02-15\n', "2026.toml", 2026)
    with pytest.raises(CalendarFileError, match="相互矛盾") as info:
        build_calendar([new_year, clashes])
    assert "2027.toml" in str(info.value)


# ---------- reading the folder ----------


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_folder_is_read_year_files_and_local(tmp_path: Path) -> None:
    write(tmp_path / "calendar", "2027.toml", GOOD_YEAR)
    write(tmp_path / "calendar", "local.toml", GOOD_LOCAL)
    files = read_calendar_files(tmp_path)
    assert [s.year for s in files.years] == [2027]
    assert files.local is not None and len(files.local.days) == 3
    cal = default_calendar(tmp_path)
    assert cal.covered_until() == D(2027, 12, 31)
    assert not cal.is_working_day(D(2026, 12, 24))  # a Thursday, closed locally


def test_a_missing_folder_means_the_package_alone(tmp_path: Path) -> None:
    cal = default_calendar(tmp_path)
    assert cal.covered_until() == D(2026, 12, 31)


@pytest.mark.parametrize(("name", "content", "fragment"), [
    ("2027-holidays.toml", "year = 2027\n", "文件名应为"),
    ("2026.toml", GOOD_YEAR, "与文件名 2026.toml 不一致"),
])
def test_a_bad_file_in_the_folder_is_refused(tmp_path: Path, name: str, content: str, fragment: str) -> None:
    path = write(tmp_path / "calendar", name, content)
    with pytest.raises(CalendarFileError, match=fragment) as info:
        default_calendar(tmp_path)
    assert info.value.file == str(path)


def test_a_file_not_in_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "calendar").mkdir()
    (tmp_path / "calendar" / "local.toml").write_bytes('[[closures]]\nstart = 2026-12-24\nreason = "闭厅"\n'
                                                      .encode("gb18030"))
    with pytest.raises(CalendarFileError, match="UTF-8"):
        default_calendar(tmp_path)
