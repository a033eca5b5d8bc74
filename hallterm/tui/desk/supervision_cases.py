"""The cases behind one figure of the supervisor's screen (issue 14 point 3, S10): the drill-down from a
figure, or from a cell of the per-section or per-person table, to the cases it counts (holders' names
masked), and from a case to its history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from hallterm.domain.ids import mask_name
from hallterm.domain.report import CaseLine, Figure, Period
from hallterm.domain.terminal_text import visible
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.keys import ExplainsKeys, FitsFooter
from hallterm.tui.desk.messages import Done, Failed
from hallterm.tui.desk.supervision_figures import figure_label
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine

if TYPE_CHECKING:
    from hallterm.services.context import Services
    from hallterm.tui.desk.app import DeskApp

MAX_CASE_ROWS = 500  # a drill-down lists at most this many cases: the rest are in `hallterm report --csv`

# The columns of a case line (domain.report.CaseLine) as a supervisor reads them: what counted it (说明: the
# item and how late) and who holds it before the rest, so that they stay on an 80-column terminal.
# CaseLine.opened is when the case was opened (or the ticket taken), not when what the figure counts happened:
# the column says so.
CASE_COLUMNS = {"case_no": "办件号", "holder": "持卡人", "note": "说明", "person": "责任人", "status": "状态",
                "section": "科室", "opened": "开办时间"}


class CaseTable(DataTable):
    BINDINGS = [Binding("enter", "select_cursor", "办件记录", tooltip="查看该办件的全部记录")]


class CasesFound(Done):
    """``result``: the ``CaseLine`` tuple behind a figure."""


def _cases(svc: Services, period: Period, key: str, section: str | None, person: str | None,
           ) -> tuple[CaseLine, ...]:
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.services.report_drilldown import cases_behind

    # One more than is shown: the screen then knows the list was cut, and says so.
    return cases_behind(svc, period, key, section=section, person=person, limit=MAX_CASE_ROWS + 1)


def case_cells(line: CaseLine) -> list[Text]:
    """A case line's cells, in CASE_COLUMNS order: the holder's name masked, data made visible."""
    cells: list[Text] = []
    for name in CASE_COLUMNS:
        value = str(getattr(line, name) or "")
        if name == "holder":
            value = mask_name(value)  # masked already by the service; again here, so no list ever shows one whole
        cells.append(Text(visible(value)))
    if not line.case_no:
        cells[0] = Text("（非办件）", style="dim")  # a ticket or an appointment that never became a case
    return cells


class CasesBehindScreen(CarriesOn, WithMessageLine, FitsFooter, ExplainsKeys, Screen[None]):
    """The cases behind one figure of one period (and section or person): Enter opens a case's history."""

    CSS_PATH = "../styles/supervision.tcss"
    BINDINGS = [
        Binding("enter", "history", "办件记录", id="cases_behind_history"),
        Binding("escape", "back", "返回", id="cases_behind_back"),
    ]
    app: DeskApp

    def __init__(self, period: Period, figure: Figure, period_name: str, *, section: str | None = None,
                 person: str | None = None, scope_name: str = "") -> None:
        super().__init__()
        self.scope_name = scope_name  # the section's or the person's name, for the heading
        self.period = period
        self.figure = figure
        self.period_name = period_name
        self.section = section
        self.person = person
        self.lines: tuple[CaseLine, ...] | None = None

    @property
    def heading(self) -> str:
        scope = f"　{visible(self.scope_name)}" if self.scope_name else ""
        return f"{self.period_name}（{self.period.label()}）{scope}　{figure_label(self.figure)}"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(self.heading, style="bold"), id="cases-title")
        yield CaseTable(id="cases-behind", cursor_type="row", zebra_stripes=True)
        yield MessageLine(id="cases-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "督查考核：明细"
        table = self.query_one(DataTable)
        for key, title in CASE_COLUMNS.items():
            table.add_column(title, key=key)
        table.focus()
        self.say("正在列出办件……", Level.BUSY)
        if self.app.services is not None:
            run_use_case(self, CasesFound, _cases, self.app.services, self.period, self.figure.key, self.section,
                         self.person, group="report")

    def on_cases_found(self, message: CasesFound) -> None:
        lines: tuple[CaseLine, ...] = tuple(message.result)
        more = len(lines) > MAX_CASE_ROWS
        self.lines = lines = lines[:MAX_CASE_ROWS]
        table = self.query_one(DataTable)
        if not lines:
            self.say("没有可列出的办件")
            return
        for i, line in enumerate(lines):
            table.add_row(*case_cells(line), key=str(i))
        cut = f"，仅列出前 {MAX_CASE_ROWS} 条（完整名单：hallterm report --csv）" if more else ""
        self.say(f"共 {len(lines)} 条{cut}：↑↓ 选择，Enter 查看办件记录，Esc 返回")
        self.refresh_bindings()

    def on_failed(self, message: Failed) -> None:
        self.say(message.reason, Level.ERROR)

    def why_not(self, action: str) -> str:
        if action == "history" and not self.lines:
            return "没有办件可查看" if self.lines is not None else "正在列出办件，请稍候"
        return ""

    @on(DataTable.RowSelected, "#cases-behind")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_history()

    def action_history(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.history import HistoryScreen

        table = self.query_one(DataTable)
        if not self.lines or not table.row_count:
            self.say(self.why_not("history") or "没有办件可查看", Level.ERROR)
            return
        line = self.lines[table.cursor_row]
        if line.case_id is None:
            what = f"（{visible(line.note)}）" if line.note else ""
            self.say(f"这一行是取号或预约{what}，不是办件，没有办件记录", Level.ERROR)
            return
        self.app.push_screen(HistoryScreen(line.case_id, line.case_no, line.holder, mask_holder=True))

    def action_back(self) -> None:
        self.app.pop_screen()
