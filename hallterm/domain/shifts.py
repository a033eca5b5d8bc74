"""Who is on duty at a given local time (the hall's staff file, assets/staff.toml)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from hallterm.domain.weekdays import weekday_code


@dataclass(frozen=True)
class ShiftWindow:
    days: frozenset[str]
    start: str  # "08:30"
    end: str

    def covers(self, local: dt.datetime) -> bool:
        return weekday_code(local) in self.days and self.start <= f"{local:%H:%M}" < self.end


# A day the weekly shifts do not run on, e.g. a statutory holiday (the staff file says "mon"…"sat", not
# which dates the hall is closed): the services decide it from the hall's working-day calendar.
ClosedDay = Callable[[dt.date], bool]


def on_duty(shifts: Iterable[ShiftWindow], local: dt.datetime, closed: ClosedDay | None = None) -> bool:
    if closed is not None and closed(local.date()):
        return False
    return any(s.covers(local) for s in shifts)


def next_start(shifts: Iterable[ShiftWindow], local: dt.datetime,
               closed: ClosedDay | None = None) -> dt.datetime | None:
    """When the next shift begins after ``local`` (within two weeks: a week-long holiday is skipped),
    for telling visitors when to come."""
    starts = []
    for days_ahead in range(15):
        day = (local + dt.timedelta(days=days_ahead)).date()
        if closed is not None and closed(day):
            continue
        for s in shifts:
            if weekday_code(day) in s.days:
                hour, minute = map(int, s.start.split(":"))
                start = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=local.tzinfo)
                if start > local:
                    starts.append(start)
    return min(starts, default=None)


def parse_window(days: str, start: str, end: str) -> ShiftWindow:
    return ShiftWindow(frozenset(filter(None, days.split(","))), start, end)
