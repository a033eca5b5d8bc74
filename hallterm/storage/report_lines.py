"""The lists behind the supervision report's figures (issue 14; S10): the items, cases, ratings, tasks,
appointments and tickets a supervisor drills into, with the same conditions as the counts
(``report_conditions``), at most ``limit`` rows, in the order things happened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, or_, select
from sqlalchemy.sql import ColumnElement

from hallterm.storage import report_conditions as where
from hallterm.storage.report_conditions import person_of_case
from hallterm.storage.tables import appointments, card_holders, case_items, cases, proxy_tasks, ratings, tickets


@dataclass(frozen=True)
class ItemLine:
    """One item of a case, for the lists (overdue items; the cases behind a figure)."""

    case_item_id: int
    case_id: int
    case_no: str
    item_code: str
    person: str | None
    accepted_on: dt.date | None
    due_on: dt.date | None
    closed_on: dt.date | None
    decided_on: dt.date | None
    supplement_due_on: dt.date | None


def _item_lines(conn: Connection, *conditions: ColumnElement[bool], limit: int | None = None,
                persons: list[str | None] | None = None) -> list[ItemLine]:
    if persons is not None:
        conditions = (*conditions, where.person_in(persons))
    query = (select(case_items.c.id, case_items.c.case_id, cases.c.case_no, case_items.c.item_code,
                    person_of_case().label("person"),
                    case_items.c.accepted_on, case_items.c.due_on, case_items.c.closed_on,
                    case_items.c.decided_on, case_items.c.supplement_due_on)
             .select_from(case_items.join(cases, cases.c.id == case_items.c.case_id))
             .where(*conditions).order_by(case_items.c.due_on, case_items.c.id))
    if limit is not None:
        query = query.limit(limit)
    return [ItemLine(r.id, r.case_id, r.case_no, r.item_code, r.person, r.accepted_on, r.due_on, r.closed_on,
                     r.decided_on, r.supplement_due_on) for r in conn.execute(query)]


def overdue_items(conn: Connection, today: dt.date, last: dt.date, limit: int | None = None,
                  persons: list[str | None] | None = None) -> list[ItemLine]:
    """Items whose clock runs (no special procedure running), not closed, due before ``today`` and on or
    before ``last`` (the period's end): the overdue items still open now, oldest due first."""
    return _item_lines(conn, *where.overdue_now(today, last), limit=limit, persons=persons)


def decided_items(conn: Connection, first: dt.date, last: dt.date, limit: int | None = None,
                  persons: list[str | None] | None = None) -> list[ItemLine]:
    return _item_lines(conn, *where.decided_in(first, last), limit=limit, persons=persons)


def outstanding_items(conn: Connection, last: dt.date, limit: int | None = None,
                      persons: list[str | None] | None = None) -> list[ItemLine]:
    return _item_lines(conn, case_items.c.supplement_due_on.is_not(None), *where.owing_supplement(last), limit=limit,
                       persons=persons)


def breached_items(conn: Connection, first: dt.date, last: dt.date, limit: int | None = None,
                   persons: list[str | None] | None = None) -> list[ItemLine]:
    return _item_lines(conn, case_items.c.supplement_due_on.is_not(None), *where.breached_in(first, last), limit=limit,
                       persons=persons)


@dataclass(frozen=True)
class CaseHead:
    case_id: int
    case_no: str
    holder_name: str
    person: str | None
    status: str
    opened_at: dt.datetime


def case_heads(conn: Connection, case_ids: Iterable[int]) -> dict[int, CaseHead]:
    ids = sorted(set(case_ids))
    out: dict[int, CaseHead] = {}
    for n in range(0, len(ids), 500):
        chunk = ids[n:n + 500]
        query = (select(cases.c.id, cases.c.case_no, card_holders.c.name, person_of_case().label("person"),
                        cases.c.status, cases.c.opened_at)
                 .select_from(cases.join(card_holders, card_holders.c.id == cases.c.holder_id))
                 .where(cases.c.id.in_(chunk)))
        out.update({r.id: CaseHead(r.id, r.case_no, r.name, r.person, r.status, r.opened_at)
                    for r in conn.execute(query)})
    return out


def case_summaries(conn: Connection, case_ids: Iterable[int]) -> dict[int, tuple[str, list[str]]]:
    """Of each case: its service mode (五办) and its items' codes, in the order they were added."""
    ids = sorted(set(case_ids))
    out: dict[int, tuple[str, list[str]]] = {}
    for n in range(0, len(ids), 500):
        chunk = ids[n:n + 500]
        out.update({r.id: (r.service_mode, []) for r in conn.execute(
            select(cases.c.id, cases.c.service_mode).where(cases.c.id.in_(chunk)))})
        for r in conn.execute(select(case_items.c.case_id, case_items.c.item_code)
                              .where(case_items.c.case_id.in_(chunk)).order_by(case_items.c.id)):
            out[r.case_id][1].append(r.item_code)
    return out


def case_ids_between(conn: Connection, column: str, start: dt.datetime, end: dt.datetime,
                     persons: list[str | None] | None, limit: int) -> list[int]:
    """Cases with ``opened_at`` or ``closed_at`` in [start, end), of ``persons`` when given, oldest first."""
    col = cases.c[column]
    query = select(cases.c.id).where(col >= start, col < end)
    query = query.where(where.person_in(persons)) if persons is not None else query
    return list(conn.execute(query.order_by(col, cases.c.id).limit(limit)).scalars())


@dataclass(frozen=True)
class RatingLine:
    case_id: int
    level: int
    rated_at: dt.datetime


def rating_lines(conn: Connection, start: dt.datetime, end: dt.datetime, *, max_level: int = 5,
                 persons: list[str | None] | None = None, limit: int = 500) -> list[RatingLine]:
    """Ratings given in [start, end) up to ``max_level``, of the cases of ``persons`` when given."""
    query = (select(ratings.c.case_id, ratings.c.level, ratings.c.rated_at)
             .select_from(ratings.join(cases, cases.c.id == ratings.c.case_id))
             .where(ratings.c.rated_at >= start, ratings.c.rated_at < end, ratings.c.level <= max_level)
             .order_by(ratings.c.rated_at, ratings.c.id).limit(limit))
    if persons is not None:
        query = query.where(where.person_in(persons))
    return [RatingLine(r.case_id, int(r.level), r.rated_at) for r in conn.execute(query)]


@dataclass(frozen=True)
class ProxyLine:
    case_id: int
    kind: str
    owner: str | None
    state: str
    due_on: dt.date
    closed_on: dt.date | None


def proxy_lines(conn: Connection, part: str, first: dt.date, last: dt.date, today: dt.date, *,
                owners: list[str | None] | None = None, limit: int = 500) -> list[ProxyLine]:
    """The tasks of one part of ``proxy_counts`` — open, done_on_time, done_late or open_late — of ``owners``
    when given."""
    cond = where.proxy_parts(first, last, today)[part]
    c = proxy_tasks.c
    query = select(c.case_id, c.kind, c.owner_id, c.state, c.due_on, c.closed_on).where(cond).order_by(c.due_on, c.id)
    if owners is not None:
        named = [o for o in owners if o is not None]
        query = query.where(or_(c.owner_id.in_(named), c.owner_id.is_(None)) if None in owners
                            else c.owner_id.in_(named))
    return [ProxyLine(r.case_id, r.kind, r.owner_id, r.state, r.due_on, r.closed_on)
            for r in conn.execute(query.limit(limit))]


@dataclass(frozen=True)
class AppointmentLine:
    holder_name: str
    section: str
    day: dt.date
    slot_start: str
    slot_end: str
    status: str


def appointment_lines(conn: Connection, first: dt.date, last: dt.date, status: str, *, section: str | None = None,
                      limit: int = 500) -> list[AppointmentLine]:
    """Appointments of [first, last] in ``status``, of one receiving section when given ("" for none)."""
    query = (select(card_holders.c.name, appointments.c.section, appointments.c.day, appointments.c.slot_start,
                    appointments.c.slot_end, appointments.c.status)
             .select_from(appointments.join(card_holders, card_holders.c.id == appointments.c.holder_id))
             .where(appointments.c.day >= first, appointments.c.day <= last, appointments.c.status == status)
             .order_by(appointments.c.day, appointments.c.slot_start, appointments.c.id).limit(limit))
    if section is not None:
        query = query.where(appointments.c.section == section)
    return [AppointmentLine(r.name, r.section, r.day, r.slot_start, r.slot_end, r.status) for r in conn.execute(query)]


@dataclass(frozen=True)
class TicketLine:
    ticket_no: str
    counter: str | None
    status: str
    issued_at: dt.datetime
    case_id: int | None
    holder_name: str


def ticket_lines(conn: Connection, first: dt.date, last: dt.date, status: str | None,
                 limit: int = 500) -> list[TicketLine]:
    query = (select(tickets.c.ticket_no, tickets.c.counter_code, tickets.c.status, tickets.c.issued_at,
                    tickets.c.case_id, card_holders.c.name)
             .select_from(tickets.outerjoin(card_holders, card_holders.c.id == tickets.c.holder_id))
             .where(tickets.c.day >= first, tickets.c.day <= last))
    if status is not None:
        query = query.where(tickets.c.status == status)
    query = query.order_by(tickets.c.issued_at, tickets.c.id).limit(limit)
    return [TicketLine(r.ticket_no, r.counter_code, r.status, r.issued_at, r.case_id, r.name or "")
            for r in conn.execute(query)]
