"""A case's whole story, for ``hallterm cases show`` (issue 13 point 7): who, what, where it stands, and
every event in order (S10: who did what, when).

Personal data is minimised as everywhere (DESIGN.md): the holder's name masked, no resident ID number
or phone in full, not even inside an event's details.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hallterm.domain.cases import STATUS_NAMES, CaseStatus
from hallterm.domain.checklist import ITEM_STATUS_NAMES, ItemStatus
from hallterm.domain.errors import Refused
from hallterm.domain.events import event_label
from hallterm.domain.ids import mask_id, mask_name, mask_phone
from hallterm.domain.service_mode import MODE_NAMES
from hallterm.services.case_views import case_at
from hallterm.services.consultations import consultations_of_case
from hallterm.services.context import Services
from hallterm.services.joint_reviews import reviews_of_case
from hallterm.services.proxy_tasks import case_tasks_in
from hallterm.services.rating import case_ratings, rating_json
from hallterm.storage import case_items, events, handouts
from hallterm.storage import cases as case_store
from hallterm.storage import staff as staff_store

# Keys of event details that may hold personal data: shown masked, never whole (PIPL minimisation).
_MASKERS = {"id_number": mask_id, "agent_id": mask_id, "phone": mask_phone, "name": mask_name,
            "holder_name": mask_name, "agent_name": mask_name}


class UnknownCase(Refused):
    """No case has this number."""


@dataclass(frozen=True)
class StoryItem:
    code: str
    name: str
    department: str
    status: str  # the state's code (ItemStatus)
    status_name: str
    accepted_on: dt.date | None
    due_on: dt.date | None
    handed_out_to: str | None = None  # who received the result at the issuing window (S9), masked


@dataclass(frozen=True)
class StoryEvent:
    id: int
    at: dt.datetime  # in the hall's time zone
    kind: str
    label: str
    staff: str  # name (staff ID) of whoever did it; "" for the system
    details: dict[str, Any]


@dataclass(frozen=True)
class CaseStory:
    case_no: str
    status: str  # the state's code, e.g. ``closed``
    status_name: str
    holder: str  # masked name
    card_no: str
    service_mode: str
    full_proxy: bool
    coordinator: str
    lounge: str
    opened_at: dt.datetime
    items: list[StoryItem]
    events: list[StoryEvent]
    proxy_tasks: list[dict[str, Any]] = field(default_factory=list)
    consultations: list[dict[str, Any]] = field(default_factory=list)
    joint_reviews: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)  # one per hand-out (一次一评), oldest first

    @property
    def rating(self) -> dict[str, Any] | None:
        """The latest rating (``rating`` in the JSON; ``ratings`` holds them all)."""
        return self.ratings[-1] if self.ratings else None

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values (dates as ISO text), in the order a reader takes them in."""
        return {
            "case_no": self.case_no, "status": self.status, "status_name": self.status_name,
            "holder": self.holder, "card_no": self.card_no, "service_mode": self.service_mode,
            "full_proxy": self.full_proxy, "coordinator": self.coordinator, "lounge": self.lounge,
            "opened_at": self.opened_at.isoformat(),
            "items": [{"code": i.code, "name": i.name, "department": i.department, "status": i.status,
                       "status_name": i.status_name, "accepted_on": _iso(i.accepted_on), "due_on": _iso(i.due_on),
                       "handed_out_to": i.handed_out_to} for i in self.items],
            "proxy_tasks": self.proxy_tasks, "consultations": self.consultations,
            "joint_reviews": self.joint_reviews, "rating": self.rating, "ratings": self.ratings,
            "events": [{"id": e.id, "at": e.at.isoformat(), "kind": e.kind, "label": e.label, "staff": e.staff,
                        "details": e.details} for e in self.events],
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def masked_details(details: dict[str, Any]) -> dict[str, Any]:
    """The details with personal data masked, however deep it sits."""
    out: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, dict):
            out[key] = masked_details(value)
        elif isinstance(value, str) and key in _MASKERS:
            out[key] = _MASKERS[key](value)
        else:
            out[key] = value
    return out


def case_story(svc: Services, case_no: str) -> CaseStory:
    tz = svc.settings.hall.tz
    wanted = case_no.strip().upper()
    with svc.db.read() as conn:
        case_id = case_store.case_id_of(conn, wanted)
        view = case_at(conn, case_id) if case_id is not None else None
        if case_id is None or view is None:
            raise UnknownCase(f"没有编号为 {wanted} 的办件：请核对编号（形如 210300-20261203-0001）")
        items = case_items.items_of_case(conn, case_id)
        found = events.recent(conn, case_id=case_id, limit=100_000)
        people = staff_store.names(conn)
        proxy_tasks = [t.as_json() for t in case_tasks_in(svc, conn, case_id)]  # S3 全程代办
        given = {code: h for h in handouts.handouts_of_case(conn, case_id) for code in h.item_codes}  # S9
    story_items = [StoryItem(r.item_code, r.name, r.department, r.status, _item_status_name(r.status),
                             r.accepted_on, r.due_on, _recipient(given.get(r.item_code))) for r in items]
    story_events = [StoryEvent(e.id, e.at.astimezone(tz), e.kind, event_label(e.kind),
                               f"{people.get(e.staff_id, '')}（{e.staff_id}）" if e.staff_id else "",
                               masked_details(e.details)) for e in reversed(found)]
    coordinator = view.coordinator.name if view.coordinator else ""
    return CaseStory(view.case_no, view.status.value, STATUS_NAMES[CaseStatus(view.status)],
                     mask_name(view.holder_name), view.card_no, MODE_NAMES.get(view.service_mode, view.service_mode),
                     view.full_proxy, coordinator, view.lounge_name or "", view.opened_at.astimezone(tz),
                     story_items, story_events, proxy_tasks,
                     [c.as_json() for c in consultations_of_case(svc, case_id)],  # S5: where it came from
                     [r.as_json() for r in reviews_of_case(svc, case_id)],  # S8
                     ratings=[r for r in map(rating_json, case_ratings(svc, case_id)) if r is not None])


def _recipient(row: handouts.HandoutRow | None) -> str | None:
    """Who received the item's result at the issuing window, as the hand-out recorded it (ID masked)."""
    if row is None:
        return None
    who = "本人" if row.recipient_kind == "holder" else "代理人"
    return f"{who} {mask_name(row.recipient_name)}（{row.recipient_id_masked}）"


def _item_status_name(code: str) -> str:
    try:
        return ITEM_STATUS_NAMES.get(ItemStatus(code), code)
    except ValueError:
        return code
