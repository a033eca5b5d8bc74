"""The hours in force and the days' slots of appointments (S6 预约服务, issue 12): assets/hours.toml with the
hall's closures, each slot with its seats taken, and the days of the booking horizon with their free seats.

The hours and slots come from assets/hours.toml (``domain.hours``), the days' kinds from the working-day
calendar; a closure in assets/calendar/local.toml closes the hall for appointments as well.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from hallterm.domain.appointments import AppointmentError, check_day, check_not_started
from hallterm.domain.hours import Closed, DayHours, Hours, Slot, day_hours, slots_of_day
from hallterm.services.calendar import read_calendar_files
from hallterm.services.context import Services
from hallterm.services.reference import HOURS_FILE, STAFF_FILE, read_hours
from hallterm.storage import appointments as store

_HOURS: dict[Path, tuple[tuple[float, ...], Hours]] = {}


def hall_hours(svc: Services) -> Hours:
    """assets/hours.toml with the local closures of assets/calendar/local.toml; re-read when a file changes."""
    assets = svc.settings.paths.assets_dir
    files = (assets / HOURS_FILE, assets / STAFF_FILE, assets / "calendar" / "local.toml")
    stamp = tuple(p.stat().st_mtime if p.exists() else 0.0 for p in files)
    cached = _HOURS.get(assets)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    hours = read_hours(assets)
    local = read_calendar_files(assets).local
    extra = tuple(Closed(d.day, d.reason) for d in (local.days if local else ())
                  if not d.working and hours.closed_on(d.day) is None)
    hours = dataclasses.replace(hours, closed=hours.closed + extra)
    _HOURS[assets] = (stamp, hours)
    return hours


def day_schedule(svc: Services, day: dt.date) -> DayHours:
    """The day's kind and windows; a year without a holiday schedule yet is estimated (and says so)."""
    return day_hours(hall_hours(svc), svc.work_calendar.day(day, estimate=True))


@dataclass(frozen=True)
class SlotView(Slot):
    """A slot of the hours with how many seats are taken now."""

    booked: int
    open: bool  # within the horizon and not started (nor past the cut-off), full or not

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def bookable(self) -> bool:
        """A seat can be booked now: open, and not full (what scripts reading ``--json`` act on)."""
        return self.open and self.free > 0

    def as_json(self) -> dict[str, object]:
        return {"day": self.day.isoformat(), "start": self.start, "end": self.end, "section": self.section,
                "window": self.window.value, "capacity": self.capacity, "booked": self.booked,
                "free": self.free, "bookable": self.bookable, "open": self.open}


@dataclass(frozen=True)
class DaySlots:
    hours: DayHours
    slots: tuple[SlotView, ...]


def _bookable(svc: Services, slot: Slot) -> bool:
    try:
        check_day(slot.day, svc.today(), svc.settings.appointments.horizon_days)
        check_not_started(slot, local_now(svc), svc.settings.appointments.cutoff_minutes)
    except AppointmentError:
        return False
    return True


def local_now(svc: Services) -> dt.datetime:
    return svc.now().astimezone(svc.settings.hall.tz)


def checked_section(hours: Hours, section: str | None) -> str | None:
    if section is None or not section.strip():
        return None
    name = section.strip()
    if name not in hours.sections:
        raise AppointmentError(f"{name} 不接受预约：可选 {'、'.join(hours.sections)}（见 assets/hours.toml）")
    return name


def day_slots(svc: Services, day: dt.date, section: str | None = None) -> DaySlots:
    """Every slot of the day (one section's when given) with its seats taken."""
    hours = hall_hours(svc)
    wanted = checked_section(hours, section)
    schedule = day_schedule(svc, day)
    with svc.db.read() as conn:
        taken = store.seats_of_day(conn, day)
    slots = tuple(SlotView(s.day, s.start, s.end, s.section, s.window, s.capacity,
                           taken.get((s.section, s.start), 0), _bookable(svc, s))
                  for s in slots_of_day(hours, schedule, wanted))
    return DaySlots(schedule, slots)


@dataclass(frozen=True)
class DayFree:
    """One day of the booking horizon: what it is and how many seats are still free (bookable slots only)."""

    hours: DayHours
    free: int
    capacity: int
    slots: int = 0  # the day's slots, started or not: open with none left (today, late) vs. none at all


def upcoming_days(svc: Services, section: str | None = None, days: int | None = None) -> list[DayFree]:
    """Today and the next days up to the horizon, with their free seats: the desk's day list (issue 12 point 3)."""
    hours = hall_hours(svc)
    wanted = checked_section(hours, section)
    today = svc.today()
    last = today + dt.timedelta(days=svc.settings.appointments.horizon_days if days is None else days)
    with svc.db.read() as conn:
        taken = store.seats_between(conn, today, last)
    out: list[DayFree] = []
    day = today
    while day <= last:
        schedule = day_schedule(svc, day)
        every = slots_of_day(hours, schedule, wanted)
        open_slots = [s for s in every if _bookable(svc, s)]
        free = sum(max(0, s.capacity - taken.get((day, s.section, s.start), 0)) for s in open_slots)
        out.append(DayFree(schedule, free, sum(s.capacity for s in open_slots), len(every)))
        day += dt.timedelta(days=1)
    return out
