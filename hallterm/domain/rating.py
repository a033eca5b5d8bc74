"""好差评 (国办发〔2019〕51号; research/domain.md §3): the five levels, the reasons of a low rating, and the
follow-up (整改) a low rating opens, with its deadlines in working days (Liaoning: call back and verify
within 1 working day, put right within 15).

Pure: no I/O, no clock reads. The rater is anonymous (51号: the rater's identity is protected), so
nothing here carries a name or an ID: a rating is a level, an optional reason and the case it is of.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from hallterm.domain.errors import Refused
from hallterm.domain.workdays import WorkCalendar


class RatingRefused(Refused):
    """A rating or a follow-up step that cannot be taken; ``str()`` says why and what to do."""


class Level(IntEnum):
    """The five levels of 51号, with the key the visitor presses (5 = best)."""

    VERY_SATISFIED = 5
    SATISFIED = 4
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def label(self) -> str:
        return LEVEL_NAMES[self]

    @property
    def is_poor(self) -> bool:
        """差评 = 不满意 + 非常不满意 (research/domain.md §3): it opens a follow-up."""
        return self <= Level.DISSATISFIED


LEVEL_NAMES: dict[Level, str] = {
    Level.VERY_SATISFIED: "非常满意",
    Level.SATISFIED: "满意",
    Level.BASICALLY_SATISFIED: "基本满意",
    Level.DISSATISFIED: "不满意",
    Level.VERY_DISSATISFIED: "非常不满意",
}

# The short list a visitor may pick from after a low rating (the offline indicators of 51号: efficiency,
# attitude, and the two complaints a hall hears most). Code → what the pad shows; codes are stored.
REASONS: dict[str, str] = {
    "slow": "办事效率低",
    "attitude": "态度不好",
    "materials": "材料要求多",
    "trips": "多次跑动",
    "other": "其他",
}


def level_of(value: int | str) -> Level:
    """The level of a key pressed or a stored number; anything else is refused."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 5:
        raise RatingRefused(f"评价等级应为 1–5（5 非常满意 … 1 非常不满意），而不是 {text!r}")
    return Level(int(text))


def check_reason(level: Level, reason: str) -> str:
    """The reason to store: one of REASONS for a low rating, or none. A reason is never asked of a good one."""
    reason = reason.strip()
    if not reason:
        return ""
    if not level.is_poor:
        raise RatingRefused(f"只有“不满意”“非常不满意”可以选择原因；“{level.label}”无需原因")
    if reason not in REASONS:
        raise RatingRefused(f"原因应从列表中选择（{'、'.join(REASONS.values())}），而不是 {reason!r}")
    return reason


class FollowUpKind(StrEnum):
    """The two tasks a 差评 opens (辽宁省政务服务“好差评”管理办法): each has its own owner and deadline."""

    CALL_BACK = "call_back"  # 回访核实: call the visitor back and verify the complaint
    PUT_RIGHT = "put_right"  # 整改: put right what was wrong

    @property
    def label(self) -> str:
        return FOLLOW_UP_NAMES[self]


FOLLOW_UP_NAMES: dict[FollowUpKind, str] = {
    FollowUpKind.CALL_BACK: "回访核实",
    FollowUpKind.PUT_RIGHT: "整改",
}


@dataclass(frozen=True)
class FollowUpPlan:
    kind: FollowUpKind
    due_on: dt.date
    estimated: bool  # past the hall's holiday data: counted Monday–Friday (the desk marks such dates)


def follow_up_plan(level: Level, rated_on: dt.date, calendar: WorkCalendar, *, call_back_days: int,
                   put_right_days: int) -> list[FollowUpPlan]:
    """The follow-ups a rating opens (none for a good one), each due so many working days after the
    rating's day (民法典 §201: the day itself is not counted; weekends and holidays are skipped)."""
    if not level.is_poor:
        return []
    plans = []
    for kind, days in ((FollowUpKind.CALL_BACK, call_back_days), (FollowUpKind.PUT_RIGHT, put_right_days)):
        due, estimated = calendar.add_working_days_estimated(rated_on, days)
        plans.append(FollowUpPlan(kind, due, estimated))
    return plans


def is_late(due_on: dt.date, today: dt.date, closed_on: dt.date | None = None) -> bool:
    """Late: still open after its due day, or closed after it."""
    return (closed_on or today) > due_on


def check_note(note: str) -> str:
    """A follow-up closes only with a note saying what was done (S10: work is checked, so it is written)."""
    note = note.strip()
    if not note:
        raise RatingRefused("办结整改须填写处理情况（如何回访、如何整改），请填写后再办结")
    if len(note) > 500:
        raise RatingRefused(f"处理情况最多 500 字（现为 {len(note)} 字），请精简后再办结")
    return note


# --- which hand-out the pad may rate ---------------------------------------------------------------


@dataclass(frozen=True)
class HandOut:
    """One hand-out at a counter, as the events log recorded it (event id and time only)."""

    event_id: int
    at: dt.datetime


def rateable(hand_outs: list[HandOut], rated: set[int], now: dt.datetime, *, replace_after: dt.timedelta,
             max_age: dt.timedelta) -> HandOut | None:
    """The one hand-out at a counter a rating is taken for now (一次一评), or None.

    The newest unrated hand-out, except that one shown a moment ago keeps the pad while the next is
    younger than ``replace_after``: a visitor still pressing keys is not cut off by the next hand-out.
    An older one is refused (the visitor has gone), and so is one older than ``max_age``. This is what
    the pad shows and what ``rate`` accepts, so staff cannot rate an earlier visitor's hand-out later.
    """
    recent = sorted((h for h in hand_outs if now - h.at <= max_age), key=lambda h: h.event_id)
    for n, hand_out in enumerate(recent):
        later = recent[n + 1:]
        if hand_out.event_id in rated or (later and now - later[0].at >= replace_after):
            continue  # rated already, or a newer hand-out has taken over the pad
        return hand_out
    return None


def replaced_at(hand_outs: list[HandOut], shown: HandOut, *, replace_after: dt.timedelta) -> dt.datetime | None:
    """When the next hand-out takes over from ``shown`` (None while there is none): the pad looks again then."""
    later = [h for h in hand_outs if h.event_id > shown.event_id]
    return min(h.at for h in later) + replace_after if later else None
