"""Appointment seats and bookings (issue 12): the only place their SQL is written.

Capacity holds by construction: a seat is taken by one ``INSERT … ON CONFLICT DO UPDATE SET booked =
booked + 1 WHERE booked < :capacity RETURNING booked`` on the slot's counter row. On PostgreSQL the
conflict path locks the row and re-checks the condition on its latest version; on SQLite the
transaction is ``BEGIN IMMEDIATE`` (one writer at a time). Either way two terminals can never both
take the last seat: the second gets no row back and the booking is refused as full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hallterm.domain.queue import AppointmentStatus
from hallterm.storage.tables import appointment_seats, appointments, card_holders
from hallterm.storage.tickets import AppointmentRow, _appointment


@cache
def _take(dialect_name: str) -> Any:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(appointment_seats).values(section=bindparam("section"), day=bindparam("day"),
                                                    slot_start=bindparam("slot_start"), booked=1)
    return (stmt.on_conflict_do_update(index_elements=["section", "day", "slot_start"],
                                       set_={"booked": appointment_seats.c.booked + 1},
                                       where=appointment_seats.c.booked < bindparam("capacity"))
            .returning(appointment_seats.c.booked))


def take_seat(conn: Connection, section: str, day: dt.date, slot_start: str, capacity: int) -> int | None:
    """Take one seat of the slot; the seats now taken, or None when all ``capacity`` were taken already."""
    if capacity < 1:
        return None
    stmt = _take("postgresql" if conn.dialect.name == "postgresql" else "sqlite")
    value = conn.execute(stmt, {"section": section, "day": day, "slot_start": slot_start,
                                "capacity": capacity}).scalar_one_or_none()
    return int(value) if value is not None else None


def free_seat(conn: Connection, section: str, day: dt.date, slot_start: str) -> None:
    conn.execute(update(appointment_seats)
                 .where(appointment_seats.c.section == section, appointment_seats.c.day == day,
                        appointment_seats.c.slot_start == slot_start, appointment_seats.c.booked > 0)
                 .values(booked=appointment_seats.c.booked - 1))


def add_seat_unchecked(conn: Connection, section: str, day: dt.date, slot_start: str) -> None:
    """Count a seat without the capacity check: for appointments recorded outside the booking rules."""
    take_seat(conn, section, day, slot_start, 1_000_000)


def seats_of_day(conn: Connection, day: dt.date) -> dict[tuple[str, str], int]:
    """(section, slot start) → seats taken on ``day``."""
    rows = conn.execute(select(appointment_seats.c.section, appointment_seats.c.slot_start,
                               appointment_seats.c.booked).where(appointment_seats.c.day == day))
    return {(r.section, r.slot_start): int(r.booked) for r in rows}


def seats_between(conn: Connection, first: dt.date, last: dt.date) -> dict[tuple[dt.date, str, str], int]:
    rows = conn.execute(select(appointment_seats).where(appointment_seats.c.day.between(first, last)))
    return {(r.day, r.section, r.slot_start): int(r.booked) for r in rows}


@dataclass(frozen=True)
class HolderForBooking:
    holder_id: int
    phone: str


def lock_holder(conn: Connection, card_no: str) -> HolderForBooking | None:
    """The holder's row, locked until the transaction ends (PostgreSQL; SQLite's writer lock already is):
    two terminals booking for the same holder at once check the one-per-item rule one after the other."""
    r = conn.execute(select(card_holders.c.id, card_holders.c.phone).where(card_holders.c.card_no == card_no)
                     .with_for_update()).first()
    return HolderForBooking(r.id, r.phone or "") if r is not None else None


def active_of_holder(conn: Connection, holder_id: int, from_day: dt.date) -> list[AppointmentRow]:
    """The holder's booked (not yet checked-in, cancelled or missed) appointments from ``from_day`` on."""
    return [_appointment(r) for r in conn.execute(
        _with_holder().where(appointments.c.holder_id == holder_id, appointments.c.day >= from_day,
                             appointments.c.status == AppointmentStatus.BOOKED.value)
        .order_by(appointments.c.day, appointments.c.slot_start))]


def _with_holder() -> Any:
    return (select(appointments, card_holders.c.name, card_holders.c.card_no)
            .join(card_holders, card_holders.c.id == appointments.c.holder_id))


def get_for_update(conn: Connection, appointment_id: int) -> AppointmentRow | None:
    r = conn.execute(_with_holder().where(appointments.c.id == appointment_id)
                     .with_for_update(of=appointments)).first()
    return _appointment(r) if r is not None else None


def set_status(conn: Connection, appointment_id: int, old: AppointmentStatus, new: AppointmentStatus) -> bool:
    """Move one appointment from ``old`` to ``new``; False when another terminal changed it first."""
    done = conn.execute(update(appointments)
                        .where(and_(appointments.c.id == appointment_id, appointments.c.status == old.value))
                        .values(status=new.value)).rowcount
    return done == 1


def move(conn: Connection, appointment_id: int, *, day: dt.date, slot_start: str, slot_end: str, section: str,
         after_hours: bool) -> bool:
    done = conn.execute(update(appointments)
                        .where(and_(appointments.c.id == appointment_id,
                                    appointments.c.status == AppointmentStatus.BOOKED.value))
                        .values(day=day, slot_start=slot_start, slot_end=slot_end, section=section,
                                after_hours=after_hours)).rowcount
    return done == 1


@dataclass(frozen=True)
class CallListRow:
    """One line of the day's reminder-call list."""

    appointment: AppointmentRow
    roster_phone: str


def call_list(conn: Connection, day: dt.date, statuses: Sequence[str]) -> list[CallListRow]:
    query = (select(appointments, card_holders.c.name, card_holders.c.card_no,
                    card_holders.c.phone.label("roster_phone"))
             .join(card_holders, card_holders.c.id == appointments.c.holder_id)
             .where(appointments.c.day == day, appointments.c.status.in_(list(statuses)))
             .order_by(appointments.c.slot_start, appointments.c.section, appointments.c.id))
    return [CallListRow(_appointment(r), r.roster_phone or "") for r in conn.execute(query)]


def count_booked(conn: Connection, day: dt.date, section: str, slot_start: str) -> int:
    """Booked or checked-in appointments of a slot, counted: for tests and checks, never for capacity."""
    return int(conn.execute(select(func.count()).select_from(appointments).where(
        appointments.c.day == day, appointments.c.section == section, appointments.c.slot_start == slot_start,
        appointments.c.status.in_([AppointmentStatus.BOOKED.value, AppointmentStatus.CHECKED_IN.value]))
    ).scalar_one())


def booked_until(conn: Connection, last_day: dt.date) -> list[AppointmentRow]:
    """Booked (not checked-in, cancelled or missed) appointments up to ``last_day``: the sweep's candidates."""
    return [_appointment(r) for r in conn.execute(
        _with_holder().where(appointments.c.day <= last_day,
                             appointments.c.status == AppointmentStatus.BOOKED.value)
        .order_by(appointments.c.day, appointments.c.slot_start, appointments.c.id))]


def missed_since(conn: Connection, card_no: str, first_day: dt.date) -> int:
    """How many appointments of the holder were missed on ``first_day`` or later."""
    return int(conn.execute(
        select(func.count()).select_from(appointments)
        .join(card_holders, card_holders.c.id == appointments.c.holder_id)
        .where(card_holders.c.card_no == card_no, appointments.c.day >= first_day,
               appointments.c.status == AppointmentStatus.MISSED.value)).scalar_one())


def booked_today_of_card(conn: Connection, card_no: str, day: dt.date) -> list[AppointmentRow]:
    """The holder's booked appointments of the day, in slot order: what a card scanned on arrival checks in."""
    return [_appointment(r) for r in conn.execute(
        _with_holder().where(card_holders.c.card_no == card_no, appointments.c.day == day,
                             appointments.c.status == AppointmentStatus.BOOKED.value)
        .order_by(appointments.c.slot_start, appointments.c.id))]


def booked_today_and_after(conn: Connection, card_no: str, first_day: dt.date) -> list[AppointmentRow]:
    """The holder's booked appointments on ``first_day`` or later, in date and slot order."""
    return [_appointment(r) for r in conn.execute(
        _with_holder().where(card_holders.c.card_no == card_no, appointments.c.day >= first_day,
                             appointments.c.status == AppointmentStatus.BOOKED.value)
        .order_by(appointments.c.day, appointments.c.slot_start, appointments.c.id))]
