"""Who is on duty at a given local time (the hall's staff file, assets/staff.toml)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class ShiftWindow:
    days: frozenset[str]
    start: str  # "08:30"
    end: str

    def covers(self, local: dt.datetime) -> bool:
        return DAY_CODES[local.weekday()] in self.days and self.start <= f"{local:%H:%M}" < self.end


def on_duty(shifts: Iterable[ShiftWindow], local: dt.datetime) -> bool:
    return any(s.covers(local) for s in shifts)


def parse_window(days: str, start: str, end: str) -> ShiftWindow:
    return ShiftWindow(frozenset(filter(None, days.split(","))), start, end)
