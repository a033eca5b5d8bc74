"""The figures on the supervisor's screen (issue 14 point 3, S10): each with its unit and measure word
(``无数据`` where it cannot be computed, never 0), the headings of the figures list, the line that says what
the highlighted figure counts, and whether anything happened in a period.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable

from hallterm.domain.report import FIGURE_BY_KEY, Figure, Report
from hallterm.tui.widgets.charts import value_text

# The figures table's rows that are headings, not figures (Enter on them lists nothing).
PERIOD_HEADING = "_period_heading"
NOW_HEADING = "_now_heading"
LABEL_WIDTH = 18  # the longest label (等候时间 90% 分位) and 当前（截至 HH:MM）
VALUE_WIDTH = 8  # 无数据, 100.0%, 1234 件, 120 分钟: every value whole, with its unit, in the 40-cell pane

# What a count counts, said after the number (the figure's label names the thing).
MEASURE_WORDS = {"cases_opened": "件", "cases_closed": "件", "overdue_items": "项",
                 "conditional_outstanding": "项", "conditional_supplemented": "项", "conditional_breached": "项",
                 "appointments_kept": "个", "appointments_missed": "个", "tickets_issued": "张",
                 "tickets_no_show": "张", "ratings_total": "条", "bad_ratings": "条", "follow_ups_late": "件",
                 "proxy_open": "项", "proxy_done_on_time": "项", "proxy_late": "项"}


def figure_value(figure: Figure, value: int | float | None) -> str:
    """A figure with its unit: 12 件, 87.5%, 8 分钟; 无数据 when it cannot be computed (never 0)."""
    text = value_text(value, figure.unit)
    if value is not None and figure.unit == "count":
        text += f" {MEASURE_WORDS.get(figure.key, '项')}"  # a figure added later still says its unit
    return text


# What happens in a period: with none of these, nothing happened in it. Report.empty also counts what stands
# open now (超期未办结, 代办在办), which is never zero in a working hall: a Monday morning's 今日 would not read
# as empty, though nothing has happened yet.
HAPPENINGS = ("cases_opened", "cases_closed", "tickets_issued", "appointments_kept", "appointments_missed",
              "ratings_total")


def period_empty(report: Report) -> bool:
    """Nothing happened in the report's period (the figures as things stand now may still count)."""
    return report.empty or not any(report.figures.get(key) for key in HAPPENINGS)


def figure_label(figure: Figure) -> str:
    """The label without a trailing （分钟）: the value says its unit itself."""
    return figure.label.removesuffix("（分钟）")


class FigureTable(DataTable):
    """A DataTable whose Enter the footer names (Textual's own Enter is hidden from it)."""

    BINDINGS = [Binding("enter", "select_cursor", "明细", tooltip="列出该项背后的办件")]


def explain_text(key: str) -> str:
    """The line under the figures: what the highlighted figure counts (its heading: what the heading means)."""
    if key == PERIOD_HEADING:
        return "以下指标统计所选时段内发生的办件、取号、预约和评价"
    if key == NOW_HEADING:
        return "以下指标按此刻的状态统计（在办、待补正），与所选时段无关"
    figure = FIGURE_BY_KEY.get(key)
    if figure is None:
        return ""
    return f"{figure_label(figure)}：{figure.explain}" if figure.explain else figure_label(figure)
