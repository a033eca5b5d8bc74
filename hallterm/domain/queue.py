"""The walk-in queue: ticket numbers, the calling order and what each counter action may do.

Pure rules (no database, no clock reads: the caller passes the time). The policy behind them:
S4 (card holders are received by a named person and go first), S6 (walk-ins served at once,
appointments kept), S9 (the green-channel counter sends the visitor on to a 2nd-floor lounge).
What other queue systems do, and what their users complain of, is in research/queues.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from hallterm.domain.errors import Refused
from hallterm.domain.floors import floor_name


class QueueError(Refused, ValueError):
    """A counter action that cannot be done now; ``str()`` says why, in Chinese."""


class TicketStatus(StrEnum):
    WAITING = "waiting"  # in the queue (also after a hold: back at the front)
    CALLED = "called"  # on the display; the visitor is on the way or at the counter
    HELD = "held"  # 挂起: the visitor went to fetch papers and keeps the place (ZMS "pending")
    FINISHED = "finished"
    NO_SHOW = "no_show"  # 过号
    TRANSFERRED = "transferred"  # sent on to a lounge or a coordinator (S9)


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"  # a ticket was issued for it
    CANCELLED = "cancelled"
    MISSED = "missed"


class TicketKind(StrEnum):
    WALKIN = "walkin"
    APPOINTMENT = "appointment"


STATUS_NAMES = {
    TicketStatus.WAITING: "等候",
    TicketStatus.CALLED: "已叫号",
    TicketStatus.HELD: "暂挂（补材料）",
    TicketStatus.FINISHED: "已办结",
    TicketStatus.NO_SHOW: "过号",
    TicketStatus.TRANSFERRED: "已转移",
}
KIND_NAMES = {TicketKind.WALKIN: "现场", TicketKind.APPOINTMENT: "预约"}
OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.HELD)

_SPOKEN_DIGITS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))


def ticket_number(series: str, seq: int) -> str:
    """``A017``: the series letter and the day's number, 3 digits (a 1000th ticket reads A1000, never A000)."""
    if seq < 1:
        raise ValueError("ticket numbers start at 1")
    return f"{series}{seq:03d}"


def sequence_key(series: str) -> str:
    """The counter row of a ticket series (the ``sequences`` table also numbers cases)."""
    return f"ticket-{series}"


def lounge_place(floor: int, name: str) -> str:
    """Where the display sends a visitor: 二楼业务洽谈室2 (S9)."""
    return f"{floor_name(floor)}{name}"


def speech_text(template: str, number: str, place: str) -> str:
    """请A零一七号到绿色通道1号窗口: the number is read digit by digit, as halls announce it."""
    spoken = "".join(_SPOKEN_DIGITS.get(ch, ch) for ch in number)
    return template.format(number=spoken, place=place)


# --- the calling order ------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A ticket waiting to be called, with what the order depends on (times are aware)."""

    id: int
    number: str
    kind: TicketKind
    issued_at: dt.datetime
    slot_start: dt.datetime | None = None  # appointments: the booked slot
    slot_end: dt.datetime | None = None
    returned_at: dt.datetime | None = None  # back from a hold or a transfer: goes to the front
    for_counter: str | None = None  # transferred to that counter: only it calls the ticket


@dataclass(frozen=True)
class CallPolicy:
    ratio: int = 0  # after this many appointment calls in a row, one waiting walk-in goes first (0: never)
    early_minutes: int = 15  # an appointment is due this long before its slot starts


class Lane(StrEnum):
    """Why a ticket stands where it stands; the first lane is called first."""

    FRONT = "front"  # back from a hold, or transferred to this counter
    DUE = "due"  # appointment whose slot has come (S6: appointments are kept)
    WALKIN = "walkin"  # walk-ins in the order they came; late appointments join them
    EARLY = "early"  # appointment checked in long before its slot: called when nobody else waits


LANE_NAMES = {Lane.FRONT: "回到队首", Lane.DUE: "预约到时", Lane.WALKIN: "", Lane.EARLY: "预约未到时"}


def lane(ticket: Waiting, now: dt.datetime, policy: CallPolicy) -> Lane:
    if ticket.returned_at is not None:
        return Lane.FRONT
    if ticket.kind is TicketKind.APPOINTMENT and ticket.slot_start is not None:
        if ticket.slot_end is not None and ticket.issued_at > ticket.slot_end:
            return Lane.WALKIN  # checked in after the slot ended: served as a walk-in (Qmatic's late rule)
        if now >= ticket.slot_start - dt.timedelta(minutes=policy.early_minutes):
            return Lane.DUE
        return Lane.EARLY
    return Lane.WALKIN


def call_order(waiting: Sequence[Waiting], *, now: dt.datetime, counter: str, policy: CallPolicy,
               recent_kinds: Sequence[TicketKind] = ()) -> list[Waiting]:
    """The order in which ``counter`` calls the waiting tickets: its first one is "call next".

    Returned tickets first (a hold keeps the place), then due appointments by slot, then walk-ins by
    arrival, then appointments not yet due. ``recent_kinds`` are the kinds of the hall's last first
    calls, newest first: with a ratio N, after N appointments in a row the first walk-in goes next, so
    walk-ins are never starved (research/queues.md: "2 conventional to 1 priority"). Tickets
    transferred to another counter are left out.
    """
    mine = [t for t in waiting if t.for_counter in (None, counter)]
    lanes = {t.id: lane(t, now, policy) for t in mine}
    never = dt.datetime.min.replace(tzinfo=dt.UTC)

    def key(t: Waiting) -> tuple:
        where = lanes[t.id]
        rank = list(Lane).index(where)
        if where is Lane.FRONT:
            return (rank, t.for_counter is None, t.returned_at or never, t.id)
        if where in (Lane.DUE, Lane.EARLY):
            return (rank, t.slot_start or never, t.issued_at, t.id)
        return (rank, t.issued_at, t.id)

    ordered = sorted(mine, key=key)
    if policy.ratio > 0 and len(recent_kinds) >= policy.ratio \
            and all(k is TicketKind.APPOINTMENT for k in recent_kinds[:policy.ratio]):
        walkin = next((t for t in ordered if lanes[t.id] is Lane.WALKIN), None)
        first_due = next((i for i, t in enumerate(ordered) if lanes[t.id] is Lane.DUE), None)
        if walkin is not None and first_due is not None:
            ordered.remove(walkin)
            ordered.insert(first_due, walkin)
    return ordered


# --- counter actions ----------------------------------------------------------------------------


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    NO_SHOW = "no_show"
    HOLD = "hold"
    RETURN = "return"
    TRANSFER = "transfer"
    FINISH = "finish"


ACTION_NAMES = {Action.CALL: "叫号", Action.RECALL: "重呼", Action.NO_SHOW: "过号", Action.HOLD: "暂挂",
                Action.RETURN: "回到队首", Action.TRANSFER: "转移", Action.FINISH: "办结"}

# Which status each action starts from.
_FROM = {
    Action.CALL: (TicketStatus.WAITING,),
    Action.RECALL: (TicketStatus.CALLED,),
    Action.NO_SHOW: (TicketStatus.CALLED,),
    Action.HOLD: (TicketStatus.CALLED,),
    Action.RETURN: (TicketStatus.HELD,),
    Action.TRANSFER: (TicketStatus.CALLED,),
    Action.FINISH: (TicketStatus.CALLED,),
}


def check_action(action: Action, number: str, status: str, *, called_here: bool = True) -> None:
    """Raise QueueError unless ``action`` may be done on a ticket in ``status`` at this counter."""
    current = TicketStatus(status)
    if current not in _FROM[action]:
        if action is Action.CALL:
            raise QueueError(f"{number} 号{STATUS_NAMES[current]}，不能再叫号（可能已被其他窗口叫走）")
        if action is Action.RETURN:
            raise QueueError(f"{number} 号不在暂挂中，无需回到队首")
        raise QueueError(f"{number} 号{STATUS_NAMES[current]}，不能{ACTION_NAMES[action]}：只能对本窗口已叫的号操作")
    if action not in (Action.CALL, Action.RETURN) and not called_here:
        raise QueueError(f"{number} 号是其他窗口叫的，请由该窗口{ACTION_NAMES[action]}")


@dataclass(frozen=True)
class RecallDecision:
    no_show: bool
    recalls: int  # after this action
    message: str


def decide_recall(number: str, recalls: int, limit: int) -> RecallDecision:
    """Recall at most ``limit`` times (ZMS callCountMax 3); the next recall marks the ticket 过号."""
    if recalls >= limit:
        return RecallDecision(True, recalls, f"{number} 号已重呼 {recalls} 次未到，按过号处理")
    return RecallDecision(False, recalls + 1, f"已重呼 {number} 号（第 {recalls + 1} 次，最多 {limit} 次）")


# --- what the hall display says about a call ---------------------------------------------------


def call_is_live(status: str, *, transfer: bool) -> bool:
    """Whether a call on the display still invites its visitor.

    A counter's call (or recall) does while the ticket is still called there; once it is finished,
    过号, held or sent back to wait, the number must not stay up as an invitation. A transfer to a
    lounge or a coordinator ends the ticket at once, yet its call stays valid: the visitor goes there.
    """
    current = TicketStatus(status)
    return current is (TicketStatus.TRANSFERRED if transfer else TicketStatus.CALLED)


# What the display says of a call that no longer invites anyone (the hall reads it from afar).
ENDED_CALL_NAMES = {
    TicketStatus.NO_SHOW: "已过号",
    TicketStatus.FINISHED: "已办结",
    TicketStatus.HELD: "暂挂（补材料）",
    TicketStatus.WAITING: "等候再次叫号",
    TicketStatus.CALLED: "",
    TicketStatus.TRANSFERRED: "",
}


class TargetKind(StrEnum):
    COUNTER = "counter"
    LOUNGE = "lounge"
    COORDINATOR = "coordinator"


TARGET_NAMES = {TargetKind.COUNTER: "窗口", TargetKind.LOUNGE: "洽谈室", TargetKind.COORDINATOR: "协调员"}


@dataclass(frozen=True)
class Target:
    """Where a transferred visitor goes: another counter (back to the front of its queue), a lounge
    or a coordinator (S9: the counter hands the card holder on)."""

    kind: TargetKind
    code: str


def check_transfer(target: Target, from_counter: str) -> None:
    if target.kind is TargetKind.COUNTER and target.code == from_counter:
        raise QueueError("不能转移到本窗口")
    if not target.code:
        raise QueueError("请选择转移到的窗口、洽谈室或协调员")
