"""Ticket and appointment queries and writes, returning plain dataclasses for the screens.

State changes are conditional updates (``… WHERE id = :id AND status = :expected``): when two
counters act on one ticket at once, exactly one update matches and the other sees 0 rows. On
PostgreSQL the second waits for the first's row lock, then re-reads the row and no longer matches;
on SQLite the write transactions are serialised by ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update

from hallterm.domain.events import EventKind
from hallterm.domain.queue import AppointmentStatus, TicketStatus
from hallterm.storage.tables import appointments, card_holders, counters, events, lounges, staff, tickets


@dataclass(frozen=True)
class TicketRow:
    id: int
    number: str
    series: str
    day: dt.date
    seq: int
    kind: str
    status: str
    counter_code: str | None
    recalls: int
    issued_at: dt.datetime
    called_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    for_counter: str | None
    holder_id: int | None
    holder_name: str | None
    case_id: int | None
    appointment_id: int | None = None
    slot_start: str | None = None  # "HH:MM", hall-local
    slot_end: str | None = None
    card_no: str | None = None  # the holder's card: the counter opens the holder on the desk with it


def _query():
    return (select(tickets, card_holders.c.name.label("holder_name"), appointments.c.id.label("appointment_id"),
                   appointments.c.slot_start, appointments.c.slot_end, card_holders.c.card_no)
            .outerjoin(card_holders, card_holders.c.id == tickets.c.holder_id)
            .outerjoin(appointments, appointments.c.ticket_id == tickets.c.id))


def _row(r: Any) -> TicketRow:
    return TicketRow(r.id, r.ticket_no, r.series, r.day, r.seq, r.kind, r.status, r.counter_code, r.recalls,
                     r.issued_at, r.called_at, r.finished_at, r.returned_at, r.for_counter, r.holder_id,
                     r.holder_name, r.case_id, r.appointment_id, r.slot_start, r.slot_end, r.card_no)


# Issuing is the hot path (≥ 1,000 tickets a second on SQLite, DESIGN.md): statements built once.
_INSERT_TICKET = insert(tickets).values(
    ticket_no=bindparam("number"), series=bindparam("series"), day=bindparam("day"), seq=bindparam("seq"),
    kind=bindparam("kind"), holder_id=bindparam("holder_id"), case_id=bindparam("case_id"),
    status=TicketStatus.WAITING.value, recalls=0, issued_at=bindparam("issued_at"))
_INSERT_TICKET_RETURNING = _INSERT_TICKET.returning(tickets.c.id)
_INSERT_EVENT = insert(events).values(
    at=bindparam("at"), kind=bindparam("kind"), staff_id=bindparam("staff_id"), ticket_id=bindparam("ticket_id"),
    card_no=bindparam("card_no"), details=bindparam("details"))


def insert_ticket(conn: Connection, *, number: str, series: str, day: dt.date, seq: int, kind: str,
                  issued_at: dt.datetime, holder_id: int | None = None, case_id: int | None = None) -> int:
    params = {"number": number, "series": series, "day": day, "seq": seq, "kind": kind, "holder_id": holder_id,
              "case_id": case_id, "issued_at": issued_at}
    if conn.dialect.name == "sqlite":  # the row id comes back with the insert itself, no RETURNING needed
        return int(conn.execute(_INSERT_TICKET, params).lastrowid)
    return int(conn.execute(_INSERT_TICKET_RETURNING, params).scalar_one())


def append_event(conn: Connection, kind: EventKind, at: dt.datetime, *, ticket_id: int, staff_id: str | None = None,
                 card_no: str | None = None, **details: Any) -> None:
    """storage.events.append with a prepared statement, for the issuing hot path (same row, same table)."""
    conn.execute(_INSERT_EVENT, {"at": at, "kind": kind, "staff_id": staff_id, "ticket_id": ticket_id,
                                 "card_no": card_no, "details": details})


def get(conn: Connection, ticket_id: int) -> TicketRow | None:
    row = conn.execute(_query().where(tickets.c.id == ticket_id)).first()
    return _row(row) if row is not None else None


def find(conn: Connection, day: dt.date, number: str) -> TicketRow | None:
    row = conn.execute(_query().where(tickets.c.day == day, tickets.c.ticket_no == number)).first()
    return _row(row) if row is not None else None


def with_status(conn: Connection, day: dt.date, statuses: Sequence[str]) -> list[TicketRow]:
    rows = conn.execute(_query().where(tickets.c.day == day, tickets.c.status.in_(list(statuses)))
                        .order_by(tickets.c.issued_at, tickets.c.id))
    return [_row(r) for r in rows]


def called_at_counter(conn: Connection, day: dt.date, counter: str) -> TicketRow | None:
    row = conn.execute(_query().where(tickets.c.day == day, tickets.c.status == TicketStatus.CALLED.value,
                                      tickets.c.counter_code == counter)
                       .order_by(tickets.c.called_at.desc()).limit(1)).first()
    return _row(row) if row is not None else None


def transition(conn: Connection, ticket_id: int, expected: str, **values: object) -> bool:
    """Change the ticket only if it is still in ``expected`` status; False when someone was quicker."""
    done = conn.execute(update(tickets).where(tickets.c.id == ticket_id, tickets.c.status == expected)
                        .values(**values)).rowcount
    return done == 1


def claim_waiting(conn: Connection, ticket_id: int) -> bool:
    """Lock the ticket for this transaction if it still waits and no other counter is calling it right now.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so that fifty counters pressing "call" at once each take a
    different visitor at the head of the queue instead of queueing behind one row lock and then finding
    it taken (issue 17 point 5). SQLite's one writer at a time needs no lock: the status is checked."""
    query = select(tickets.c.id).where(tickets.c.id == ticket_id, tickets.c.status == TicketStatus.WAITING.value)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return conn.execute(query).first() is not None


def recent_first_call_kinds(conn: Connection, day: dt.date, limit: int) -> list[str]:
    """Kinds of the day's last ``limit`` first calls, newest first (for the call ratio)."""
    if limit <= 0:
        return []
    return list(conn.execute(select(tickets.c.kind).where(tickets.c.day == day, tickets.c.called_at.is_not(None))
                             .order_by(tickets.c.called_at.desc(), tickets.c.id.desc()).limit(limit)).scalars())


def waiting_counts(conn: Connection, day: dt.date) -> dict[str, int]:
    rows = conn.execute(select(tickets.c.series, func.count()).where(tickets.c.day == day,
                                                                      tickets.c.status == TicketStatus.WAITING.value)
                        .group_by(tickets.c.series))
    return {series: int(n) for series, n in rows}


def waiting_before(conn: Connection, day: dt.date, ticket_id: int) -> int:
    """How many waiting tickets of the day were issued before this one (printed as 前面还有 N 人)."""
    return int(conn.execute(select(func.count()).where(tickets.c.day == day,
                                                       tickets.c.status == TicketStatus.WAITING.value,
                                                       tickets.c.id < ticket_id)).scalar_one())


def call_events(conn: Connection, kinds: Sequence[str], since: dt.datetime, limit: int) -> list[tuple[int, Any]]:
    """The newest call events since ``since`` (UTC): (event id, details), newest first."""
    rows = conn.execute(select(events.c.id, events.c.ticket_id, events.c.details)
                        .where(events.c.kind.in_(list(kinds)), events.c.at >= since)
                        .order_by(events.c.id.desc()).limit(limit))
    return [(r.id, {**(r.details or {}), "ticket_id": r.ticket_id}) for r in rows]


def holder_names(conn: Connection, ticket_ids: Sequence[int]) -> dict[int, str]:
    rows = conn.execute(select(tickets.c.id, card_holders.c.name)
                        .join(card_holders, card_holders.c.id == tickets.c.holder_id)
                        .where(tickets.c.id.in_(list(ticket_ids))))
    return {tid: name for tid, name in rows}


# --- places ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterRow:
    code: str
    name: str
    kind: str
    floor: int


def counters_of_kind(conn: Connection, kind: str | None = None) -> list[CounterRow]:
    query = select(counters).where(counters.c.active).order_by(counters.c.code)
    if kind is not None:
        query = query.where(counters.c.kind == kind)
    return [CounterRow(r.code, r.name, r.kind, r.floor) for r in conn.execute(query)]


def counter(conn: Connection, code: str) -> CounterRow | None:
    r = conn.execute(select(counters).where(counters.c.code == code, counters.c.active)).first()
    return CounterRow(r.code, r.name, r.kind, r.floor) if r is not None else None


def lounge(conn: Connection, code: str) -> tuple[str, int] | None:
    r = conn.execute(select(lounges.c.name, lounges.c.floor).where(lounges.c.code == code, lounges.c.active)).first()
    return (r.name, r.floor) if r is not None else None


def coordinator(conn: Connection, staff_id: str) -> tuple[str, str] | None:
    r = conn.execute(select(staff.c.name, staff.c.section).where(
        staff.c.staff_id == staff_id, staff.c.active, staff.c.role.in_(["coordinator", "proxy"]))).first()
    return (r.name, r.section) if r is not None else None


# --- appointments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentRow:
    id: int
    holder_id: int
    holder_name: str
    card_no: str
    day: dt.date
    slot_start: str
    slot_end: str
    status: str
    ticket_id: int | None
    item_codes: str = ""  # as booked: codes separated by commas (or spaces)
    after_hours: bool = False
    section: str = ""
    phone: str = ""  # for the reminder call; the roster's unless changed at booking
    note: str = ""


def _appointment(r: Any) -> AppointmentRow:
    return AppointmentRow(r.id, r.holder_id, r.name, r.card_no, r.day, r.slot_start, r.slot_end, r.status,
                          r.ticket_id, r.item_codes, r.after_hours, r.section, r.phone, r.note)


def insert_appointment(conn: Connection, *, holder_id: int, day: dt.date, slot_start: str, slot_end: str,
                       created_at: dt.datetime, item_codes: str = "", after_hours: bool = False,
                       section: str = "", phone: str = "", note: str = "") -> int:
    key = conn.execute(insert(appointments).values(
        holder_id=holder_id, day=day, slot_start=slot_start, slot_end=slot_end, item_codes=item_codes,
        status=AppointmentStatus.BOOKED.value, after_hours=after_hours, created_at=created_at,
        section=section, phone=phone, note=note)).inserted_primary_key
    assert key is not None
    return int(key[0])


def appointments_of_day(conn: Connection, day: dt.date, *, statuses: Sequence[str] | None = None,
                        appointment_id: int | None = None) -> list[AppointmentRow]:
    query = (select(appointments, card_holders.c.name, card_holders.c.card_no)
             .join(card_holders, card_holders.c.id == appointments.c.holder_id)
             .where(appointments.c.day == day).order_by(appointments.c.slot_start, appointments.c.id))
    if statuses is not None:
        query = query.where(appointments.c.status.in_(list(statuses)))
    if appointment_id is not None:
        query = query.where(appointments.c.id == appointment_id)
    return [_appointment(r) for r in conn.execute(query)]


def get_appointment(conn: Connection, appointment_id: int) -> AppointmentRow | None:
    r = conn.execute(select(appointments, card_holders.c.name, card_holders.c.card_no)
                     .join(card_holders, card_holders.c.id == appointments.c.holder_id)
                     .where(appointments.c.id == appointment_id)).first()
    return _appointment(r) if r is not None else None


def check_in_appointment(conn: Connection, appointment_id: int, ticket_id: int, at: dt.datetime) -> bool:
    done = conn.execute(update(appointments)
                        .where(and_(appointments.c.id == appointment_id,
                                    appointments.c.status == AppointmentStatus.BOOKED.value))
                        .values(status=AppointmentStatus.CHECKED_IN.value, checked_in_at=at, ticket_id=ticket_id)
                        ).rowcount
    return done == 1
