"""The supervision report's clock (issue 14; S10): the period as UTC instants, hall-local days and hours,
the one rule of the waits (when a visitor arrived, when they were met), and how late a thing is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator

from hallterm.domain.report import Period
from hallterm.domain.workdays import WorkCalendar
from hallterm.services.context import Services
from hallterm.storage import report_queries as q


def period_bounds(svc: Services, period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's hall-local days as UTC instants: [first midnight, midnight after the last day)."""
    tz = svc.settings.hall.tz
    start = dt.datetime.combine(period.start, dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    return start, end


def minutes_between(a: dt.datetime, b: dt.datetime) -> float:
    return max(0.0, (b - a).total_seconds() / 60)


def hhmm(epoch_s: float, tz: dt.tzinfo) -> str:
    return f"{dt.datetime.fromtimestamp(epoch_s, tz):%H:%M}"


def arrivals_by_visit(rows: list[q.Arrival]) -> dict[tuple[int, dt.date], list[float]]:
    out: dict[tuple[int, dt.date], list[float]] = defaultdict(list)
    for a in rows:
        out[(a.holder_id, a.day)].append(a.issued)
    return out


def visit_waits(times: list[q.CaseTimes], arrivals: dict[tuple[int, dt.date], list[float]],
                local: LocalTimes) -> Iterator[tuple[q.CaseTimes, float, float, float]]:
    """(case, arrival, met, wait in minutes) of each case whose visitor was met: the one rule of the waits, for
    the figures and for the cases behind them."""
    # The openings of the holders who took a ticket that day: a ticket is the arrival of one case only.
    openings: dict[tuple[int, dt.date], list[float]] = defaultdict(list)
    for t in times:
        visit = (t.holder_id, local.day_hour(t.opened)[0])
        if visit in arrivals:
            openings[visit].append(t.opened)
    for t in times:
        if t.met is None:
            continue
        visit = (t.holder_id, local.day_hour(t.opened)[0])
        arrival = arrival_of(arrivals[visit], openings[visit], t.opened) if visit in arrivals else t.opened
        yield t, arrival, t.met, max(0.0, (t.met - arrival) / 60)


def arrival_of(tickets: list[float], openings: list[float], opened: float) -> float:
    """When the visitor arrived: their last ticket of the day issued before the case was opened — unless
    another of their cases was opened since that ticket (the ticket was that case's arrival) — else the
    opening itself (a case opened at the desk without a ticket, or after hours)."""
    ticket = max((t for t in tickets if t <= opened), default=None)
    if ticket is None or any(ticket <= o < opened for o in openings):
        return opened
    return ticket


class LocalTimes:
    """Hall-local day and hour of UTC epoch seconds, by the quarter hour (a month has a few thousand
    against tens of thousands of cases)."""

    def __init__(self, tz: dt.tzinfo) -> None:
        self.tz = tz
        self._hours: dict[int, tuple[dt.date, int]] = {}

    def day_hour(self, seconds: float) -> tuple[dt.date, int]:
        key = int(seconds // 900)  # quarter hours: every zone offset in use is a multiple of 15 minutes
        found = self._hours.get(key)
        if found is None:
            local = dt.datetime.fromtimestamp(key * 900, self.tz)
            found = self._hours[key] = (local.date(), local.hour)
        return found


def days_of(period: Period) -> Iterable[dt.date]:
    return (period.start + dt.timedelta(days=n) for n in range(period.days))


def follow_up_part(f: q.FollowUpRow, tz: dt.tzinfo) -> str:
    """closed_on_time, closed_late (closed in the period, by or after the due day, hall-local) or open_late."""
    if f.closed_at is None:
        return "open_late"  # the query only returns open ones past their due day
    late = f.closed_at.astimezone(tz).date() > f.due_on
    return "closed_late" if late else "closed_on_time"


def working_days_late(cal: WorkCalendar, dues: Iterable[dt.date], today: dt.date) -> dict[dt.date, int]:
    """Working days in (due, today] for each due day before today: one walk over the calendar from the
    oldest due day (an item overdue for years must not cost a walk of its own)."""
    wanted = sorted({d for d in dues if d < today})
    if not wanted:
        return {}
    counted: dict[dt.date, int] = {}
    day, total = wanted[0], 0
    while day < today:
        day += dt.timedelta(days=1)
        total += cal.day(day, estimate=True).working
        counted[day] = total
    return {d: total - counted.get(d, 0) for d in wanted}


def late_words(working_days: int) -> str:
    """How late, as the responsibility list says it: 逾期N个工作日, or 已逾期 when the due day has passed but
    no working day since (due 12-31, seen on the 1-1 holiday) — never "0 days late" for an overdue item."""
    return f"逾期{working_days}个工作日" if working_days > 0 else "已逾期"
