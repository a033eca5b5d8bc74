"""The supervisor's screen (督查考核; issue 14 point 3, S10): the hall's figures today, this week, this month.

Opened with K from the hall overview (the coordinators' view a supervisor sees the whole hall in) or
Ctrl+S on a supervisor's desk. One period at a time (P, or 1–5, switches 今日/本周/上周/本月/上月: on a
Monday morning or the 1st the running period is still empty, the last one is not): on the left the
headline figures with their units (``无数据`` where a figure cannot be computed, never 0) — the period's
first, then under their own heading those counted as things stand now (``Figure.as_of_now``), and under
the list the highlighted figure's definition (``Figure.explain``; F1 lists them all) — on the right small
charts drawn with block characters (``widgets.charts``: readable without colour) and the per-section and
per-person tables, with short headers and only the columns that fit whole (a number cut at the edge
reads as another number). The figures' words are in ``supervision_figures``, the tables' in
``supervision_tables``.

Drill-down: Enter on a figure, or on a cell of the per-section or per-person table, lists the cases behind it
(``supervision_cases.CasesBehindScreen``, holders' names masked); Enter on a case opens its history; Esc goes back up.

The report is computed by ``services.report.build_report`` in a thread worker (``run_use_case``), never
on the event loop, so keys stay live while a month of a busy hall is counted; a refresh (every minute,
and whenever the screen comes back to the top) is never started while one is still running, and the
screen says when the figures it shows were computed (计算于 HH:MM).
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.widgets.data_table import RowDoesNotExist

from hallterm.domain.report import FIGURE_BY_KEY, FIGURES, Figure, Period, Report, Series
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.keys import ExplainsKeys, FitsFooter
from hallterm.tui.desk.messages import Done, Failed, ServicesReady
from hallterm.tui.desk.supervision_cases import CasesBehindScreen
from hallterm.tui.desk.supervision_figures import (
    LABEL_WIDTH,
    NOW_HEADING,
    PERIOD_HEADING,
    VALUE_WIDTH,
    FigureTable,
    explain_text,
    figure_label,
    figure_value,
    period_empty,
)
from hallterm.tui.desk.supervision_tables import (
    SCOPE_TABLES,
    SCREEN_COLUMNS,
    ScopeTable,
    cell_text,
    column_names,
    content_width,
    fitting_columns,
    section_tables,
)
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.charts import EMPTY_PERIOD, Chart, Shape
from hallterm.tui.widgets.choice import ChoiceScreen
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine

if TYPE_CHECKING:
    from hallterm.services.context import Services
    from hallterm.tui.desk.app import DeskApp

REFRESH_SECONDS = 60.0

PeriodKey = Literal["day", "week", "last_week", "month", "last_month"]
PERIOD_NAMES: dict[PeriodKey, str] = {"day": "今日", "week": "本周", "last_week": "上周", "month": "本月",
                                      "last_month": "上月"}
PERIOD_ORDER: tuple[PeriodKey, ...] = ("day", "week", "last_week", "month", "last_month")

# The charts, in the order a supervisor looks at them, and how each is drawn: a column per day or hour
# (a shape over time), a labelled bar per section or level (a comparison).
CHARTS: tuple[tuple[str, Shape], ...] = (("cases_per_day", "columns"), ("waits_by_hour", "columns"),
                                         ("on_time_by_section", "bars"), ("ratings_by_level", "bars"))


def period_of(key: PeriodKey, today: dt.date) -> Period:
    if key == "day":
        return Period.day(today)
    if key == "week":
        return Period.week_of(today)
    if key == "last_week":
        return Period.week_of(today - dt.timedelta(days=7))
    if key == "last_month":
        return Period.month_of(today.replace(day=1) - dt.timedelta(days=1))
    return Period.month_of(today)


def _build(svc: Services, key: PeriodKey, period: Period) -> tuple[PeriodKey, Report]:
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.services.report import build_report

    return key, build_report(svc, period)


class ReportBuilt(Done):
    """``result``: (the period key, its ``Report``)."""


class LockedListed(Done):
    """``result``: the accounts locked now (``LockedAccount``)."""


class Unlocked(Done):
    """``result``: the staff ID whose lock-out was lifted, or "" when it had run out meanwhile."""


def _unlock(svc: Services, staff_id: str, session: Any) -> str:
    from hallterm.services.staff import unlock  # lazy: services load SQLAlchemy (~0.5 s), as _build

    return staff_id if unlock(svc, staff_id, session=session) else ""


class SupervisionScreen(CarriesOn, WithMessageLine, FitsFooter, ExplainsKeys, Screen[None]):
    CSS_PATH = "../styles/supervision.tcss"
    BINDINGS = [
        Binding("enter", "drill", "明细", id="supervision_drill"),
        Binding("p", "next_period", "今日/本周/上周/本月/上月", id="supervision_period"),
        Binding("r", "refresh", "刷新", id="supervision_refresh"),
        Binding("escape", "back", "返回", id="supervision_back"),
        # issue 16 point 8: the accounts locked by wrong PINs, one of them unlocked (recorded, hallterm db log)
        Binding("u", "unlock", "解除锁定", show=False, id="supervision_unlock"),
        # Straight to a period (the footer shows P; F1 and the palette list these).
        Binding("1", "period('day')", "今日", show=False, id="supervision_day"),
        Binding("2", "period('week')", "本周", show=False, id="supervision_week"),
        Binding("3", "period('last_week')", "上周", show=False, id="supervision_last_week"),
        Binding("4", "period('month')", "本月", show=False, id="supervision_month"),
        Binding("5", "period('last_month')", "上月", show=False, id="supervision_last_month"),
    ]
    app: DeskApp

    def __init__(self, period: PeriodKey = "day") -> None:
        super().__init__()
        self.period_key: PeriodKey = period
        self.reports: dict[PeriodKey, Report] = {}
        self.shown: Report | None = None
        self._building: PeriodKey | None = None  # the period a worker is computing now (one at a time)
        self._again = False  # a refresh was asked for while one ran: run it when that one is done
        self._outcome: str | None = None  # an unlock's outcome, said over the hint of the figures computing now

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="period-bar")
        with Horizontal(id="supervision-body"):
            with Vertical(id="figures-pane"):
                yield FigureTable(id="figures", cursor_type="row", zebra_stripes=True)
                yield Static(id="figure-explain")
            with VerticalScroll(id="charts-pane"):
                for key, shape in CHARTS:
                    yield Chart(Series(key, "", "count", ()), shape, id=f"chart-{key.replace('_', '-')}")
                yield Static(id="empty-period")
                yield Vertical(id="tables")
        yield MessageLine(id="supervision-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        session = self.app.session
        who = f"　{session.name}（{session.staff_id}）" if session else ""
        self.sub_title = f"督查考核{who}"
        figures = self.query_one("#figures", DataTable)
        figures.add_column("指标", key="label", width=LABEL_WIDTH)
        figures.add_column("数值", key="value", width=VALUE_WIDTH)
        # Those counted as things stand now, then the period's, each under its heading: a count of what is
        # open now beside what happened this month would otherwise read as the month's. The few "now" rows
        # first: below the period's they would be off an 80×24 screen.
        now_figures = [f for f in FIGURES if f.as_of_now]
        figures.add_row(Text("当前", style="bold underline"), "", key=NOW_HEADING)
        for figure in now_figures:
            figures.add_row(figure_label(figure), Text("…", style="dim"), key=figure.key)
        figures.add_row(Text("本期", style="bold underline"), "", key=PERIOD_HEADING)
        for figure in FIGURES:
            if not figure.as_of_now:
                figures.add_row(figure_label(figure), Text("…", style="dim"), key=figure.key)
        figures.move_cursor(row=len(now_figures) + 2, animate=False)  # 受理案件: the period's first figure
        figures.focus()
        self._draw_bar()
        self.set_interval(REFRESH_SECONDS, self._tick)

    def _tick(self) -> None:
        # Under a drill-down nobody sees the figures: they are computed again when the screen is back on top.
        if self.is_active:
            self.action_refresh()

    def on_screen_resume(self) -> None:
        # Pushed, or back from a drill-down: figures computed a while ago are computed again.
        self.action_refresh()

    @on(ServicesReady)
    def _ready(self) -> None:
        self.action_refresh()

    # -- computing ------------------------------------------------------------------------------

    @property
    def period(self) -> Period:
        assert self.app.services is not None
        return period_of(self.period_key, self.app.services.today())

    def action_refresh(self) -> None:
        if self.app.services is None:
            self.say("数据库尚未连接：连接后自动统计", Level.BUSY)
            return
        if self._building is not None:
            self._again = True  # never two at once: this one starts when the running one is done
            return
        self._building = self.period_key
        self._draw_bar()
        run_use_case(self, ReportBuilt, _build, self.app.services, self.period_key, self.period, group="report")

    def on_report_built(self, message: ReportBuilt) -> None:
        key, report = message.result
        self._building = None
        self.reports[key] = report
        if key == self.period_key:
            self._show(report)
        if self._again or self.period_key not in self.reports:
            self._again = False
            self.action_refresh()
        else:
            self._draw_bar()

    def on_failed(self, message: Failed) -> None:
        if message.request is ReportBuilt:
            self._building = None
            self._draw_bar()
        self.say(message.reason, Level.ERROR)

    # -- lock-outs (issue 16 point 8) -------------------------------------------------------------

    def action_unlock(self) -> None:
        from hallterm.services.staff import locked_accounts  # lazy: services load SQLAlchemy, as _build

        if self.app.services is None or self.app.session is None:
            self.say("数据库尚未连接", Level.BUSY)
            return
        run_use_case(self, LockedListed, locked_accounts, self.app.services, self.app.session)

    def on_locked_listed(self, message: LockedListed) -> None:
        if not message.result:
            self.say("当前没有被锁定的账号")
            return
        tz = self.app.settings.hall.tz
        options = [(f"{a.name}（{a.staff_id}）" + ("　须督查解锁" if a.until_unlocked
                                                 else f"　锁定至 {a.locked_until.astimezone(tz):%H:%M}"), a.staff_id)
                   for a in message.result]

        def chosen(staff_id: str | None) -> None:
            if staff_id and self.app.services is not None:
                run_use_case(self, Unlocked, _unlock, self.app.services, staff_id, self.app.session)

        self.app.push_screen(ChoiceScreen("解除哪个账号的锁定？", options), chosen)

    def on_unlocked(self, message: Unlocked) -> None:
        said = f"已解除 {message.result} 的锁定（已记录）" if message.result else "该账号的锁定已到期，无需解除"
        self.say(said)
        self._outcome = said if self._building is not None else None  # said again over the figures' hint

    # -- drawing --------------------------------------------------------------------------------

    def _draw_bar(self) -> None:
        """The periods, the one shown in 【】 (readable without colour), its dates, when it was computed."""
        bar = Text()
        for key in PERIOD_ORDER:
            name = PERIOD_NAMES[key]
            if key == self.period_key:
                bar.append(f"【{name}】", style="bold reverse")
            else:
                bar.append(f" {name} ", style="dim")
        if self.app.services is not None:
            bar.append(f"  {self.period.label()}")
        report = self.reports.get(self.period_key)
        if report is not None:
            tz = self.app.settings.hall.tz
            bar.append(f"  计算于 {report.generated_at.astimezone(tz):%H:%M}")
            if period_empty(report):
                bar.append(f"  {EMPTY_PERIOD}", style="bold")
        if self._building is not None:
            bar.append("  统计中……", style="italic")
        self.query_one("#period-bar", Static).update(bar)

    @on(DataTable.RowHighlighted, "#figures")
    def _explain(self, event: DataTable.RowHighlighted) -> None:
        self.query_one("#figure-explain", Static).update(Text(explain_text(event.row_key.value or ""), style="dim"))

    def key_list_notes(self) -> list[tuple[str, str]]:
        """F1: what each figure counts, and what the tables' short headers stand for."""
        notes = [(figure_label(f) + ("（当前）" if f.as_of_now else ""), f.explain) for f in FIGURES if f.explain]
        return notes + [(f"表头「{short}」", full) for short, full in column_names().items() if short != full]

    def _show(self, report: Report) -> None:
        self.shown = report
        figures = self.query_one("#figures", DataTable)
        now = report.generated_at.astimezone(self.app.settings.hall.tz)
        with suppress(RowDoesNotExist):
            figures.update_cell(PERIOD_HEADING, "label", Text(PERIOD_NAMES[self.period_key], style="bold underline"))
            figures.update_cell(NOW_HEADING, "label", Text(f"当前（截至 {now:%H:%M}）", style="bold underline"))
        for figure in FIGURES:
            value = report.figures.get(figure.key)
            cell = Text(figure_value(figure, value), style="dim" if value is None else "bold")
            with suppress(RowDoesNotExist):
                figures.update_cell(figure.key, "value", cell, update_width=True)
        series = {s.key: s for s in report.series}
        for key, _shape in CHARTS:
            chart = self.query_one(f"#chart-{key.replace('_', '-')}", Chart)
            chart.show(series.get(key) or Series(key, "", "count", ()))
            # one day's cases in a column chart says no more than the figure beside it
            chart.display = key in series and len(series[key].points) > 1
        self._show_tables(report)
        self._draw_bar()
        empty = self.query_one("#empty-period", Static)
        empty.display = period_empty(report)
        if empty.display:
            empty.update(Text(f"{EMPTY_PERIOD}：这段时间没有受理、取号、预约或评价", style="bold"))
        if self._outcome:
            self.say(self._outcome)
            self._outcome = None
        elif empty.display:
            # Monday morning, the 1st: the running week or month has nothing yet; the last one has.
            hint = {"day": "：按 3 看上周、5 看上月", "week": "：按 3 看上周", "month": "：按 5 看上月"}
            said = f"{PERIOD_NAMES[self.period_key]}（{report.period.label()}）{EMPTY_PERIOD}"
            self.say(said + hint.get(self.period_key, ""))
        else:
            self.say("Enter 明细；Tab 到图表和科室、人员表；P 切换时段；F1 指标说明")

    def _show_tables(self, report: Report) -> None:
        """The per-section (and per-person) tables, rebuilt in place; the cursor stays where it was."""
        holder = self.query_one("#tables", Vertical)
        for table in section_tables(report):
            dom_id = f"table-{table.key.replace('_', '-')}"
            found = holder.query(f"#{dom_id}")
            if found:
                grid = found.first(ScopeTable)
                at = grid.cursor_coordinate
                grid.clear(columns=True)
            else:
                # the short headers' full names: F1 (a legend here would take four lines at 80 columns)
                title = Text(table.title, style="bold")
                title.append("（表头全称见 F1）", style="dim")
                holder.mount(Static(title, classes="table-title"))
                grid = ScopeTable(table.key, id=dom_id)
                holder.mount(grid)
                at = None
            cells = [[cell_text(v, c.unit) for v, c in zip(row, table.columns, strict=True)] for row in table.rows]
            # The pane's width less a vertical scrollbar's: the columns that fit whole, no more.
            width = (holder.size.width or self.size.width // 2) - 3
            shown = fitting_columns(table, cells, width)
            grid.shown_columns = [table.columns[i].key for i in shown]
            for i in shown:
                column = table.columns[i]
                # the width fitting_columns counted, not Textual's own measure (which may take a cell more)
                grid.add_column(SCREEN_COLUMNS.get(column.key, column.title), key=column.key,
                                width=content_width(table, cells, i))
            for n, row_cells in enumerate(cells):
                grid.add_row(*(row_cells[i] for i in shown), key=str(n))
            if at is not None and grid.row_count:
                grid.move_cursor(row=min(at.row, grid.row_count - 1), column=at.column, animate=False)

    def on_resize(self) -> None:
        super().on_resize()  # FitsFooter: the footer's keys for the new width
        if self.shown is not None:
            # wider or narrower: the tables' columns that fit whole, once the panes have their new width
            self.call_after_refresh(self._show_tables, self.shown)

    # -- keys -----------------------------------------------------------------------------------

    def why_not(self, action: str) -> str:
        if action == "drill" and self.shown is None:
            return "正在统计，请稍候再按 Enter"
        return ""

    def action_next_period(self) -> None:
        at = PERIOD_ORDER.index(self.period_key)
        self.action_period(PERIOD_ORDER[(at + 1) % len(PERIOD_ORDER)])

    def action_period(self, key: str) -> None:
        if key not in PERIOD_NAMES:
            return
        self.period_key = key
        cached = self.reports.get(self.period_key)
        if cached is not None:
            self._show(cached)  # at once; then computed afresh
        else:
            # Not computed yet: the values go (no figure of another period may pass for this one's), the
            # cursor stays on the figure it was on.
            self.shown = None
            figures = self.query_one("#figures", DataTable)
            for figure in FIGURES:
                with suppress(RowDoesNotExist):
                    figures.update_cell(figure.key, "value", Text("…", style="dim"))
            self.say(f"正在统计{PERIOD_NAMES[self.period_key]}……", Level.BUSY)
        self._draw_bar()
        self.action_refresh()

    def action_drill(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id != "figures" and focused.row_count:
            self._drill_table(focused)
        else:
            self._drill_figure()

    @on(DataTable.RowSelected, "#figures")
    def _figure_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._drill_figure()

    @on(DataTable.CellSelected, ".scope-table")
    def _cell_chosen(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self._drill_table(event.data_table)

    def _drill_figure(self) -> None:
        if self.shown is None:
            self.say(self.why_not("drill"), Level.BUSY)
            return
        figures = self.query_one("#figures", DataTable)
        key = figures.coordinate_to_cell_key(figures.cursor_coordinate).row_key.value
        figure = FIGURE_BY_KEY.get(key or "")
        if figure is not None:
            self._open_cases(figure)

    def _drill_table(self, grid: DataTable[Any]) -> None:
        """A cell of the per-section table: its column's figure, for its row's section (or person)."""
        report = self.shown
        if report is None:
            return
        if not isinstance(grid, ScopeTable):
            return
        table = report.table(grid.report_table)
        row_at, col_at = grid.cursor_coordinate
        if row_at >= len(table.rows) or col_at >= len(grid.shown_columns):
            return
        column = next(c for c in table.columns if c.key == grid.shown_columns[col_at])
        row = dict(zip((c.key for c in table.columns), table.rows[row_at], strict=True))
        scope = SCOPE_TABLES[table.key]
        figure = FIGURE_BY_KEY.get(column.key)
        if figure is None:
            if column.unit != "text":
                self.say(f"「{column.title}」没有逐件明细：选中受理案件、超期未办结事项等格再按 Enter", Level.ERROR)
                return
            figure = FIGURE_BY_KEY["cases_opened"]  # the row's name: the cases it received
        if scope == "person" and not row["staff_id"]:
            # nobody holds these cases: they are the section 未分配's
            section = str(row.get("section") or "")
            self._open_cases(figure, section=section, scope_name=section)
            return
        who = str(row[table.columns[0].key])
        name = str(row.get("name") or who) if scope == "person" else who
        self._open_cases(figure, scope_name=name, **{scope: who})

    def _open_cases(self, figure: Figure, *, section: str | None = None, person: str | None = None,
                    scope_name: str = "") -> None:
        assert self.shown is not None
        value = self.shown.figures.get(figure.key)
        if not value and section is None and person is None:
            self.say(f"{PERIOD_NAMES[self.period_key]}「{figure_label(figure)}」为 "
                     f"{figure_value(figure, value)}：没有可列出的办件", Level.ERROR)
            return
        self.app.push_screen(CasesBehindScreen(self.shown.period, figure, PERIOD_NAMES[self.period_key],
                                               section=section, person=person, scope_name=scope_name))

    def action_back(self) -> None:
        self.app.pop_screen()
