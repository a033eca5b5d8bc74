"""Routing a card holder to a lounge seat and a coordinator (S4, S9).

Pure: the caller passes the lounges with their occupancy and the staff with their load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from hallterm.domain.service_mode import ServiceMode

COORDINATION_SECTION = "业务协调科"  # S9: the coordinator comes from 业务协调科
GUIDANCE_SECTION = "企业登记科"  # S1: incomplete enterprise registrations are guided here
PROXY_SECTION = "政务服务中心帮办代办部"  # S1/S3: 帮办代办


@dataclass(frozen=True)
class LoungeLoad:
    code: str
    name: str
    floor: int
    capacity: int
    occupied: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.occupied)


@dataclass(frozen=True)
class StaffLoad:
    staff_id: str
    name: str
    section: str
    extension: str
    active_cases: int
    last_assigned: dt.datetime | None  # for taking ties in turn
    on_duty: bool


def pick_lounge(lounges: Sequence[LoungeLoad]) -> LoungeLoad | None:
    """The room with the most free seats (visitors spread out), ties by code; None when all are full."""
    free = [x for x in lounges if x.free > 0]
    if not free:
        return None
    return min(free, key=lambda x: (-x.free, x.code))


def pick_staff(candidates: Sequence[StaffLoad]) -> StaffLoad | None:
    """On duty now, fewest active cases; ties go to whoever was assigned longest ago (in turn)."""
    ready = [s for s in candidates if s.on_duty]
    if not ready:
        return None
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    return min(ready, key=lambda s: (s.active_cases, s.last_assigned or never, s.staff_id))


def coordinator_section(mode: ServiceMode, enterprise_items: bool) -> str:
    """S1: 指导办 for an enterprise registration goes to 企业登记科; everything else to 业务协调科."""
    if mode is ServiceMode.GUIDED and enterprise_items:
        return GUIDANCE_SECTION
    return COORDINATION_SECTION
