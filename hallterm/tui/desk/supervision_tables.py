"""The per-section and per-person tables on the supervisor's screen (issue 14 point 3, S10): short
headers, only the columns that fit whole (a number cut at the edge reads as another number), and who a row
is always first; Enter on a cell lists the cases behind it.
"""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.text import Text

from hallterm.domain.report import FIGURE_BY_KEY, Report, Table
from hallterm.domain.terminal_text import visible
from hallterm.tui.desk.supervision_figures import FigureTable, figure_label
from hallterm.tui.widgets.charts import value_text

# The per-section and per-person tables on screen: the report's columns a supervisor compares rows by, with
# headers short enough that at 120 columns all fit whole (the full names: F1; the
# tables' titles say so). `hallterm report --xlsx` has every column (容缺 by section: its own sheet).
SCREEN_COLUMNS: dict[str, str] = {"cases_opened": "受理", "cases_closed": "办结", "on_time_rate": "按时率",
                                  "overdue_items": "超期", "bad_ratings": "差评", "proxy_late": "代办逾期",
                                  "satisfaction_rate": "满意率"}
# Who a row is: always shown, first (a person's section is in the per-section table and the workbook: at 80
# columns a long section name would leave no room for a single figure).
SCOPE_NAME_COLUMNS = {"by_section": ("section",), "by_person": ("staff_id", "name")}
CELL_PADDING = 2  # a DataTable cell's padding, both sides


def cell_text(value: object, unit: str) -> Text:
    """A cell of a report table: numbers as value_text writes them (no unit word: the header has it)."""
    if value is None:
        return Text("" if unit == "text" else "无数据", style="dim")
    if isinstance(value, dt.date):
        return Text(value.isoformat())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Text(visible(str(value)))
    if unit == "minutes":
        return Text(f"{value:.1f}".removesuffix(".0"))
    return Text(value_text(value, "rate" if unit == "rate" else "count"))


# The report's breakdowns the screen shows below the charts (services.report: by_section, by_person), and
# the cases_behind argument a row fills: its section, or its person's staff id (the table's first column).
SCOPE_TABLES = {"by_section": "section", "by_person": "person"}


def section_tables(report: Report) -> list[Table]:
    """The report's per-section and per-person tables, in the report's order."""
    return [t for t in report.tables if t.key in SCOPE_TABLES]


class ScopeTable(FigureTable):
    """A per-section or per-person table of the report: Enter on a cell lists the cases behind it."""

    def __init__(self, report_table: str, *, id: str) -> None:
        # Who the row is stays in view while the arrows scroll through two dozen figures to the right.
        fixed = 2 if SCOPE_TABLES[report_table] == "person" else 1
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True, classes="scope-table", fixed_columns=fixed)
        self.report_table = report_table  # the Table.key it shows
        self.shown_columns: list[str] = []  # the report's column keys on screen, in order (those that fit)


def content_width(table: Table, cells: list[list[Text]], i: int) -> int:
    """The cells a column's widest value (or its on-screen header) takes."""
    title = SCREEN_COLUMNS.get(table.columns[i].key, table.columns[i].title)
    return max([cell_len(title), *(c[i].cell_len for c in cells)])


def fitting_columns(table: Table, cells: list[list[Text]], width: int) -> list[int]:
    """The indexes of the table's columns to show in ``width`` cells: who the row is, then the figures of
    SCREEN_COLUMNS in order while each fits whole (never a column cut at the edge: "83.3%" read as ".3%")."""
    def needed(i: int, _title: str) -> int:
        return content_width(table, cells, i) + CELL_PADDING

    keys = [c.key for c in table.columns]
    chosen = [i for i, k in enumerate(keys) if k in SCOPE_NAME_COLUMNS.get(table.key, ())]
    used = sum(needed(i, table.columns[i].title) for i in chosen)
    for key, title in SCREEN_COLUMNS.items():
        if key in keys:
            i = keys.index(key)
            if used + needed(i, title) > width:
                break
            chosen.append(i)
            used += needed(i, title)
    return chosen


def column_names() -> dict[str, str]:
    """The tables' short headers and the figures' full names they stand for."""
    return {short: figure_label(FIGURE_BY_KEY[key]) if key in FIGURE_BY_KEY else key
            for key, short in SCREEN_COLUMNS.items()}
