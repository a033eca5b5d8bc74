"""The queue starts clean each day (S9; issue 11 point 7).

A visitor still waiting for a lounge seat or a coordinator when the day (or the after-hours shift)
ends has gone home: the next morning's routing must not seat them as if they were in the hall. At
the day's end they leave the queue — the case stays open, 办理中, for when they come back or book —
and are listed for a call-back (masked in the sweep's output, whole in
``hallterm callbacks``). Done by the nightly ``hallterm sweep`` (every
queued case whose section has nobody coming back today) and by the first routing of a later day
(every case queued on an earlier day); each leaving is a ``queue_left`` event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from hallterm.domain.cases import CaseStatus
from hallterm.domain.events import EventKind
from hallterm.domain.ids import mask_name, mask_phone
from hallterm.domain.routing import coordinator_section
from hallterm.domain.service_mode import ServiceMode
from hallterm.services.case_views import case_at
from hallterm.services.context import Services
from hallterm.storage import cases as store
from hallterm.storage import events, holders

ENTERPRISE_DEPARTMENT = "企业登记科"


@dataclass(frozen=True)
class Callback:
    """A visitor who left the queue unserved: whom to call back, masked as every list of the hall is."""

    case_no: str
    name: str  # 张*明
    phone: str  # 138****5678
    opened_at: dt.datetime  # UTC
    section: str  # the coordinators they waited for

    def line(self, tz: dt.tzinfo) -> str:
        return (f"{self.case_no}　{self.name}　{self.phone or '（无电话）'}　"
                f"{self.opened_at.astimezone(tz):%m-%d %H:%M} 开办件，等候{self.section}")


def closed_days(svc: Services) -> Callable[[dt.date], bool]:
    """The days the weekly shifts do not run, by the hall's calendar (chinese-calendar and
    assets/calendar): a rest day on a weekday, and a named holiday or closure on a weekend (an
    ordinary Saturday keeps its Saturday duty). A year without data is assumed Monday–Friday."""
    calendar = svc.work_calendar

    def closed(day: dt.date) -> bool:
        info = calendar.day(day, estimate=True)
        return not info.working and (day.weekday() < 5 or bool(info.note))

    return closed


def section_of(conn: Connection, case_id: int) -> str:
    """The coordinators' section a queued case waits for (S1: 企业登记科 guides enterprise items)."""
    mode_value, _ = store.mode_of(conn, case_id)
    enterprise = store.has_items_of_department(conn, case_id, ENTERPRISE_DEPARTMENT)
    return coordinator_section(ServiceMode(mode_value), enterprise)


def close_queue(svc: Services, conn: Connection, *, tonight: bool, staff_id: str | None = None) -> list[Callback]:
    """Take off the queue every case queued on an earlier local day; with ``tonight`` (the nightly
    sweep) also today's, when no coordinator of their section comes on duty again today."""
    now = svc.now()
    tz = svc.settings.hall.tz
    local_now = now.astimezone(tz)
    today = local_now.date()
    left: list[Callback] = []
    # Routing runs this each time a seat frees, holding the seats' lock (storage.cases.lock_seats): during
    # the day only the cases queued before today are read, not the whole queue case by case.
    midnight = dt.datetime.combine(today, dt.time(), tz).astimezone(dt.UTC)
    for case_id in store.queued_case_ids(conn, opened_before=None if tonight else midnight):
        view = case_at(conn, case_id)
        if view is None:
            continue
        section = section_of(conn, case_id)
        if view.opened_at.astimezone(tz).date() >= today:
            if not tonight:
                continue
            closed = closed_days(svc)
            people = store.staff_loads(conn, section=section, roles=("coordinator",), local_now=local_now,
                                       closed=closed)
            comes = store.next_on_duty(conn, section=section, roles=("coordinator",), local_now=local_now,
                                       closed=closed)
            if any(p.on_duty for p in people) or (comes is not None and comes.date() == today):
                continue  # someone of the section is here or still comes today: the visitor may be seen
        holder = holders.find(conn, view.card_no)
        phone = holder.phone if holder is not None else ""
        store.set_case(conn, case_id, status=CaseStatus.IN_PROGRESS.value)
        events.append(conn, EventKind.QUEUE_LEFT, now, staff_id=staff_id, case_id=case_id, card_no=view.card_no,
                      reason="日终仍未分配洽谈室", section=section)
        left.append(Callback(view.case_no, mask_name(view.holder_name), mask_phone(phone) if phone else "",
                             view.opened_at, section))
    return left


@dataclass(frozen=True)
class CallbackEntry:
    """One line of the call-back list for the phone desk: the name and phone whole, since the task is
    to call (the sweep's own list stays masked: it goes to logs)."""

    case_no: str
    name: str
    card_no: str
    phone: str
    left_at: dt.datetime  # UTC, when the case left the queue
    section: str


def callbacks(svc: Services, day: dt.date) -> list[CallbackEntry]:
    """Who left the queue unserved on the hall-local ``day`` (``queue_left`` events), oldest first."""
    tz = svc.settings.hall.tz
    start = dt.datetime.combine(day, dt.time(), tz)
    end = start + dt.timedelta(days=1)
    out: list[CallbackEntry] = []
    with svc.db.read() as conn:
        for event in events.of_kind_between(conn, EventKind.QUEUE_LEFT, start, end):
            view = case_at(conn, event.case_id) if event.case_id is not None else None
            if view is None:
                continue
            holder = holders.find(conn, view.card_no)
            out.append(CallbackEntry(view.case_no, view.holder_name, view.card_no,
                                     holder.phone if holder is not None else "", event.at,
                                     str(event.details.get("section", ""))))
    return out
