"""The responsibility list (责任清单, S10): who holds what now, and what is late.

S10: every task has a named responsible department and person, and the work is supervised. One
``Duty`` is one thing somebody must do for a case: the open case itself (its coordinator), each open
approval item (the approving section, followed by the case's coordinator), a 容缺 item's supplement
deadline (S7), a 帮办代办 task (S3) and a 差评 follow-up. A duty nobody holds is a finding in itself:
it reads 未指定责任人 and sorts with the late ones, where a supervisor looks first.

Pure: the rows come from ``services.responsibility``; lateness is counted in working days on the
``WorkCalendar`` given (S6), ``today`` is passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from hallterm.domain.workdays import ONE_DAY, WorkCalendar

UNASSIGNED = "未指定责任人"
# Who may see the list: the coordinators follow their section's, supervisors and admins the hall's (S10).
VIEW_ROLES = frozenset({"coordinator", "supervisor", "admin"})


class DutyKind(StrEnum):
    CASE = "case"  # 办件: the case's coordinator sees it through (S4, S9)
    ITEM = "item"  # 审批事项: the approving section, within the promised working days (S6)
    SUPPLEMENT = "supplement"  # 容缺补正: supplements owed by the deadline (S7)
    PROXY = "proxy"  # 帮办代办 task (S3)
    FOLLOW_UP = "follow_up"  # 差评 follow-up: call back, put right


KIND_NAMES = {
    DutyKind.CASE: "办件",
    DutyKind.ITEM: "审批事项",
    DutyKind.SUPPLEMENT: "容缺补正",
    DutyKind.PROXY: "帮办代办",
    DutyKind.FOLLOW_UP: "差评跟进",
}
# Within one case on one due date: the case first, then what it is made of.
_KIND_ORDER = {kind: n for n, kind in enumerate(DutyKind)}


@dataclass(frozen=True)
class Timing:
    """Where a due date stands on a day, in working days (S6)."""

    late: bool  # the due date has passed (a calendar day after it)
    late_days: int  # working days in (due, today]; 0 when not late (or late over a weekend only)
    days_left: int  # working days in (today, due]; 0 when due today or late
    estimated: bool  # the count ran past the holiday data (估算)


class WorkingDayCounter:
    """Working days between any two dates of one span, the calendar asked once per day of it.

    A hall's list holds cases opened years ago and never closed; counting each one's lateness day by day
    on its own took seconds on the bench's database. Here the span is walked once (prefix sums)."""

    def __init__(self, cal: WorkCalendar, start: dt.date, end: dt.date) -> None:
        self.start, self.end = start, end
        working, guessed = [0], [0]
        day = start
        while day < end:
            day += ONE_DAY
            info = cal.day(day, estimate=True)
            working.append(working[-1] + info.working)
            guessed.append(guessed[-1] + info.estimated)
        self._working, self._guessed = working, guessed

    def between(self, a: dt.date, b: dt.date) -> tuple[int, bool]:
        """Working days in (a, b] (a ≤ b, both in the span), and whether any of them was estimated."""
        i, j = (a - self.start).days, (b - self.start).days
        return self._working[j] - self._working[i], self._guessed[j] > self._guessed[i]


def timing(cal: WorkCalendar, due_on: dt.date | None, today: dt.date,
           counter: WorkingDayCounter | None = None) -> Timing | None:
    """None without a due date; otherwise how late, or how many working days are left."""
    if due_on is None:
        return None
    first, last = min(due_on, today), max(due_on, today)
    if counter is not None and counter.start <= first and last <= counter.end:
        days, estimated = counter.between(first, last)
    else:
        days, estimated = cal.working_days_between_estimated(first, last)
    if today > due_on:
        return Timing(True, days, 0, estimated)
    return Timing(False, 0, days, estimated)


@dataclass(frozen=True, slots=True)
class Duty:
    """One task held now. Names of card holders are already masked; staff names are not (S10 names them)."""

    kind: DutyKind
    what: str  # Chinese: the item, the task, the follow-up
    case_id: int
    case_no: str
    holder: str  # the card holder, masked (张*明)
    section: str  # the responsible department ("" when unknown)
    person_id: str | None  # None: nobody holds it (未指定责任人)
    person_name: str = ""
    person_section: str = ""  # the holder's own section, which may differ (a coordinator following an item)
    due_on: dt.date | None = None
    timing: Timing | None = None

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def unassigned(self) -> bool:
        return self.person_id is None

    @property
    def late(self) -> bool:
        return self.timing is not None and self.timing.late

    @property
    def flagged(self) -> bool:
        """What a supervisor must see first: late, or nobody responsible."""
        return self.late or self.unassigned

    @property
    def late_days(self) -> int | None:
        return self.timing.late_days if self.timing is not None and self.timing.late else None

    @property
    def person(self) -> str:
        if self.person_id is None:
            return UNASSIGNED
        return f"{self.person_name}（{self.person_id}）" if self.person_name else self.person_id

    @property
    def state(self) -> str:
        """In words, never by colour alone: 逾期3个工作日, 今日到期, 剩2个工作日, 未指定责任人 (S6: working days)."""
        parts = [UNASSIGNED] if self.unassigned else []
        timed = self._timing_words(short=False)
        if timed or not parts:
            parts.append(timed or "在办")
        return "，".join(parts)

    @property
    def short_state(self) -> str:
        """The timing alone, short for a narrow column whose heading gives the unit: 逾3工作日, 剩2工作日, 今日到期.
        Who holds it is said in its own column (未指定)."""
        return self._timing_words(short=True) or "在办"

    def _timing_words(self, *, short: bool) -> str:
        t = self.timing
        if t is None:
            return ""
        unit = "工作日" if short else "个工作日"
        if t.late:
            words = (f"逾{t.late_days}{unit}" if short else f"逾期{t.late_days}{unit}") if t.late_days else "已逾期"
        elif t.days_left == 0:
            words = "今日到期"
        else:
            words = f"剩{t.days_left}{unit}"
        if t.estimated:
            words += "(估)" if short else "（估算）"
        return words

    def timed(self, timing: Timing | None) -> Duty:
        """The same duty with its timing (``dataclasses.replace`` costs 3× this on a hall's 10,000 rows)."""
        return Duty(self.kind, self.what, self.case_id, self.case_no, self.holder, self.section, self.person_id,
                    self.person_name, self.person_section, self.due_on, timing)

    def in_section(self, section: str) -> bool:
        """The responsible department, or the responsible person's own section."""
        return section in (self.section, self.person_section)


def sort_key(duty: Duty) -> tuple[object, ...]:
    """Late or unassigned first; then the earliest due date (none last); then the case number."""
    return (not duty.flagged, duty.due_on is None, duty.due_on or dt.date.max, duty.case_no,
            _KIND_ORDER[duty.kind], duty.what)


def ordered(duties: Iterable[Duty]) -> tuple[Duty, ...]:
    return tuple(sorted(duties, key=sort_key))


def filtered(duties: Iterable[Duty], *, section: str | None = None, person: str | None = None) -> tuple[Duty, ...]:
    """Only a section's (as department or as the holder's section), only a person's (staff id)."""
    out = list(duties)
    if section:
        out = [d for d in out if d.in_section(section)]
    if person:
        wanted = person.strip().upper()
        out = [d for d in out if (d.person_id or "").upper() == wanted]
    return tuple(out)
