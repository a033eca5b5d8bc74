"""The hall's hours and appointment slots (assets/hours.toml), parsed from text: pure, no I/O.

S6: 全年365天无间断受理，即来即办，预约服务及延时服务. The hall is open every day of the year unless
the file says otherwise: working days get the regular windows (and the weekday-evening 延时服务),
weekends and statutory holidays the duty windows. Which day is a working day, a weekend or a
holiday comes from the working-day calendar (``workdays.WorkCalendar``: chinese-calendar plus
assets/calendar), passed in as a ``DayInfo``; a date under ``[[closed]]`` has no window at all.

Each window kind has, per section, a slot length and a capacity; slots are cut from each window from
its start, and a slot that would run past the window's end is not offered.

A bad file is refused whole with its name, the line and the reason (``ReferenceDataError``), like
the other reference files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hallterm.domain import weekdays
from hallterm.domain.reference import _TIME, _Checker, _load, _Locator
from hallterm.domain.workdays import DayInfo

HOLIDAY = "holiday"  # the `days` entry of statutory holidays (the weekends inside a break included)
DAY_KEYS = (*weekdays.CODES, HOLIDAY)
MAX_SLOT_MINUTES = 240
MAX_CAPACITY = 100
MAX_SECTION = 64  # appointments.section, appointment_seats.section
_HOURS_KEYS = {"makeup_weekday"}
_WINDOW_KEYS = {"kind", "days", "start", "end"}
_CLOSED_KEYS = {"date", "reason"}
_SLOT_KEYS = {"section", "window", "minutes", "capacity"}


class WindowKind(StrEnum):
    REGULAR = "regular"  # 正常工作时间
    EXTENDED = "extended"  # 延时服务 (S6), weekday evenings
    DUTY = "duty"  # weekends and holidays (S6: every day of the year)


WINDOW_NAMES = {WindowKind.REGULAR: "工作时间", WindowKind.EXTENDED: "延时服务", WindowKind.DUTY: "值班"}


class DayKind(StrEnum):
    WORKDAY = "workday"
    MAKEUP = "makeup"  # 调休上班: a Saturday or Sunday that is a working day
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    CLOSED = "closed"  # listed under [[closed]], or no window covers the day


DAY_KIND_NAMES = {DayKind.WORKDAY: "工作日", DayKind.MAKEUP: "调休上班", DayKind.WEEKEND: "周末",
                  DayKind.HOLIDAY: "节假日", DayKind.CLOSED: "闭厅"}


@dataclass(frozen=True)
class Window:
    kind: WindowKind
    days: tuple[str, ...]
    start: str  # HH:MM, local time
    end: str


@dataclass(frozen=True)
class Closed:
    day: dt.date
    reason: str


@dataclass(frozen=True)
class SlotRule:
    section: str
    window: WindowKind
    minutes: int
    capacity: int


@dataclass(frozen=True)
class Hours:
    windows: tuple[Window, ...]
    closed: tuple[Closed, ...]
    slots: tuple[SlotRule, ...]
    makeup_weekday: str = "mon"
    file: str = ""

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections taking appointments, in file order; the first is the default."""
        return tuple(dict.fromkeys(rule.section for rule in self.slots))

    def closed_on(self, day: dt.date) -> Closed | None:
        return next((c for c in self.closed if c.day == day), None)


@dataclass(frozen=True)
class DayHours:
    day: dt.date
    kind: DayKind
    windows: tuple[Window, ...]
    note: str = ""  # 国庆节 / 春节调休上班 / the reason of a closure
    estimated: bool = False  # no holiday schedule covers the day yet: Monday–Friday assumed

    @property
    def label(self) -> str:
        """工作日 / 节假日（国庆节）/ 闭厅（除夕）, with 估算 when the holiday schedule is not out yet."""
        text = DAY_KIND_NAMES[self.kind] + (f"（{self.note}）" if self.note else "")
        return text + ("，节假日安排未公布，按估算" if self.estimated else "")


@dataclass(frozen=True)
class Slot:
    day: dt.date
    start: str
    end: str
    section: str
    window: WindowKind
    capacity: int

    @property
    def after_hours(self) -> bool:
        """延时服务 or duty: staffed by the after-hours desk (S6)."""
        return self.window is not WindowKind.REGULAR


def minutes_of(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# ---- the file ----


def parse_hours(text: str, file: str, *, known_sections: tuple[str, ...] = ()) -> Hours:
    """Parse assets/hours.toml; ``known_sections`` (from staff.toml), when given, must hold every section."""
    data = _load(text, file)
    loc = _Locator(text)
    c = _Checker(file, loc)
    unknown = set(data) - {"hours", "windows", "closed", "slots"}
    if unknown:
        raise c.fail(None, f"未知的节：{', '.join(sorted(unknown))}"
                           "（可用：[hours]、[[windows]]、[[closed]]、[[slots]]）")
    head = data.get("hours", {})
    if not isinstance(head, dict):
        raise c.fail(None, "[hours] 应为一节")
    head_line = next((n for n, line in enumerate(loc.lines, 1) if line.strip().startswith("[hours]")), None)
    _no_unknown_keys(c, head, _HOURS_KEYS, head_line)
    makeup = head.get("makeup_weekday", "mon")
    if makeup not in weekdays.CODES[:5]:
        raise c.fail(loc.key("makeup_weekday", head_line),
                     f"makeup_weekday 应为 {', '.join(weekdays.CODES[:5])} 之一（调休上班的周末按哪一天的时间）")

    windows: list[Window] = []
    for i, entry in enumerate(c.entries(data, "windows")):
        line = loc.table("windows", i)
        _no_unknown_keys(c, entry, _WINDOW_KEYS, line)
        kind = WindowKind(c.choice(entry, "kind", line, tuple(WindowKind)))
        days = entry.get("days")
        if not isinstance(days, list) or not days or any(d not in DAY_KEYS for d in days) \
                or len(set(days)) != len(days):
            raise c.fail(loc.key("days", line) if "days" in entry else line,
                         f"days 应为 {', '.join(DAY_KEYS)} 组成的列表（不重复）")
        start, end = _time(c, entry, "start", line), _time(c, entry, "end", line)
        if end <= start:
            raise c.fail(loc.key("end", line), f"结束时间 {end} 应晚于开始时间 {start}")
        window = Window(kind, tuple(days), start, end)
        for other in windows:
            shared = set(other.days) & set(window.days)
            if shared and window.start < other.end and other.start < window.end:
                raise c.fail(loc.key("start", line), f"{start}–{end} 与 {other.start}–{other.end} 在 "
                                   f"{', '.join(d for d in DAY_KEYS if d in shared)} 重叠")
        windows.append(window)

    closed: list[Closed] = []
    for i, entry in enumerate(c.entries(data, "closed")):
        line = loc.table("closed", i)
        _no_unknown_keys(c, entry, _CLOSED_KEYS, line)
        day = entry.get("date")
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise c.fail(loc.key("date", line) if "date" in entry else line,
                         "date 应为日期，不加引号，例如 date = 2027-02-05")
        if any(x.day == day for x in closed):
            raise c.fail(loc.key("date", line), f"{day} 重复")
        closed.append(Closed(day, c.text(entry, "reason", line)))

    slots: list[SlotRule] = []
    for i, entry in enumerate(c.entries(data, "slots")):
        line = loc.table("slots", i)
        _no_unknown_keys(c, entry, _SLOT_KEYS, line)
        section = c.text(entry, "section", line)
        if len(section) > MAX_SECTION:
            raise c.fail(loc.key("section", line), f"section 最多 {MAX_SECTION} 个字")
        if known_sections and section not in known_sections:
            raise c.fail(loc.key("section", line),
                         f"section = {section!r} 不是 staff.toml 中的科室（有：{'、'.join(known_sections)}）")
        kind = WindowKind(c.choice(entry, "window", line, tuple(WindowKind)))
        if not any(w.kind is kind for w in windows):
            raise c.fail(loc.key("window", line), f"没有 kind = \"{kind}\" 的 [[windows]]，无法为其划分时段")
        if any(s.section == section and s.window is kind for s in slots):
            raise c.fail(line, f"{section} 的 {kind} 时段重复定义")
        minutes = c.integer(entry, "minutes", line, 5, MAX_SLOT_MINUTES)
        slots.append(SlotRule(section, kind, minutes, c.integer(entry, "capacity", line, 1, MAX_CAPACITY)))
    return Hours(tuple(windows), tuple(closed), tuple(slots), makeup, file)


def _time(c: _Checker, entry: dict[str, Any], key: str, line: int | None) -> str:
    value = c.text(entry, key, line)
    if not _TIME.fullmatch(value):
        raise c.fail(c.loc.key(key, line), f"{key} = {value!r} 应为 HH:MM，例如 08:30")
    return value


def _no_unknown_keys(c: _Checker, entry: dict[str, Any], known: set[str], line: int | None) -> None:
    extra = set(entry) - known
    if extra:  # a typo (capcity = 3) must not silently fall back to nothing
        key = sorted(extra)[0]
        raise c.fail(c.loc.key(key, line), f"未知的键 {key}（可用：{', '.join(sorted(known))}）")


# ---- a day ----


def day_hours(hours: Hours, info: DayInfo) -> DayHours:
    """Which windows ``info.day`` has: by its kind in the working-day calendar, unless it is closed."""
    day = info.day
    closure = hours.closed_on(day)
    if closure is not None:
        return DayHours(day, DayKind.CLOSED, (), closure.reason, info.estimated)
    weekend = day.weekday() >= 5
    if info.working:
        kind, key = (DayKind.MAKEUP, hours.makeup_weekday) if weekend else (DayKind.WORKDAY, weekdays.weekday_code(day))
    elif info.note:  # a named rest day: 春节, 国庆节… (weekends inside the break too), or a local closure
        kind, key = DayKind.HOLIDAY, HOLIDAY
    elif weekend:
        kind, key = DayKind.WEEKEND, weekdays.weekday_code(day)
    else:  # a Monday–Friday rest day without a name: treat it as a holiday, never as a working day
        kind, key = DayKind.HOLIDAY, HOLIDAY
    windows = tuple(sorted((w for w in hours.windows if key in w.days), key=lambda w: w.start))
    if not windows:
        return DayHours(day, DayKind.CLOSED, (), info.note or f"{DAY_KIND_NAMES[kind]}不开放", info.estimated)
    return DayHours(day, kind, windows, info.note, info.estimated)


def slots_of_day(hours: Hours, today: DayHours, section: str | None = None) -> list[Slot]:
    """The day's slots, in time order then section order; only ``section``'s when given."""
    out: list[Slot] = []
    for window in today.windows:
        for rule in hours.slots:
            if rule.window is not window.kind or (section is not None and rule.section != section):
                continue
            start, end = minutes_of(window.start), minutes_of(window.end)
            while start + rule.minutes <= end:
                out.append(Slot(today.day, hhmm(start), hhmm(start + rule.minutes), rule.section, rule.window,
                                rule.capacity))
                start += rule.minutes
    order = {s: i for i, s in enumerate(hours.sections)}
    out.sort(key=lambda s: (s.start, order[s.section]))
    return out
