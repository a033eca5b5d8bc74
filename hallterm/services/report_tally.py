"""What the supervision report adds up (issue 14; S10): who is whose (a person's section, which rows a
section's report keeps) and what one section or one person adds up to (the breakdown's columns, medians and
90th percentiles). The definitions of the figures are in ``services.report``'s docstring.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass

from hallterm.domain.queue import AppointmentStatus
from hallterm.domain.report import Column, rate
from hallterm.storage import report_queries as q

UNASSIGNED = "未分配"
NO_SECTION = "未指定科室"
# The roles a figure can hold responsible: a case's coordinator, else its proxy (帮办代办), and the owner of a
# proxy task. The desk and after-hours staff open cases and take tickets but are never a case's responsible
# person, so a row of theirs would read as idleness where there is nothing they could have done; they appear
# in by_person only when a figure names them (a 差评 follow-up given to them).
RESPONSIBLE_ROLES = ("coordinator", "proxy")
KEPT, MISSED = AppointmentStatus.CHECKED_IN.value, AppointmentStatus.MISSED.value


# The per-section and per-person columns (the same figures, broken down).
BREAKDOWN: tuple[Column, ...] = (
    Column("cases_opened", "受理案件"),
    Column("cases_closed", "办结案件"),
    Column("items_decided", "办结事项"),
    Column("items_on_time", "按时办结事项"),
    Column("on_time_rate", "按时办结率", "rate"),
    Column("overdue_items", "超期未办结事项"),
    Column("arrival_to_lounge_p50_min", "到达至入洽谈室中位数（分钟）", "minutes"),
    Column("lounge_to_met_p50_min", "入洽谈室至接待中位数（分钟）", "minutes"),
    Column("wait_p50_min", "等候时间中位数（分钟）", "minutes"),
    Column("wait_p90_min", "等候时间90%分位（分钟）", "minutes"),
    Column("conditional_outstanding", "容缺待补正"),
    Column("conditional_supplemented", "容缺按期补正"),
    Column("conditional_breached", "容缺逾期未补正"),
    Column("appointments_kept", "预约到场"),
    Column("appointments_missed", "预约爽约"),
    Column("ratings_total", "评价数"),
    Column("satisfaction_rate", "满意率", "rate"),
    Column("bad_ratings", "差评"),
    Column("follow_ups_late", "差评整改逾期"),
    Column("follow_ups_overdue_now", "差评整改逾期未办"),
    Column("proxy_open", "代办任务在办"),
    Column("proxy_done_on_time", "代办按期完成"),
    Column("proxy_late", "代办逾期"),
    Column("proxy_overdue_now", "代办逾期未完成"),
)
_COUNTS = [c.key for c in BREAKDOWN if c.unit == "count"]


@dataclass
class Tally:
    """What one section or one person adds up to."""

    counts: Counter[str]
    waits: list[float]
    to_lounge: list[float]
    lounge_to_met: list[float]
    levels: Counter[int]

    @classmethod
    def new(cls) -> Tally:
        return cls(Counter(), [], [], [], Counter())

    def row(self, *, appointments: bool = True) -> tuple[object, ...]:
        """The BREAKDOWN columns, in their order."""
        values = self.values(appointments=appointments)
        return tuple(values[c.key] for c in BREAKDOWN)

    def values(self, *, appointments: bool = True) -> dict[str, object]:
        c = self.counts
        ratings_total = sum(self.levels.values())
        out: dict[str, object] = {k: c[k] for k in _COUNTS}
        out.update(
            on_time_rate=rate(c["items_on_time"], c["items_decided"]),
            arrival_to_lounge_p50_min=median(self.to_lounge), lounge_to_met_p50_min=median(self.lounge_to_met),
            wait_p50_min=median(self.waits), wait_p90_min=p90(self.waits),
            ratings_total=ratings_total,
            # 好差评 practice: everything that is no 差评 is satisfied (基本满意 included)
            satisfaction_rate=rate(self.levels[3] + self.levels[4] + self.levels[5], ratings_total),
            bad_ratings=self.levels[1] + self.levels[2],
        )
        if not appointments:
            out.update(appointments_kept=None, appointments_missed=None)
        return out


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(1, math.ceil(0.9 * len(ordered))) - 1], 1)


class Scope:
    """Sections and people: who is whose, and which rows a section's report keeps."""

    def __init__(self, people: dict[str, q.StaffInfo], section: str | None) -> None:
        self.people, self.section = people, section

    def section_of(self, person: str | None) -> str:
        if person is None:
            return UNASSIGNED
        info = self.people.get(person)
        return info.section if info else UNASSIGNED

    def keeps(self, person: str | None) -> bool:
        return self.section is None or self.section_of(person) == self.section

    def name(self, person: str | None) -> str:
        if person is None:
            return ""
        info = self.people.get(person)
        return info.name if info else person

    def persons(self) -> list[str | None] | None:
        """The people of the section (for the drill-down's SQL), None for the whole hall."""
        if self.section is None:
            return None
        out: list[str | None] = [p for p, info in self.people.items() if info.section == self.section]
        if self.section == UNASSIGNED:
            out.append(None)
        return out


def wanted(person: str | None, persons: list[str | None] | None) -> bool:
    """A row of ``persons`` (all rows when None: the whole hall)."""
    return persons is None or person in persons
