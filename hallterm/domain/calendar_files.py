"""The hall's calendar files (assets/calendar/*.toml), parsed from text: pure, no file I/O.

``YYYY.toml`` declares the State Council's holiday schedule (国务院办公厅关于YYYY年部分节假日安排的
通知) for a year the chinese-calendar package does not cover yet; ``local.toml`` declares the hall's
own closures and extra workdays. The format is documented in assets/calendar/README.md. A bad file is
refused whole with its name, the line (best effort) and the reason: a deadline must never rest on a
half-read schedule.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hallterm.domain.reference import ReferenceDataError
from hallterm.domain.weekdays import weekday_name
from hallterm.domain.workdays import WorkCalendar

MAX_HOLIDAY_DAYS = 14  # the longest national break so far is 9 days; a longer range is a typo
MAX_CLOSURE_DAYS = 31
YEAR_FILE = re.compile(r"(\d{4})\.toml")
LOCAL_FILE_NAME = "local.toml"
_YEAR_KEYS = {"year", "source", "holidays", "makeup_workdays"}
_HOLIDAY_KEYS = {"name", "start", "end"}
_LOCAL_KEYS = {"closures", "extra_workdays"}
_CLOSURE_KEYS = {"start", "end", "reason"}
_EXTRA_KEYS = {"date", "reason"}


class CalendarFileError(ReferenceDataError):
    """A calendar file that cannot be used: ``file``, ``line`` (or None) and ``reason`` in Chinese."""


@dataclass(frozen=True)
class Holiday:
    name: str
    start: dt.date
    end: dt.date

    def days(self) -> tuple[dt.date, ...]:
        return tuple(self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1))


@dataclass(frozen=True)
class YearSchedule:
    """One year's national schedule: rest ranges and make-up workdays (调休上班)."""

    year: int
    source: str  # the notice it copies, e.g. 国办发明电〔2026〕X号
    holidays: tuple[Holiday, ...]
    makeup_workdays: tuple[dt.date, ...]
    file: str = ""


@dataclass(frozen=True)
class LocalDay:
    day: dt.date
    working: bool
    reason: str


@dataclass(frozen=True)
class LocalAdjustments:
    days: tuple[LocalDay, ...]
    file: str = ""


class _Text:
    """Line numbers for error messages (best effort)."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.lines = text.splitlines()

    def fail(self, line: int | None, reason: str) -> CalendarFileError:
        return CalendarFileError(self.file, line, reason)

    def table(self, header: str, index: int) -> int | None:
        seen = -1
        for no, line in enumerate(self.lines, start=1):
            if line.split("#")[0].strip() == f"[[{header}]]":
                seen += 1
                if seen == index:
                    return no
        return None

    def key(self, key: str, start: int | None = None) -> int | None:
        for no, line in enumerate(self.lines[start or 0:], start=(start or 0) + 1):
            stripped = line.strip()
            if start is not None and no > start and stripped.startswith("["):
                break
            if re.match(rf"{re.escape(key)}\s*=", stripped):
                return no
        return start

    def containing(self, needle: str, fallback: int | None) -> int | None:
        for no, line in enumerate(self.lines, start=1):
            if needle in line.split("#")[0]:
                return no
        return fallback


def _load(t: _Text, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise t.fail(int(match.group(1)) if match else None, f"TOML 语法错误：{exc}") from None


def _date(t: _Text, table: dict[str, Any], key: str, line: int | None) -> dt.date:
    if table.get(key) is None:
        raise t.fail(line, f"缺少 {key}（日期，例如 2027-02-10）")
    return _as_date(t, table[key], key, t.key(key, line))


def _end_date(t: _Text, table: dict[str, Any], line: int | None, start: dt.date) -> dt.date:
    return start if table.get("end") is None else _as_date(t, table["end"], "end", t.key("end", line))


def _as_date(t: _Text, value: Any, key: str, line: int | None) -> dt.date:
    if isinstance(value, dt.datetime | dt.time):
        raise t.fail(line, f"{key} 应为日期（例如 2027-02-10），不要带时间")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise t.fail(line, f"{key} = {value!r} 不是有效日期，应写成 2027-02-10")


def _text(t: _Text, table: dict[str, Any], key: str, line: int | None) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or not value.strip():
        raise t.fail(t.key(key, line) if key in table else line, f"缺少 {key}（文字说明）")
    return value.strip()


def _tables(t: _Text, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise t.fail(t.key(key), f"{key} 应写成 [[{key}]] 表")
    return value


def _unknown(t: _Text, table: dict[str, Any], allowed: set[str], line: int | None) -> None:
    for key in table:
        if key not in allowed:
            raise t.fail(t.key(key, line) if line is not None else t.key(key),
                         f"未知的键 {key}（可用：{', '.join(sorted(allowed))}）；拼错的键会让安排被悄悄忽略")


def _shown(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}（{weekday_name(day)}）"


def parse_year_file(text: str, file: str, expected_year: int | None = None) -> YearSchedule:
    """Parse ``YYYY.toml``; ``expected_year`` is the year in the file name."""
    t = _Text(file, text)
    data = _load(t, text)
    _unknown(t, data, _YEAR_KEYS, None)
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise t.fail(t.key("year") if "year" in data else None, "缺少 year 或不是 2000–2100 之间的年份")
    if expected_year is not None and year != expected_year:
        raise t.fail(t.key("year"), f"year = {year} 与文件名 {expected_year}.toml 不一致")
    source = _text(t, data, "source", None)

    def check_in_year(day: dt.date, line: int | None) -> None:
        # A notice may start the New Year break in the last days of the year before (e.g. 2019's).
        if not (day.year == year or (day.year == year - 1 and day.month == 12)):
            raise t.fail(line, f"日期 {day} 不属于 {year} 年的安排（只允许 {year} 年及 {year - 1} 年 12 月）")

    holidays: list[Holiday] = []
    rest: dict[dt.date, str] = {}
    for i, entry in enumerate(_tables(t, data, "holidays")):
        line = t.table("holidays", i)
        _unknown(t, entry, _HOLIDAY_KEYS, line)
        name = _text(t, entry, "name", line)
        start = _date(t, entry, "start", line)
        end = _end_date(t, entry, line, start)
        check_in_year(start, t.key("start", line))
        check_in_year(end, t.key("end", line))
        if end < start:
            raise t.fail(t.key("end", line), f"「{name}」的结束日期 {end} 早于开始日期 {start}")
        holiday = Holiday(name, start, end)
        if len(holiday.days()) > MAX_HOLIDAY_DAYS:
            raise t.fail(t.key("end", line), f"「{name}」共 {len(holiday.days())} 天，超过 {MAX_HOLIDAY_DAYS} 天，"
                                             "请核对日期")
        for day in holiday.days():
            if day in rest:
                raise t.fail(line, f"「{name}」与「{rest[day]}」在 {day} 重叠")
            rest[day] = name
        holidays.append(holiday)
    if not holidays:
        raise t.fail(None, "没有任何 [[holidays]]：请照国务院办公厅通知逐项填写放假安排")

    raw = data.get("makeup_workdays", [])
    line = t.key("makeup_workdays")
    if not isinstance(raw, list):
        raise t.fail(line, "makeup_workdays 应为日期列表，例如 [2027-02-06, 2027-02-20]")
    makeups: list[dt.date] = []
    for value in raw:
        at = t.containing(str(value), line)
        day = _as_date(t, value, "makeup_workdays", at)
        check_in_year(day, at)
        if day.weekday() < 5:
            raise t.fail(at, f"调休上班日 {_shown(day)} 本来就是工作日，请核对（调休上班日应是周六或周日）")
        if day in rest:
            raise t.fail(at, f"调休上班日 {day} 同时在「{rest[day]}」放假范围内")
        if day in makeups:
            raise t.fail(at, f"调休上班日 {day} 重复")
        makeups.append(day)
    return YearSchedule(year, source, tuple(holidays), tuple(makeups), file)


def parse_local_file(text: str, file: str) -> LocalAdjustments:
    """Parse ``local.toml``: ``[[closures]]`` (start, end, reason) and ``[[extra_workdays]]`` (date, reason)."""
    t = _Text(file, text)
    data = _load(t, text)
    _unknown(t, data, _LOCAL_KEYS, None)
    days: dict[dt.date, LocalDay] = {}
    for i, entry in enumerate(_tables(t, data, "closures")):
        line = t.table("closures", i)
        _unknown(t, entry, _CLOSURE_KEYS, line)
        start = _date(t, entry, "start", line)
        end = _end_date(t, entry, line, start)
        reason = _text(t, entry, "reason", line)
        if end < start:
            raise t.fail(t.key("end", line), f"结束日期 {end} 早于开始日期 {start}")
        count = (end - start).days + 1
        if count > MAX_CLOSURE_DAYS:
            raise t.fail(t.key("end", line), f"闭厅 {count} 天，超过 {MAX_CLOSURE_DAYS} 天，请核对日期")
        for k in range(count):
            day = start + dt.timedelta(days=k)
            if day in days:
                raise t.fail(line, f"{day} 重复出现")
            days[day] = LocalDay(day, False, reason)
    for i, entry in enumerate(_tables(t, data, "extra_workdays")):
        line = t.table("extra_workdays", i)
        _unknown(t, entry, _EXTRA_KEYS, line)
        day = _date(t, entry, "date", line)
        reason = _text(t, entry, "reason", line)
        if day in days:
            kind = "闭厅" if not days[day].working else "加班"
            raise t.fail(t.key("date", line), f"{day} 已列为{kind}日，不能同时列为加班工作日")
        days[day] = LocalDay(day, True, reason)
    return LocalAdjustments(tuple(sorted(days.values(), key=lambda d: d.day)), file)


def build_calendar(schedules: Iterable[YearSchedule], local: LocalAdjustments | None = None, *,
                   use_package: bool = True) -> WorkCalendar:
    """Merge the year files, then the local adjustments on top, over the package."""
    overrides: dict[dt.date, bool] = {}
    notes: dict[dt.date, str] = {}
    origin: dict[dt.date, str] = {}
    years: set[int] = set()
    for schedule in schedules:
        if schedule.year in years:
            raise CalendarFileError(schedule.file, None, f"{schedule.year} 年的安排重复")
        years.add(schedule.year)
        days = [(d, False, h.name) for h in schedule.holidays for d in h.days()]
        days += [(d, True, "调休上班") for d in schedule.makeup_workdays]
        for day, working, note in days:
            if day in overrides and overrides[day] != working:
                raise CalendarFileError(schedule.file, None, f"{day} 与 {origin[day]} 的安排相互矛盾")
            overrides[day], notes[day], origin[day] = working, note, schedule.file
    for adjustment in local.days if local else ():
        overrides[adjustment.day] = adjustment.working
        notes[adjustment.day] = adjustment.reason
    return WorkCalendar(overrides, years, notes=notes, use_package=use_package)
