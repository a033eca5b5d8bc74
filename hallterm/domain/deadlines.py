"""When an accepted item is due, and whether it is late (S6, S10).

S6: each item finishes within its promised working days (≤ 5) from acceptance, the start day not
counted. Time spent in a clock-exempt special procedure (专家评审, 现场勘验, 中介服务, 转报上级, 听证 …,
行政许可法 §45; ``SPECIAL_PROCEDURES``) is not counted: each pause has a start and an end date, and
the working days inside a pause (both ends included) do not use up the promised days. A pause that
is still running is counted up to ``as_of`` (today), so the due date moves on each day it lasts.

Past the holiday data the count assumes Monday–Friday less the certain statutory holidays
(``statutory_holidays``) and the result says ``estimated`` (估算).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from hallterm.domain.errors import Refused
from hallterm.domain.reference import SPECIAL_PROCEDURES
from hallterm.domain.workdays import ONE_DAY, WorkCalendar

DUE_SOON_WORKING_DAYS = 2  # alert the coordinator when the due date is this close (research/domain.md §8)


class DeadlineError(Refused, ValueError):
    """A pause or a promise that cannot stand; ``str()`` says why in Chinese."""


@dataclass(frozen=True)
class Pause:
    """One clock-exempt special procedure run (research/domain.md §7.8)."""

    procedure: str  # a SPECIAL_PROCEDURES code
    start: dt.date
    end: dt.date | None = None  # None: still running

    @property
    def name(self) -> str:
        return SPECIAL_PROCEDURES.get(self.procedure, self.procedure)

    @property
    def running(self) -> bool:
        return self.end is None


@dataclass(frozen=True)
class Deadline:
    accepted_on: dt.date
    promised_days: int
    due: dt.date
    paused_working_days: int  # working days the pauses added
    estimated: bool  # the count ran past the holiday data (估算)
    paused: bool  # a special procedure is running as of the computation


class DeadlineStatus(StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"  # ≤ DUE_SOON_WORKING_DAYS working days left
    OVERDUE = "overdue"
    PAUSED = "paused"  # a special procedure is running: the clock is stopped


STATUS_NAMES = {DeadlineStatus.ON_TRACK: "正常", DeadlineStatus.DUE_SOON: "即将到期",
                DeadlineStatus.OVERDUE: "已超期", DeadlineStatus.PAUSED: "暂停计时"}


@dataclass(frozen=True)
class DeadlineState:
    status: DeadlineStatus
    working_days_left: int  # working days in (today, due]; negative: working days overdue
    estimated: bool

    @property
    def name(self) -> str:
        return STATUS_NAMES[self.status] + ("（估算）" if self.estimated else "")


def check_pauses(accepted_on: dt.date, pauses: Iterable[Pause]) -> tuple[Pause, ...]:
    """Refuse unknown procedures and impossible dates, with a Chinese message."""
    out = tuple(pauses)
    for pause in out:
        if pause.procedure not in SPECIAL_PROCEDURES:
            raise DeadlineError(f"未知的特殊程序 {pause.procedure}（可用：{', '.join(SPECIAL_PROCEDURES)}）")
        if pause.start < accepted_on:
            raise DeadlineError(f"{pause.name}开始日期 {pause.start:%Y-%m-%d} 早于受理日期 {accepted_on:%Y-%m-%d}")
        if pause.end is not None and pause.end < pause.start:
            raise DeadlineError(f"{pause.name}结束日期 {pause.end:%Y-%m-%d} 早于开始日期 {pause.start:%Y-%m-%d}")
    return out


def due_date(cal: WorkCalendar, accepted_on: dt.date, promised_days: int, pauses: Iterable[Pause] = (),
             *, as_of: dt.date | None = None) -> Deadline:
    """The promised_days-th working day after ``accepted_on`` that is not inside a pause.

    ``as_of`` bounds a running pause (required when one is running). A 即办件 (0 days) is due on the
    day of acceptance. Pauses after the due date extend nothing: the clock had already run out.
    """
    if promised_days < 0:
        raise DeadlineError(f"承诺时限不能为负数：{promised_days}")
    runs = check_pauses(accepted_on, pauses)
    if any(p.running for p in runs) and as_of is None:
        raise DeadlineError("有正在进行的特殊程序，计算期限需给出当天日期")
    spans = [(p.start, p.end or max(p.start, as_of or p.start)) for p in runs]
    paused_now = as_of is not None and any(p.running and p.start <= as_of for p in runs)
    day, counted, paused_days, estimated = accepted_on, 0, 0, False
    while counted < promised_days:
        day += ONE_DAY
        info = cal.day(day, estimate=True)
        estimated = estimated or info.estimated
        if not info.working:
            continue
        if any(start <= day <= end for start, end in spans):
            paused_days += 1
        else:
            counted += 1
    return Deadline(accepted_on, promised_days, day, paused_days, estimated, paused_now)


def classify(cal: WorkCalendar, deadline: Deadline, today: dt.date) -> DeadlineState:
    """Overdue, due soon (≤ 2 working days left), on track, or paused, as seen on ``today``."""
    left, estimated = cal.working_days_between_estimated(today, deadline.due)
    estimated = estimated or deadline.estimated
    if today > deadline.due:
        return DeadlineState(DeadlineStatus.OVERDUE, left, estimated)
    if deadline.paused:
        return DeadlineState(DeadlineStatus.PAUSED, left, estimated)
    if left <= DUE_SOON_WORKING_DAYS:
        return DeadlineState(DeadlineStatus.DUE_SOON, left, estimated)
    return DeadlineState(DeadlineStatus.ON_TRACK, left, estimated)
