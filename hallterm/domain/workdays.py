"""Working days (工作日) for the clocks of S6 and S7, never silently wrong.

Permit deadlines count working days and exclude statutory holidays (行政许可法 §82); make-up
workdays (调休) are working days (S6). The national schedule comes from the ``chinese-calendar``
package (2004–2026 in 1.11.0) and from the hall's own files in ``assets/calendar/`` (a year the
package does not cover yet, local closures, extra workdays), which take priority over the package.

A date no data covers raises ``HolidayDataMissing`` naming the year. The ``*_estimated`` methods
instead count Monday–Friday for such dates, less the statutory holidays whose dates the rules fix
(``statutory_holidays``: 元旦, 春节, 清明…), and say so (估算): a deadline that must be shown anyway,
recomputed once the year's schedule (with its 调休) is added.

Pure: file reading lives in ``hallterm.services.calendar``; this class takes the data as values.
Do not use ``chinese_calendar.find_workday``: it is off by one from a rest day (research/domain.md §4c).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

import chinese_calendar

from hallterm.domain.errors import Refused
from hallterm.domain.statutory_holidays import certain_holidays

ONE_DAY = dt.timedelta(days=1)


class HolidayDataMissing(Refused, LookupError):
    """No holiday schedule covers a date; ``year`` is the year to add, ``str()`` the Chinese message."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"缺少 {year} 年的节假日安排：请按 README 添加 assets/calendar/{year}.toml"
                         "（国务院办公厅通常于上一年 11 月前后公布）")


@dataclass(frozen=True)
class PackageData:
    """chinese-calendar's tables, copied once: its ``is_workday`` rescans every key on each call."""

    years: frozenset[int]
    rest_days: frozenset[dt.date]  # statutory holidays and the rest days they bring (weekends included)
    makeup_workdays: frozenset[dt.date]  # 调休上班
    names: Mapping[dt.date, str]  # Chinese holiday names, for both kinds of day


@cache
def package_data() -> PackageData:
    chinese = {h.value: h.chinese for h in chinese_calendar.Holiday}
    holidays: dict[dt.date, str] = dict(chinese_calendar.holidays)
    workdays: dict[dt.date, str] = dict(chinese_calendar.workdays)
    # The package decides coverage by the span of its holiday keys (utils._validate_date); do the same.
    first, last = min(holidays).year, max(holidays).year
    names = {d: chinese.get(n, n) for d, n in holidays.items()}
    names.update({d: chinese.get(n, n) + "调休上班" for d, n in workdays.items()})
    return PackageData(frozenset(range(first, last + 1)), frozenset(holidays), frozenset(workdays),
                       MappingProxyType(names))


@dataclass(frozen=True)
class DayInfo:
    day: dt.date
    working: bool
    estimated: bool = False  # no data covered the day: Monday–Friday was assumed
    note: str = ""  # 春节 / 春节调休上班 / the reason of a local closure …


def _check_date(value: dt.date) -> dt.date:
    # A datetime is a date subclass but never equals one: set lookups would silently miss every holiday.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"expected a datetime.date, got {type(value).__name__}")
    return value


class WorkCalendar:
    """Which days are working days, from the package and the hall's overrides.

    ``overrides`` maps a date to whether it is a working day and wins over everything else (the
    hall's year files and local adjustments, merged by the caller). ``covered_years`` are years the
    overrides declare completely: their other days are Monday–Friday, and the package is not asked.
    """

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None, covered_years: Iterable[int] = (), *,
                 notes: Mapping[dt.date, str] | None = None, use_package: bool = True) -> None:
        self._overrides = MappingProxyType({_check_date(d): bool(w) for d, w in (overrides or {}).items()})
        self._notes = MappingProxyType(dict(notes or {}))
        self._file_years = frozenset(covered_years)
        self._package = package_data() if use_package else None
        self._years = self._file_years | (self._package.years if self._package else frozenset())
        if not self._years:
            raise ValueError("a WorkCalendar needs the package or at least one covered year")

    # ---- single days ----

    def day(self, d: dt.date, *, estimate: bool = False) -> DayInfo:
        """What is known of ``d``; raises HolidayDataMissing for an uncovered date unless ``estimate``."""
        working, estimated = self._working(_check_date(d), estimate)
        note = self._notes.get(d, "")
        if not note and self._package and d in self._package.names and d not in self._overrides \
                and d.year not in self._file_years:
            note = self._package.names[d]
        if not note and estimated:
            note = certain_holidays(d.year).get(d, "")
        return DayInfo(d, working, estimated, note)

    def is_working_day(self, d: dt.date) -> bool:
        return self._working(_check_date(d), False)[0]

    def _working(self, d: dt.date, estimate: bool) -> tuple[bool, bool]:
        if d in self._overrides:
            return self._overrides[d], False
        if d.year in self._file_years:
            return d.weekday() < 5, False
        package = self._package
        if package is not None and d.year in package.years:
            if d in package.makeup_workdays:
                return True, False
            return d.weekday() < 5 and d not in package.rest_days, False
        if estimate:
            # 调休 is unknown until the notice, but the holidays themselves are certain.
            return d.weekday() < 5 and d not in certain_holidays(d.year), True
        raise HolidayDataMissing(d.year)

    # ---- counting ----

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after ``start`` (民法典 §201: the start day is not counted).

        A start on a rest day counts from the next working day; 调休 days count. ``n == 0`` is ``start``.
        """
        return self._add(start, n, estimate=False)[0]

    def add_working_days_estimated(self, start: dt.date, n: int) -> tuple[dt.date, bool]:
        """As add_working_days, but a day past the data counts if it is Monday–Friday; ``True`` then."""
        return self._add(start, n, estimate=True)

    def _add(self, start: dt.date, n: int, *, estimate: bool) -> tuple[dt.date, bool]:
        _check_date(start)
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day, counted, estimated = start, 0, False
        while counted < n:
            day += ONE_DAY
            working, guessed = self._working(day, estimate)
            estimated = estimated or guessed
            counted += working
        return day, estimated

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]; negative (the count in (b, a]) when b is before a."""
        return self._between(a, b, estimate=False)[0]

    def working_days_between_estimated(self, a: dt.date, b: dt.date) -> tuple[int, bool]:
        return self._between(a, b, estimate=True)

    def _between(self, a: dt.date, b: dt.date, *, estimate: bool) -> tuple[int, bool]:
        _check_date(a)
        _check_date(b)
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count, estimated, day = 0, False, a
        while day < b:
            day += ONE_DAY
            working, guessed = self._working(day, estimate)
            count += working
            estimated = estimated or guessed
        return sign * count, estimated

    # ---- coverage ----

    @property
    def covered_years(self) -> frozenset[int]:
        return self._years

    @property
    def file_years(self) -> frozenset[int]:
        """Years declared by the hall's own year files (they take priority over the package)."""
        return self._file_years

    def covered_until(self) -> dt.date:
        """The last date of the unbroken run of covered years (package years, then the hall's files)."""
        year = max(self._package.years) if self._package else min(self._file_years)
        while year + 1 in self._years:
            year += 1
        return dt.date(year, 12, 31)

    def missing_years(self, start: dt.date, end: dt.date) -> list[int]:
        """Years between the two dates (inclusive) that no data covers, oldest first."""
        return [y for y in range(_check_date(start).year, _check_date(end).year + 1) if y not in self._years]

    def require_covered(self, start: dt.date, end: dt.date) -> None:
        """Raise HolidayDataMissing for the first year in [start, end] without data."""
        missing = self.missing_years(start, end)
        if missing:
            raise HolidayDataMissing(missing[0])
