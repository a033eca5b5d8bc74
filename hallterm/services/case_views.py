"""A case as the screens show it: the stored row with its codes read into the domain's enums, and
the lines of its history.

``storage.cases`` returns plain rows (strings as stored); screens get ``CaseView``s, whose status,
kind, bureau, handling and service mode are enums, so a screen looks names up without parsing codes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from hallterm.domain.cases import CaseStatus
from hallterm.domain.events import EventKind, event_label
from hallterm.domain.jurisdiction import Bureau, CaseKind, EnterpriseKind, Handling
from hallterm.domain.service_mode import MODE_NAMES, ServiceMode
from hallterm.storage import cases as store
from hallterm.storage.cases import CaseRow, Person
from hallterm.storage.events import Event, latest_details

# Demo databases built before the mode's code was stored hold its Chinese name (马上办) instead.
_MODE_BY_NAME = {name: mode for mode, name in MODE_NAMES.items()}


@dataclass(frozen=True)
class CaseView:
    id: int
    case_no: str
    card_no: str
    holder_name: str
    kind: CaseKind
    enterprise_name: str
    project_name: str
    enterprise_kind: EnterpriseKind | None  # None when none was recorded (cases of the demo data)
    uscc: str
    jurisdiction: Bureau
    district: str
    handling: Handling
    flags: str  # urgent,special,major (S1)
    service_mode: ServiceMode
    full_proxy: bool
    status: CaseStatus
    lounge_code: str | None
    lounge_name: str | None
    lounge_floor: int | None
    coordinator: Person | None
    proxy: Person | None
    first_contact: Person | None
    opened_at: dt.datetime
    met_at: dt.datetime | None
    item_names: tuple[str, ...]
    queue_position: int | None = None  # 1 = next to be routed, when the case waits for a seat/coordinator
    queue_reason: str = ""
    proxy_reason: str = ""  # the 帮办代办 promised but not on duty: when one comes (routing panel, slip)
    duty: str = ""  # 值班协调员 / 值班人员 when the after-hours duty roster chose the coordinator (S6)


def case_view(row: CaseRow) -> CaseView:
    mode = _MODE_BY_NAME.get(row.service_mode) or ServiceMode(row.service_mode)
    return CaseView(row.id, row.case_no, row.card_no, row.holder_name, CaseKind(row.kind), row.enterprise_name,
                    row.project_name, EnterpriseKind(row.enterprise_kind) if row.enterprise_kind else None, row.uscc,
                    Bureau(row.jurisdiction), row.district, Handling(row.handling), row.flags, mode, row.full_proxy,
                    CaseStatus(row.status), row.lounge_code, row.lounge_name, row.lounge_floor, row.coordinator,
                    row.proxy, row.first_contact, row.opened_at, row.met_at, row.item_names, row.queue_position,
                    row.queue_reason, row.proxy_reason)


def case_at(conn: Connection, case_id: int) -> CaseView | None:
    """The case with this id, as screens show it (None when there is none)."""
    row = store.get_case(conn, case_id)
    if row is None:
        return None
    view = case_view(row)
    if row.coordinator is not None:
        # One look-up: a reassignment to someone else changes the coordinator, and the label goes with it.
        routed = latest_details(conn, case_id=case_id, kind=EventKind.CASE_ROUTED) or {}
        if routed.get("duty_name") and routed.get("coordinator") == row.coordinator.staff_id:
            view = dataclasses.replace(view, duty=str(routed["duty_name"]))
    return view


def find_case_views(conn: Connection, **where: Any) -> list[CaseView]:
    """``storage.cases.find_cases`` (same filters), as screens show them."""
    return [case_view(r) for r in store.find_cases(conn, **where)]


@dataclass(frozen=True)
class CaseEvent:
    """One line of a case's history (S10: who did what, when)."""

    id: int
    at: dt.datetime
    kind: EventKind | str  # a plain string only for a kind written by a newer version of hallterm
    staff_id: str | None
    details: dict[str, Any]

    @property
    def label(self) -> str:
        """What was done, in Chinese (a kind this version does not know: as stored)."""
        return event_label(self.kind)


_KINDS = {k.value: k for k in EventKind}


def case_event(event: Event) -> CaseEvent:
    return CaseEvent(event.id, event.at, _KINDS.get(event.kind, event.kind), event.staff_id, event.details)
