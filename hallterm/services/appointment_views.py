"""Appointments as staff read them (S6 预约服务, issue 12): one booking with its items' names, the day's call
list for the reminder calls, the closed days still holding bookings, and a holder's coming bookings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection

from hallterm.domain.appointments import GENERAL, STATUS_NAMES, appointment_no
from hallterm.domain.queue import AppointmentStatus
from hallterm.services.appointment_slots import hall_hours
from hallterm.services.context import Services
from hallterm.storage import appointments as store
from hallterm.storage.catalog import item_names
from hallterm.storage.tickets import AppointmentRow


@dataclass(frozen=True)
class AppointmentView:
    id: int
    number: str  # 000123, as the slip prints it
    card_no: str
    holder_name: str
    day: dt.date
    slot_start: str
    slot_end: str
    section: str
    items: tuple[str, ...]
    status: AppointmentStatus
    after_hours: bool
    phone: str
    note: str
    message: str = ""
    item_names: tuple[str, ...] = ()  # the catalog's names of ``items``, in the same order

    @property
    def what(self) -> str:
        """The items as staff read them (names, never the internal codes); 咨询 without items."""
        return "、".join(self.item_names or self.items) or GENERAL


def _codes(row: AppointmentRow) -> tuple[str, ...]:
    return tuple(c for c in row.item_codes.replace(" ", ",").split(",") if c)


def names_of_items(conn: Connection, rows: Iterable[AppointmentRow]) -> dict[str, str]:
    """code → catalog name of every item the rows name (an item withdrawn since keeps its name)."""
    return item_names(conn, sorted({c for r in rows for c in _codes(r)}))


def as_view(row: AppointmentRow, message: str = "", names: Mapping[str, str] | None = None) -> AppointmentView:
    items = _codes(row)
    named = tuple((names or {}).get(c, c) for c in items)
    return AppointmentView(row.id, appointment_no(row.id), row.card_no, row.holder_name, row.day, row.slot_start,
                           row.slot_end, row.section, items, AppointmentStatus(row.status), row.after_hours,
                           row.phone, row.note, message, named)


def view_of(conn: Connection, row: AppointmentRow) -> AppointmentView:
    """One appointment as staff read it, its items by their catalog names."""
    return as_view(row, names=names_of_items(conn, [row]))


CLOSED_STATUS = "闭厅，待电话通知改约"  # a booking stranded on a day the hall has closed since


@dataclass(frozen=True)
class CallEntry:
    appointment: AppointmentView
    roster_phone: str
    closed: str = ""  # the closure's reason when the day was closed after the booking (to call and move)

    @property
    def phone(self) -> str:
        """The number given at booking, else the roster's."""
        return self.appointment.phone or self.roster_phone

    @property
    def status_text(self) -> str:
        """The status as the call list says it: a booking on a closed day is to be called and moved."""
        if self.closed and self.appointment.status is AppointmentStatus.BOOKED:
            return CLOSED_STATUS
        return STATUS_NAMES[self.appointment.status]


def call_list(svc: Services, day: dt.date, *, with_cancelled: bool = False) -> list[CallEntry]:
    """The day's appointments in slot order, with the phone numbers for the reminder calls."""
    statuses = [s.value for s in AppointmentStatus] if with_cancelled else \
        [AppointmentStatus.BOOKED.value, AppointmentStatus.CHECKED_IN.value]
    closure = hall_hours(svc).closed_on(day)
    with svc.db.read() as conn:
        rows = store.call_list(conn, day, statuses)
        names = names_of_items(conn, [r.appointment for r in rows])
    return [CallEntry(as_view(r.appointment, names=names), r.roster_phone, closure.reason if closure else "")
            for r in rows]


@dataclass(frozen=True)
class StrandedDay:
    """A closed day (hours.toml ``[[closed]]`` or a closure of calendar/local.toml) with bookings still on it."""

    day: dt.date
    reason: str
    bookings: int


def stranded_bookings(svc: Services) -> list[StrandedDay]:
    """Closed days from today on that still hold booked appointments: closing a day takes no seat back,
    so staff must call each holder and move the booking (``hallterm appointments list --day D``)."""
    today = svc.today()
    closed = sorted((c for c in hall_hours(svc).closed if c.day >= today), key=lambda c: c.day)
    out: list[StrandedDay] = []
    with svc.db.read() as conn:
        for closure in closed:
            count = len(store.call_list(conn, closure.day, [AppointmentStatus.BOOKED.value]))
            if count:
                out.append(StrandedDay(closure.day, closure.reason, count))
    return out


def holder_appointments(svc: Services, card_no: str) -> list[AppointmentView]:
    """The holder's booked appointments from today on, in date order: what the booking screen can move or cancel."""
    with svc.db.read() as conn:
        rows = store.booked_today_and_after(conn, card_no, svc.today())
        names = names_of_items(conn, rows)
    return [as_view(r, names=names) for r in rows]
