"""A ticket as the counter screen shows it, and the call order the counter and its board share (S6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

from hallterm.domain.events import EventKind
from hallterm.domain.queue import KIND_NAMES, CallPolicy, QueueError, TicketKind, TicketStatus, Waiting, call_order
from hallterm.services.context import Services
from hallterm.storage import tickets as store
from hallterm.storage.tickets import CounterRow, TicketRow

# Events the display shows as calls; a transfer to a counter is not announced (the next counter calls).
CALL_EVENTS = (EventKind.TICKET_CALLED, EventKind.TICKET_RECALLED, EventKind.TICKET_TRANSFERRED)
@dataclass(frozen=True)
class TicketView:
    """A ticket as the counter screen shows it."""

    id: int
    number: str
    kind: TicketKind
    status: TicketStatus
    holder_name: str | None
    issued_at: dt.datetime
    called_at: dt.datetime | None
    counter_code: str | None
    recalls: int
    slot: str = ""  # "10:30–11:00" for appointments
    lane: str = ""  # why it stands where it stands (回到队首, 预约到时…)
    ahead: int | None = None  # waiting before it, when just issued
    message: str = ""  # what the action did, for the notice line
    card_no: str = ""  # the holder's card ("" for a ticket taken without one)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


def _slot(row: TicketRow) -> tuple[str | None, str | None]:
    """The appointment's slot, for an appointment ticket only: a late visitor's walk-in ticket stays linked
    to the appointment it replaced (checked in, S6) but is called, shown and printed as a walk-in."""
    if TicketKind(row.kind) is not TicketKind.APPOINTMENT:
        return None, None
    return row.slot_start, row.slot_end


def _view(row: TicketRow, *, lane_name: str = "", ahead: int | None = None, message: str = "") -> TicketView:
    start, end = _slot(row)
    slot = f"{start}–{end}" if start else ""
    return TicketView(row.id, row.number, TicketKind(row.kind), TicketStatus(row.status), row.holder_name,
                      row.issued_at, row.called_at, row.counter_code, row.recalls, slot, lane_name, ahead, message,
                      row.card_no or "")


def policy(svc: Services) -> CallPolicy:
    q = svc.settings.queue
    return CallPolicy(ratio=q.call_ratio, early_minutes=q.appointment_early_minutes)


def _local(svc: Services, day: dt.date, hhmm: str | None) -> dt.datetime | None:
    if not hhmm:
        return None
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=svc.settings.hall.tz)


def _waiting(svc: Services, row: TicketRow) -> Waiting:
    start, end = _slot(row)
    return Waiting(row.id, row.number, TicketKind(row.kind), row.issued_at, _local(svc, row.day, start),
                   _local(svc, row.day, end), row.returned_at, row.for_counter)


def _ordered(svc: Services, conn: Connection, counter_code: str) -> list[TicketRow]:
    day = svc.today()
    rows = {r.id: r for r in store.with_status(conn, day, [TicketStatus.WAITING.value])}
    pol = policy(svc)
    recent = [TicketKind(k) for k in store.recent_first_call_kinds(conn, day, pol.ratio)]
    order = call_order([_waiting(svc, r) for r in rows.values()], now=svc.now(), counter=counter_code, policy=pol,
                       recent_kinds=recent)
    return [rows[w.id] for w in order]


def _counter(conn: Connection, code: str) -> CounterRow:
    row = store.counter(conn, code)
    if row is None:
        raise QueueError(f"窗口 {code} 不存在或已停用，请重新选择窗口")
    return row
