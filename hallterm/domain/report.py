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
    Figure("cases_opened", "受理案件", "count",
           explain="本期内受理（开件）的案件数，按当前责任人（协调员，无则代办员）计"),
    Figure("cases_closed", "办结案件", "count", explain="本期内结案的案件数，按当前责任人计"),
    Figure("on_time_rate", "按时办结率", "rate", explain=(
        "本期内办结的事项中，在承诺时限（工作日，特殊程序不计）内作出决定的比例")),
    Figure("overdue_items", "超期未办结事项", "count", as_of_now=True, explain=(
        "截至统计时计时中、已过承诺时限仍未办结的事项数（期限在本期截止日前，特殊程序中的不计）")),
    Figure("wait_p50_min", "等候时间中位数（分钟）", "minutes", explain=(
        "本期受理且已接待的案件，从取号到达至协调员接待的分钟数的中位数")),
    Figure("wait_p90_min", "等候时间 90% 分位（分钟）", "minutes", explain=(
        "同上等候时间的 90% 分位（最近秩）：九成来办人等候不超过此数")),
    Figure("conditional_outstanding", "容缺待补正", "count", as_of_now=True, explain=(
        "截至统计时容缺受理（本期截止日前受理）、仍欠补正材料且未逾期退件的事项数")),
    Figure("conditional_supplemented", "容缺按期补正", "count",
           explain="本期内补齐材料的容缺事项数（同一事项只计一次）"),
    Figure("conditional_breached", "容缺逾期未补正", "count", explain="本期内因逾期未补正而被退件的容缺事项数"),
    Figure("appointments_kept", "预约到场", "count", explain="预约日期在本期内且已签到的预约数，按预约科室计"),
    Figure("appointments_missed", "预约爽约", "count", explain="预约日期在本期内、过时未到的预约数，按预约科室计"),
    Figure("tickets_issued", "排队取号", "count", explain="本期各日全大厅窗口的取号数（不分科室），重呼的号只计一次"),
    Figure("tickets_no_show", "叫号未到", "count", explain="本期各日叫号后过号未到的号数（全大厅，不分科室）"),
    Figure("ratings_total", "评价数", "count", explain="本期内收到的好差评数（一次一评），按被评案件的责任人计"),
    Figure("satisfaction_rate", "满意率", "rate", explain=(
        "本期评价中非常满意、满意、基本满意之和占全部评价的比例（不满意、非常不满意为差评）")),
    Figure("bad_ratings", "差评", "count", explain="本期内收到的不满意和非常不满意评价数"),
    Figure("follow_ups_late", "差评整改逾期", "count", explain=(
        "本期内办结、但晚于应完成日的差评回访或整改数，按整改责任人计（不含尚未办结的）")),
    Figure("follow_ups_overdue_now", "差评整改逾期未办", "count", as_of_now=True, explain=(
        "截至统计时尚未办结、已过应完成日的差评回访或整改数（应完成日在本期截止日前），按整改责任人计")),
    Figure("proxy_open", "代办任务在办", "count", as_of_now=True, explain=(
        "截至统计时待办或办理中的帮办代办任务数（本期截止日前添加），按代办员计")),
    Figure("proxy_done_on_time", "代办按期完成", "count",
           explain="本期内完成、且不晚于应完成日的代办任务数，按代办员计"),
    Figure("proxy_late", "代办逾期", "count", explain=(
        "本期内完成、但晚于应完成日的代办任务数，按代办员计（不含尚未完成的）")),
    Figure("proxy_overdue_now", "代办逾期未完成", "count", as_of_now=True, explain=(
        "截至统计时待办或办理中、已过应完成日的代办任务数，按代办员计")),
)
# Figures counted in the period only (not as_of_now) never grow when the period shrinks: a week within a
# month never shows more of them than the month. The as_of_now ones say how things stand at the report's time.
FIGURE_BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}

# Figures of the hall's counters: tickets carry no section, so a section's report has none of them (None
# in the JSON); the screen and the CLI say 不分科室 there rather than 无数据.
HALL_ONLY = ("tickets_issued", "tickets_no_show")
NOT_PER_SECTION = "不分科室"


def figure_explain(figure: Figure, section: str | None = None) -> str:
    """How ``figure`` is counted, in one Chinese line, for the whole hall or one section's report."""
    if section is not None and figure.key in HALL_ONLY:
        return f"{NOT_PER_SECTION}（全大厅窗口共用）：{figure.explain}"
    return figure.explain


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


def plain_text(value: object) -> str | None:
    """A flag, a day or a time as every output of the report writes it (是/否, 2026-12-01, 2026-12-01 09:30);
    None for any other value, which each output writes its own way (numbers, missing values, text)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return None
