"""Appointments nobody came for: marked missed (失约) once their slot has ended plus a grace period (S6,
issue 12 point 5), by ``hallterm sweep`` and by the desk's own timer; and the holder's misses counted
for the booking screen (a line, never a ban)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hallterm.domain.appointments import AppointmentError, missed_after, repeated_misses
from hallterm.services.appointments import mark_missed
from hallterm.services.context import Services
from hallterm.services.staff import system_session
from hallterm.storage import appointments as store

# Marking missed is the hall's, not a clerk's: the sweep acts as a system actor that may only do that.
SWEEPER = system_session("sweep", "失约巡检", "book_appointment")


@dataclass(frozen=True)
class MissedSweep:
    missed: tuple[str, ...]  # the appointment numbers marked missed now

    @property
    def message(self) -> str:
        return f"{len(self.missed)} 个预约超时未签到，已标记失约" if self.missed else ""


def sweep_missed(svc: Services) -> MissedSweep:
    """Mark missed every booked appointment whose slot ended more than ``missed_grace_minutes`` ago.

    Idempotent, and safe from several terminals at once: ``mark_missed`` moves only a still-booked
    appointment, so one checked in (or marked by another desk) meanwhile is left alone."""
    now = svc.now().astimezone(svc.settings.hall.tz).replace(tzinfo=None)
    grace = svc.settings.appointments.missed_grace_minutes
    with svc.db.read() as conn:
        candidates = store.booked_until(conn, svc.today())
    done: list[str] = []
    for row in candidates:
        if now <= missed_after(row.day, row.slot_end, grace):  # checked in by then: not missed
            continue
        try:
            # For the hall, not a clerk: the desk's timer runs it whoever is signed in, as the sweep.
            done.append(mark_missed(svc, SWEEPER, row.id).number)
        except AppointmentError:
            continue  # checked in or changed on another terminal since the list was read
    return MissedSweep(tuple(done))


@dataclass(frozen=True)
class MissHistory:
    misses: int
    days: int
    warning: str  # the booking screen's line; "" below the threshold


def miss_history(svc: Services, card_no: str) -> MissHistory:
    """How often the holder did not come lately (``[appointments] repeat_misses`` in ``repeat_misses_days``)."""
    a = svc.settings.appointments
    since = svc.today() - dt.timedelta(days=a.repeat_misses_days)
    with svc.db.read() as conn:
        misses = store.missed_since(conn, card_no, since)
    return MissHistory(misses, a.repeat_misses_days, repeated_misses(misses, a.repeat_misses, a.repeat_misses_days))
