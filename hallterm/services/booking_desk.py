"""What the desk's booking screen shows when it opens (issue 12 points 3 and 5): the holder's booked
appointments, the days ahead with their free seats, and a line when the holder often does not come."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hallterm.domain.appointments import STATUS_NAMES
from hallterm.services.appointment_slots import DayFree, SlotView, day_slots, upcoming_days
from hallterm.services.appointment_sweep import MissHistory, miss_history
from hallterm.services.appointment_views import AppointmentView, holder_appointments
from hallterm.services.appointments import items_section
from hallterm.services.context import Services


@dataclass(frozen=True)
class BookingStart:
    appointments: tuple[AppointmentView, ...]
    days: tuple[DayFree, ...]
    misses: MissHistory


def booking_start(svc: Services, card_no: str) -> BookingStart:
    return BookingStart(tuple(holder_appointments(svc, card_no)), tuple(upcoming_days(svc)),
                        miss_history(svc, card_no))


@dataclass(frozen=True)
class OpenSlots:
    day: dt.date
    items: tuple[str, ...]  # the items the list was made for
    section: str | None  # the items' own section, the only one offered; None: every section
    slots: list[SlotView]


def open_slots(svc: Services, day: dt.date, items: tuple[str, ...] = ()) -> OpenSlots:
    """The day's slots that can still be booked and have a free seat, in time order then section; only the
    items' own section when they name one (as ``hallterm appointments book`` chooses it)."""
    section = items_section(svc, items)
    return OpenSlots(day, items, section, sorted((s for s in day_slots(svc, day, section).slots if s.bookable),
                                                 key=lambda s: (s.start, s.section)))


def appointment_line(view: AppointmentView) -> str:
    """One booked appointment as the booking screen lists it."""
    return (f"{view.number}　{view.day:%m-%d} {view.slot_start}–{view.slot_end}　{view.section}　{view.what}"
            f"　{STATUS_NAMES[view.status]}")
