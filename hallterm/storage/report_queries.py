"""The supervision report's counts (issue 14; S10): aggregates done by the database, plain rows out.

Each function takes UTC bounds (``start <= at < end``) for time columns and hall-local dates for date
columns, groups in SQL where the report only needs counts, and returns one row per case only where the
report needs single values (waits, for their median and 90th percentile). What each figure counts is in
``report_conditions`` (shared with ``report_lines``, the lists a supervisor drills into); ``person`` is the
case's responsible person (``report_conditions.person_of_case``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select
from sqlalchemy.sql import ColumnElement

from hallterm.domain.events import EventKind
from hallterm.storage import report_conditions as where
from hallterm.storage.report_conditions import person_of_case
from hallterm.storage.tables import (
    appointments,
    case_items,
    cases,
    counters,
    events,
    items,
    proxy_tasks,
    rating_follow_ups,
    ratings,
    staff,
    tickets,
)


@dataclass(frozen=True)
class StaffInfo:
    staff_id: str
    name: str
    section: str
    role: str
    active: bool = True


def staff_directory(conn: Connection) -> dict[str, StaffInfo]:
    rows = conn.execute(select(staff.c.staff_id, staff.c.name, staff.c.section, staff.c.role, staff.c.active))
    return {r.staff_id: StaffInfo(r.staff_id, r.name, r.section, r.role, bool(r.active)) for r in rows}


def item_names(conn: Connection) -> dict[str, str]:
    return {r.code: r.name for r in conn.execute(select(items.c.code, items.c.name))}


# -- cases opened and closed --------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseCount:
    person: str | None
    mode: str
    jurisdiction: str  # city | district
    district: str
    count: int


def _case_counts(conn: Connection, column: ColumnElement[Any], start: dt.datetime, end: dt.datetime) -> list[CaseCount]:
    person = person_of_case().label("person")
    query = (select(person, cases.c.service_mode, cases.c.jurisdiction, cases.c.district, func.count().label("n"))
             .where(column >= start, column < end)
             .group_by(person, cases.c.service_mode, cases.c.jurisdiction, cases.c.district))
    return [CaseCount(r.person, r.service_mode, r.jurisdiction, r.district, int(r.n)) for r in conn.execute(query)]


def cases_opened(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[CaseCount]:
    """Cases opened in [start, end), counted per person, service mode and jurisdiction (one row per case)."""
    return _case_counts(conn, cases.c.opened_at, start, end)


def cases_closed(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[CaseCount]:
    return _case_counts(conn, cases.c.closed_at, start, end)


# -- waits ----------------------------------------------------------------------------------------------


def epoch(conn: Connection, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """Seconds since 1970 (UTC) of a stored time, computed by the database: tens of thousands of rows come
    back as plain numbers instead of being parsed into datetimes one by one (the month's waits, issue 14
    point 5). SQLite stores naive UTC text; PostgreSQL a timestamptz."""
    if conn.dialect.name == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return func.extract("epoch", column)


@dataclass(frozen=True)
class CaseTimes:
    case_id: int
    person: str | None
    holder_id: int
    opened: float  # seconds since 1970, UTC
    routed: float | None  # first ``case_routed`` event: the seat in a lounge
    met: float | None  # None: not met (yet), or never in a lounge


def case_times(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[CaseTimes]:
    """One row per case opened in [start, end): the times of opening, lounge and meeting (the cases per
    day and the waits, whose medians and hours of the day need the single times). The lounge time is the
    case's first ``case_routed`` event: only the events log has it."""
    routed = (select(events.c.case_id, epoch(conn, func.min(events.c.at)).label("routed"))
              .where(events.c.kind == EventKind.CASE_ROUTED.value, events.c.at >= start,
                     events.c.at < end + dt.timedelta(days=7))
              .group_by(events.c.case_id).subquery())
    query = (select(cases.c.id, person_of_case().label("person"), cases.c.holder_id,
                    epoch(conn, cases.c.opened_at).label("opened"), epoch(conn, cases.c.met_at).label("met"),
                    routed.c.routed)
             .select_from(cases.outerjoin(routed, routed.c.case_id == cases.c.id))
             .where(cases.c.opened_at >= start, cases.c.opened_at < end))
    return [CaseTimes(case_id, person, holder_id, round(float(opened), 3), _float(routed), _float(met))
            for case_id, person, holder_id, opened, met, routed in conn.execute(query)]


def _float(value: Any) -> float | None:
    """Milliseconds: SQLite's julianday arithmetic is a few microseconds off (09:00 must not read 08:59:59.99)."""
    return None if value is None else round(float(value), 3)


@dataclass(frozen=True)
class Arrival:
    holder_id: int
    day: dt.date  # the ticket's business day (hall-local)
    issued: float  # seconds since 1970, UTC


def ticket_arrivals(conn: Connection, first: dt.date, last: dt.date) -> list[Arrival]:
    """Tickets of the business days [first, last] issued to a card holder: when each visitor arrived
    (``ticket_issued``); the report takes a case's arrival as its holder's last ticket of the day before it
    was opened."""
    query = (select(tickets.c.holder_id, tickets.c.day, epoch(conn, tickets.c.issued_at).label("issued"))
             .where(tickets.c.day >= first, tickets.c.day <= last, tickets.c.holder_id.is_not(None)))
    return [Arrival(r.holder_id, r.day, round(float(r.issued), 3)) for r in conn.execute(query)]


def _utc(value: Any) -> dt.datetime:
    """Columns read through a subquery's aggregate lose the UTCDateTime type on SQLite (text, or naive)."""
    out = _utc_or_none(value)
    assert out is not None
    return out


def _utc_or_none(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


# -- items: on time, overdue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemDecidedCount:
    person: str | None
    item_code: str
    decided: int
    on_time: int


def items_decided(conn: Connection, first: dt.date, last: dt.date) -> list[ItemDecidedCount]:
    """Accepted items decided (准予许可 or 不予许可, ``decided_on``) on a day of [first, last], and how many by
    their due day. ``due_on`` already holds the pauses (``deadline_sweep.store_due`` recomputes it on every
    pause and resume), so ``decided_on <= due_on`` is the on-time test with paused working days excluded (S6)."""
    person = person_of_case().label("person")
    on_time = func.sum(case((case_items.c.decided_on <= case_items.c.due_on, 1), else_=0)).label("on_time")
    query = (select(person, case_items.c.item_code, func.count().label("n"), on_time)
             .select_from(case_items.join(cases, cases.c.id == case_items.c.case_id))
             .where(*where.decided_in(first, last))
             .group_by(person, case_items.c.item_code))
    return [ItemDecidedCount(r.person, r.item_code, int(r.n), int(r.on_time or 0)) for r in conn.execute(query)]


# -- 容缺 (S7) ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionalCount:
    person: str | None
    outstanding: int
    breached: int


def conditional_counts(conn: Connection, first: dt.date, last: dt.date) -> list[ConditionalCount]:
    """Per person: 容缺 items still owing supplements now (accepted by ``last``), and commitments breached
    (returned by the nightly sweep, S7) on a day of [first, last]. Two reads, each an index seek (items
    by status; items by the day they closed)."""
    person = person_of_case().label("person")
    joined = case_items.join(cases, cases.c.id == case_items.c.case_id)
    counts: dict[str | None, list[int]] = {}
    for n, part in enumerate((where.owing_supplement(last), where.breached_in(first, last))):
        query = (select(person, func.count().label("n")).select_from(joined)
                 .where(case_items.c.supplement_due_on.is_not(None), *part).group_by(person))
        for r in conn.execute(query):
            counts.setdefault(r.person, [0, 0])[n] += int(r.n)
    return [ConditionalCount(p, o, b) for p, (o, b) in counts.items()]


@dataclass(frozen=True)
class SupplementEvent:
    case_id: int
    item_code: str
    at: dt.datetime


def supplements_completed(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[SupplementEvent]:
    """``supplement_complete`` events in [start, end): the 容缺 supplements that came in (always before the
    sweep returned the item, so in time). The item is in the details; a case's item counts once."""
    rows = conn.execute(select(events.c.case_id, events.c.details, events.c.at)
                        .where(events.c.kind == EventKind.SUPPLEMENT_COMPLETE.value, events.c.at >= start,
                               events.c.at < end).order_by(events.c.id))
    seen: dict[tuple[int, str], SupplementEvent] = {}
    for r in rows:
        code = str((r.details or {}).get("item", ""))
        if r.case_id is not None and (r.case_id, code) not in seen:
            seen[(r.case_id, code)] = SupplementEvent(r.case_id, code, _utc(r.at))
    return list(seen.values())


def persons_of_cases(conn: Connection, case_ids: Iterable[int]) -> dict[int, str | None]:
    ids = sorted(set(case_ids))
    out: dict[int, str | None] = {}
    for n in range(0, len(ids), 500):
        chunk = ids[n:n + 500]
        out.update({r.id: r.person for r in conn.execute(
            select(cases.c.id, person_of_case().label("person")).where(cases.c.id.in_(chunk)))})
    return out


# -- appointments and tickets --------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentCount:
    section: str
    status: str  # booked | checked_in | cancelled | missed
    count: int


def appointment_counts(conn: Connection, first: dt.date, last: dt.date) -> list[AppointmentCount]:
    """Appointments for a day of [first, last] by receiving section and status: one row each, so a
    rescheduled appointment counts once, on the day it was moved to."""
    query = (select(appointments.c.section, appointments.c.status, func.count().label("n"))
             .where(appointments.c.day >= first, appointments.c.day <= last)
             .group_by(appointments.c.section, appointments.c.status))
    return [AppointmentCount(r.section, r.status, int(r.n)) for r in conn.execute(query)]


@dataclass(frozen=True)
class TicketRow:
    ticket_id: int
    counter: str | None  # the counter that last had it; None when never called
    status: str
    issued_at: dt.datetime
    first_called_at: dt.datetime | None


def ticket_rows(conn: Connection, first: dt.date, last: dt.date) -> list[TicketRow]:
    """Tickets of the business days [first, last], one row each (a recalled or returned ticket is one
    ticket), with its first call: the first ``ticket_called`` event (``called_at`` is overwritten when a
    held ticket is called again), else ``called_at``."""
    start = dt.datetime(first.year, first.month, first.day, tzinfo=dt.UTC) - dt.timedelta(days=1)
    end = dt.datetime(last.year, last.month, last.day, tzinfo=dt.UTC) + dt.timedelta(days=2)
    calls = (select(events.c.ticket_id, func.min(events.c.at).label("first_call"))
             .where(events.c.kind == EventKind.TICKET_CALLED.value, events.c.at >= start, events.c.at < end)
             .group_by(events.c.ticket_id).subquery())
    query = (select(tickets.c.id, tickets.c.counter_code, tickets.c.status, tickets.c.issued_at, tickets.c.called_at,
                    calls.c.first_call)
             .select_from(tickets.outerjoin(calls, calls.c.ticket_id == tickets.c.id))
             .where(tickets.c.day >= first, tickets.c.day <= last))
    out = []
    for r in conn.execute(query):
        called = _utc_or_none(r.first_call) or _utc_or_none(r.called_at)
        out.append(TicketRow(r.id, r.counter_code, r.status, _utc(r.issued_at), called))
    return out


# -- 好差评 --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingCount:
    person: str | None
    level: int
    count: int


def rating_counts(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[RatingCount]:
    """Ratings given in [start, end) per level and the rated case's person. One row per hand-out (一次一评:
    the unique hand-out event id), so a rating can never count twice."""
    person = person_of_case().label("person")
    query = (select(person, ratings.c.level, func.count().label("n"))
             .select_from(ratings.join(cases, cases.c.id == ratings.c.case_id))
             .where(ratings.c.rated_at >= start, ratings.c.rated_at < end)
             .group_by(person, ratings.c.level))
    return [RatingCount(r.person, int(r.level), int(r.n)) for r in conn.execute(query)]


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    case_id: int
    owner_id: str | None
    task: str
    due_on: dt.date
    closed_at: dt.datetime | None


def follow_up_rows(conn: Connection, start: dt.datetime, end: dt.datetime, today: dt.date,
                   last: dt.date) -> list[FollowUpRow]:
    """差评 follow-ups closed in [start, end), and those open now whose due day passed (by ``last``)."""
    closed = and_(rating_follow_ups.c.closed_at >= start, rating_follow_ups.c.closed_at < end)
    open_late = and_(rating_follow_ups.c.closed_at.is_(None), rating_follow_ups.c.due_on < today,
                     rating_follow_ups.c.due_on <= last)
    query = (select(rating_follow_ups).where(or_(closed, open_late)).order_by(rating_follow_ups.c.id))
    return [FollowUpRow(r.id, r.case_id, r.owner_id, r.task, r.due_on, r.closed_at) for r in conn.execute(query)]


# -- proxy tasks (S3) ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProxyCount:
    owner: str | None
    open: int
    done_on_time: int
    done_late: int
    open_late: int


def proxy_counts(conn: Connection, first: dt.date, last: dt.date, today: dt.date) -> list[ProxyCount]:
    """Per owner: tasks open now (added by ``last``), done on a day of [first, last] by or after their due
    day, and open now past their due day."""
    parts = where.proxy_parts(first, last, today)
    sums = [func.sum(case((cond, 1), else_=0)).label(name) for name, cond in parts.items()]
    query = (select(proxy_tasks.c.owner_id, *sums).where(or_(parts["open"], parts["done_on_time"], parts["done_late"]))
             .group_by(proxy_tasks.c.owner_id))
    return [ProxyCount(r.owner_id, int(r.open or 0), int(r.done_on_time or 0), int(r.done_late or 0),
                       int(r.open_late or 0)) for r in conn.execute(query)]


def counter_names(conn: Connection) -> dict[str, str]:
    return {r.code: r.name for r in conn.execute(select(counters.c.code, counters.c.name))}
