"""What the desk's booking screen shows when it opens (issue 12 points 3 and 5): the holder's booked
appointments, the days ahead with their free seats, and a line when the holder often does not come."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hallterm.domain.appointments import STATUS_NAMES
from hallterm.services.appointment_sweep import MissHistory, miss_history
from hallterm.services.appointments import (
    AppointmentView,
    DayFree,
    SlotView,
    day_slots,
    holder_appointments,
    upcoming_days,
)
from hallterm.services.context import Services


@dataclass(frozen=True)
class BookingStart:
    appointments: tuple[AppointmentView, ...]
    days: tuple[DayFree, ...]
    misses: MissHistory


def booking_start(svc: Services, card_no: str) -> BookingStart:
    return BookingStart(tuple(holder_appointments(svc, card_no)), tuple(upcoming_days(svc)),
                        miss_history(svc, card_no))


def open_slots(svc: Services, day: dt.date) -> tuple[dt.date, list[SlotView]]:
    """The day's slots that can still be booked and have a free seat, in time order then section."""
    return day, sorted((s for s in day_slots(svc, day).slots if s.bookable and s.free > 0),
                       key=lambda s: (s.start, s.section))


def appointment_line(view: AppointmentView) -> str:
    """One booked appointment as the booking screen lists it."""
    return (f"{view.number}　{view.day:%m-%d} {view.slot_start}–{view.slot_end}　{view.section}　{view.what}"
            f"　{STATUS_NAMES[view.status]}")
