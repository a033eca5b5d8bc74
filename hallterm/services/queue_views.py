"""What the counter screen and the hall display read: the counter's board, transfer choices, and the
display's snapshot of recent calls and waiting counts (S6, S9; issue 5). Read-only: every call is one
read transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from hallterm.config import Settings
from hallterm.domain.ids import mask_name
from hallterm.domain.queue import (
    ENDED_CALL_NAMES,
    KIND_NAMES,
    LANE_NAMES,
    Lane,
    TicketKind,
    TicketStatus,
    call_is_live,
    lane,
)
from hallterm.domain.routing import LoungeLoad
from hallterm.services.context import Services
from hallterm.services.day_end import closed_days
from hallterm.services.ticket_view import CALL_EVENTS, TicketView, _counter, _ordered, _view, _waiting, policy
from hallterm.storage import cases as case_store
from hallterm.storage import events, live
from hallterm.storage import tickets as store
from hallterm.storage.live import Watcher
from hallterm.storage.tickets import CounterRow, TicketRow

# --- what the counter screen shows ---------------------------------------------------------------


@dataclass(frozen=True)
class CounterBoard:
    counter: CounterRow
    current: TicketView | None  # the ticket this counter called and has not closed
    waiting: list[TicketView]  # in this counter's call order: the first is "call next"
    held: list[TicketView]
    others: int  # tickets transferred to other counters (not callable here)
    last_event_id: int
    counter_names: dict[str, str] = field(default_factory=dict)  # code → name, for the held list (G1 → 绿色通道1号窗口)


def counter_board(svc: Services, counter_code: str) -> CounterBoard:
    with svc.db.read() as conn:
        counter = _counter(conn, counter_code)
        day = svc.today()
        last = events.last_id(conn)
        current = store.called_at_counter(conn, day, counter.code)
        waiting_rows = store.with_status(conn, day, [TicketStatus.WAITING.value])
        ordered = _ordered(svc, conn, counter.code)
        held = store.with_status(conn, day, [TicketStatus.HELD.value])
    now, pol = svc.now(), policy(svc)
    waiting = [_view(r, lane_name=LANE_NAMES[lane(_waiting(svc, r), now, pol)] if r.for_counter is None
                     else "转给本窗口") for r in ordered]
    if waiting and waiting[0].lane == "" and any(w.lane == LANE_NAMES[Lane.DUE] for w in waiting[1:]):
        waiting[0] = _with_lane(waiting[0], "按比例轮到现场")
    return CounterBoard(counter, _view(current) if current else None, waiting, [_view(r) for r in held],
                        len(waiting_rows) - len(ordered), last)


def _with_lane(view: TicketView, name: str) -> TicketView:
    return dataclasses.replace(view, lane=name)


def green_counters(svc: Services) -> list[CounterRow]:
    """The counters a green-channel desk can sit at."""
    with svc.db.read() as conn:
        return store.counters_of_kind(conn, "green")


@dataclass(frozen=True)
class TransferOptions:
    counters: list[CounterRow]
    lounges: list[LoungeLoad]
    coordinators: list  # StaffLoad, on duty first


def transfer_options(svc: Services, counter_code: str) -> TransferOptions:
    local_now = svc.now().astimezone(svc.settings.hall.tz)
    with svc.db.read() as conn:
        counters = [c for c in store.counters_of_kind(conn, "green") if c.code != counter_code]
        lounges = case_store.lounge_loads(conn)
        people = case_store.staff_loads(conn, section=None, roles=("coordinator",), local_now=local_now,
                                        closed=closed_days(svc))
    people.sort(key=lambda s: (not s.on_duty, s.active_cases, s.staff_id))
    return TransferOptions(counters, lounges, people)


def last_event_id(svc: Services) -> int:
    with svc.db.read() as conn:
        return events.last_id(conn)


def watch_changes(settings: Settings) -> Watcher | None:
    """A watcher telling the display the moment another connection commits (issue 17 point 2)."""
    return live.open_watcher(settings.db.url)


# --- what the display shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class CallShown:
    event_id: int
    number: str
    place: str
    name: str  # masked: 张*明 (DESIGN.md: personal data is minimised)
    recall: bool
    status: TicketStatus = TicketStatus.CALLED  # the ticket's status now
    live: bool = True  # the call still invites the visitor: not finished, not 过号, not held

    @property
    def no_show(self) -> bool:
        return self.status is TicketStatus.NO_SHOW

    @property
    def ended(self) -> str:
        """What became of a call that no longer invites anyone: 已过号, 已办结… ("" while live)."""
        return "" if self.live else ENDED_CALL_NAMES[self.status]


@dataclass(frozen=True)
class SeriesWaiting:
    series: str
    label: str
    waiting: int


@dataclass(frozen=True)
class DisplaySnapshot:
    last_event_id: int
    day: dt.date
    calls: list[CallShown]  # newest first; calls[0] is shown large (marked 已过号… once it ended)
    waiting: list[SeriesWaiting]
    lounges: list[LoungeLoad]


RECENT_CALLS = 6


def display_snapshot(svc: Services) -> DisplaySnapshot:
    """Everything the hall display shows, from one read transaction: no names unmasked, no ID numbers."""
    q = svc.settings.queue
    day = svc.today()
    tz = svc.settings.hall.tz
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(dt.UTC)
    with svc.db.read() as conn:
        last = events.last_id(conn)
        raw = store.call_events(conn, CALL_EVENTS, midnight, 60)
        counts = store.waiting_counts(conn, day)
        lounges = case_store.lounge_loads(conn)
        shown: list[tuple[int, dict, TicketRow | None]] = []
        seen: set[int] = set()
        for event_id, details in raw:
            tid = details.get("ticket_id")
            if not details.get("announce", True) or tid in seen:
                continue
            seen.add(tid)
            # The ticket as it is now: a call made before a 过号 or a finish must not stay an invitation.
            shown.append((event_id, details, store.get(conn, tid) if tid else None))
            if len(shown) == RECENT_CALLS:
                break
    calls: list[CallShown] = []
    for event_id, details, row in shown:
        status = TicketStatus(row.status) if row is not None else TicketStatus.CALLED
        transfer = "target_kind" in details  # a ticket_transferred event: sent to a lounge or a coordinator
        calls.append(CallShown(event_id, str(details.get("number", "")), str(details.get("place", "")),
                               mask_name(row.holder_name) if row is not None and row.holder_name else "",
                               "recalls" in details, status, call_is_live(status, transfer=transfer)))
    waiting = [SeriesWaiting(q.walkin_series, KIND_NAMES[TicketKind.WALKIN], counts.get(q.walkin_series, 0)),
               SeriesWaiting(q.appointment_series, KIND_NAMES[TicketKind.APPOINTMENT],
                             counts.get(q.appointment_series, 0))]
    waiting += [SeriesWaiting(s, "", n) for s, n in sorted(counts.items())
                if s not in (q.walkin_series, q.appointment_series)]  # a series renamed today keeps its count
    return DisplaySnapshot(last, day, calls, waiting, lounges)
