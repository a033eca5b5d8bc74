"""The supervision report's shape (S10; issue 14): periods, figures, tables and chart series.

Pure data: ``services.report`` fills it from the database, ``services.report_export`` writes it as
JSON, CSV and XLSX, and the supervisor's screen draws it. Every figure has a key (the JSON key an
inspector's script reads), a Chinese label and a unit; a figure that cannot be computed for the period
(no data: a rate over nothing) is ``None``, never 0 and never a division by zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Unit = Literal["count", "rate", "minutes", "text", "date", "day"]


@dataclass(frozen=True)
class Period:
    """Hall-local days ``start`` … ``end``, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends {self.end} before it starts {self.start}")

    @classmethod
    def day(cls, d: dt.date) -> Period:
        return cls(d, d)

    @classmethod
    def week_of(cls, d: dt.date) -> Period:
        """Monday to Sunday of the week holding ``d``."""
        monday = d - dt.timedelta(days=d.weekday())
        return cls(monday, monday + dt.timedelta(days=6))

    @classmethod
    def month_of(cls, d: dt.date) -> Period:
        first = d.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return cls(first, following - dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"


@dataclass(frozen=True)
class Figure:
    """One headline number of the report: its JSON key, what a supervisor reads, its unit."""

    key: str
    label: str
    unit: Unit
    drill: bool = True  # the supervisor's screen can list the cases behind it (``services.report.cases_behind``)
    as_of_now: bool = False  # counted as things stand now (open, outstanding), not as what happened in the period
    explain: str = ""  # one line in Chinese: how it is counted (the screen's F1, the workbook's overview)


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # Chinese header, as printed in CSV/XLSX and on screen
    unit: Unit = "count"


@dataclass(frozen=True)
class Table:
    """A named table of the report; ``rows`` hold plain values (int, float, str, date, None)."""

    key: str  # file name of its CSV, name of its sheet (ASCII)
    title: str  # Chinese: the sheet's title, the screen's heading
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]

    def as_dicts(self) -> list[dict[str, object]]:
        return [dict(zip((c.key for c in self.columns), row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Series:
    """Points for a small chart: (label, value) in display order; value None where nothing happened."""

    key: str
    title: str
    unit: Unit
    points: tuple[tuple[str, float | None], ...]


@dataclass(frozen=True)
class Report:
    period: Period
    section: str | None  # None: the whole hall
    generated_at: dt.datetime  # aware
    figures: Mapping[str, int | float | None]  # keys of FIGURES (and only those)
    ratings_by_level: Mapping[int, int]  # 5 非常满意 … 1 非常不满意 → count
    tables: tuple[Table, ...]
    series: tuple[Series, ...] = field(default=())

    @property
    def empty(self) -> bool:
        """Nothing happened in the period (the screen and the CLI say so rather than show zeros)."""
        return not any(v for k, v in self.figures.items() if FIGURE_BY_KEY[k].unit == "count")

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)


# The headline figures, in the order a supervisor reads them. The JSON's required keys (issue 14 point 1)
# are among them; ``ratings`` in the JSON is ``ratings_by_level`` plus the total.
FIGURES: tuple[Figure, ...] = (
    Figure("cases_opened", "受理案件", "count"),
    Figure("cases_closed", "办结案件", "count"),
    Figure("on_time_rate", "按时办结率", "rate"),
    Figure("overdue_items", "超期未办结事项", "count", as_of_now=True),
    Figure("wait_p50_min", "等候时间中位数（分钟）", "minutes", drill=False),
    Figure("wait_p90_min", "等候时间 90% 分位（分钟）", "minutes", drill=False),
    Figure("conditional_outstanding", "容缺待补正", "count", as_of_now=True),
    Figure("conditional_supplemented", "容缺按期补正", "count"),
    Figure("conditional_breached", "容缺逾期未补正", "count"),
    Figure("appointments_kept", "预约到场", "count"),
    Figure("appointments_missed", "预约爽约", "count"),
    Figure("tickets_issued", "排队取号", "count"),
    Figure("tickets_no_show", "叫号未到", "count"),
    Figure("ratings_total", "评价数", "count"),
    Figure("satisfaction_rate", "满意率", "rate", drill=False),
    Figure("bad_ratings", "差评", "count"),
    Figure("follow_ups_late", "差评整改逾期", "count"),
    Figure("proxy_open", "代办任务在办", "count", as_of_now=True),
    Figure("proxy_done_on_time", "代办按期完成", "count"),
    Figure("proxy_late", "代办逾期", "count"),
)
FIGURE_BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (issue 14 point 4: no division by zero)."""
    return None if whole == 0 else part / whole


@dataclass(frozen=True)
class CaseLine:
    """One line of a drill-down: a case (or a ticket or an appointment without a case) behind a figure.

    Names are masked (personal data minimised, DESIGN.md) and every text is plain data: callers pass it
    through ``terminal_text.visible`` before a terminal shows it."""

    case_id: int | None  # None: a ticket or an appointment that never became a case
    case_no: str
    holder: str  # masked
    section: str
    person: str  # the responsible person's name ("" when nobody holds it)
    status: str  # Chinese
    opened: str  # hall-local "YYYY-MM-DD HH:MM" (of the ticket or appointment when there is no case)
    note: str  # e.g. 超期3个工作日
