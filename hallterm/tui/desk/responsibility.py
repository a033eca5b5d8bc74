"""责任清单 (L in the coordinators' view, S10): who holds what now, late or unheld first.

A coordinator sees their own section's (as the approving department or as the holder's section) and may
pick another or the whole hall (F: every section the list can name, departments included); a supervisor or
admin sees the whole hall. A filter matches the approving department or the holder's own section, and the
heading says so. Late rows say so in words, in working days (逾3工作日, S6) as well as in colour; a duty
nobody holds says 未指定 in the 责任人 column. Enter (or H) opens the case's history, the holder's name masked
as in the supervisor's drill-down; P prints the list on A4 the way notices go (spooled first, 补打 lists it)
and says where it went.

At 80 columns the table shows state, what (cut with …), person, due date and the case number without the
hall's region code; the highlighted row's details (kind, masked holder, department, the person's section,
the full case number) are on the line under it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from hallterm.domain.responsibility import DutyKind
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.keys import ExplainsKeys, FitsFooter
from hallterm.tui.desk.messages import Done, Failed, ServicesReady
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine

if TYPE_CHECKING:
    from hallterm.domain.responsibility import Duty
    from hallterm.services.print_jobs import PrintOutcome
    from hallterm.services.responsibility import DutyBoard
    from hallterm.tui.desk.app import DeskApp

REFRESH_SECONDS = 60.0
WHOLE_HALL = "\0all"  # the section choice "全部科室"
WHAT_MIN_CELLS = 12  # below this the 事项 column stays readable and the table scrolls sideways instead
CASE_NO_CELLS = 13  # 20261126-0001: the day and its sequence (the region code is the hall's, the same for all)
DUE_CELLS = 5  # 12-01
PERSON_CELLS = 8  # 责任人: a name of four characters; a longer one is cut with …
PADDING_CELLS = 5 * 2 + 2  # each column's cell padding, and the vertical scrollbar when rows overflow
UNHELD = "未指定"  # short in the 责任人 column; the detail line says 未指定责任人 in full


class DutiesLoaded(Done):
    """``result``: the ``DutyBoard`` now."""


class DutiesPrinted(Done):
    """``result``: the ``PrintOutcome`` of the A4 sheet."""


def _shorten(text: str, cells: int) -> str:
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, max(cells - 1, 0)).rstrip() + "…"


def state_text(duty: Duty) -> Text:
    """The timing in words; colour only adds to it (a black-and-white terminal still reads 逾3工作日)."""
    style = "bold red" if duty.late else ("bold yellow" if duty.unassigned else "")
    return Text(duty.short_state, style=style)


def short_case_no(case_no: str) -> str:
    """``210300-20261126-0001`` → ``20261126-0001``: the region code is the hall's own. Never cut mid-number:
    a number of another shape is shown whole."""
    region, sep, rest = case_no.partition("-")
    return rest if sep and region.isdigit() and len(region) == 6 else case_no


def short_what(duty: Duty) -> str:
    """The 事项 cell: the item's own name needs no kind before it; the rest say what they are, briefly."""
    prefix = {DutyKind.CASE: "办件：", DutyKind.PROXY: "代办：", DutyKind.FOLLOW_UP: "差评"}.get(duty.kind, "")
    return prefix + duty.what


class ResponsibilityScreen(CarriesOn, WithMessageLine, FitsFooter, ExplainsKeys, Screen[None]):
    CSS_PATH = "../styles/responsibility.tcss"
    BINDINGS = [
        # Enter on a row opens the history too (the table's own Enter, which the footer does not show)
        Binding("h", "history", "办件记录", id="duties_history"),
        Binding("f", "section", "按科室", id="duties_section"),
        Binding("r", "refresh", "刷新", id="duties_refresh"),
        Binding("p", "print", "打印", id="duties_print"),
        Binding("escape", "back", "返回", id="duties_back"),
    ]
    app: DeskApp

    def __init__(self) -> None:
        super().__init__()
        self.board: DutyBoard | None = None
        self._section: str | None = None  # None until loaded: the board's default (a coordinator's own)
        self._outcome = ""  # what printing did: the reload after it must not wipe it

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("责任清单", id="duties-summary")
        yield DataTable(id="duties-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="duties-detail")
        yield MessageLine(id="duties-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "责任清单（逾期和未指定责任人的在前）"
        table = self.query_one(DataTable)
        table.add_column("状态", key="state")
        table.add_column("事项", key="what")
        table.add_column("责任人", key="person")
        table.add_column("期限", key="due")
        table.add_column("办件号", key="case_no")
        table.focus()
        self.set_interval(REFRESH_SECONDS, self.action_refresh)
        self.say("正在载入责任清单……", Level.BUSY)
        self.action_refresh()

    def why_not(self, action: str) -> str:
        if action in ("history", "print") and self.board is not None and not self.board.duties:
            return "责任清单是空的：没有在办事项"
        return ""

    @on(ServicesReady)
    def _ready(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.responsibility import MINE, duty_board

        if self.app.services is not None and self.app.session is not None:
            section = MINE if self._section is None else (None if self._section == WHOLE_HALL else self._section)
            run_use_case(self, DutiesLoaded, duty_board, self.app.services, self.app.session, section)

    def on_duties_loaded(self, message: DutiesLoaded) -> None:
        # lazy: loaded already by the worker that read the board
        from hallterm.services.responsibility import scope_words

        board: DutyBoard = message.result
        self._show(board)
        scope = board.section or "全部科室"
        where = scope_words(board.section)  # a filter says what it matches: counts per section overlap
        self.query_one("#duties-summary", Static).update(Text(
            f"责任清单　{where}　{board.at:%Y-%m-%d %H:%M}　共 {len(board.duties)} 项，"
            f"逾期或未指定责任人 {board.flagged} 项（期限按工作日计）"))
        outcome, self._outcome = self._outcome, ""
        if outcome:
            self.say(outcome)
        elif board.duties:
            self.say("回车或 H 查看办件记录，F 按科室筛选，P 打印")
        else:
            self.say(f"{scope}没有在办事项")

    def _what_cells(self, duties: tuple[Duty, ...]) -> int:
        """What is left for 事项 once the other columns have what they need (80 columns: about 28 cells)."""
        width = (self.size.width or self.app.size.width) - 2  # the table's margin
        state = max([cell_len(d.short_state) for d in duties] + [4])
        person = max([cell_len(self._person(d)) for d in duties] + [6])
        case_no = max([cell_len(short_case_no(d.case_no)) for d in duties] + [CASE_NO_CELLS])
        return max(WHAT_MIN_CELLS, width - state - case_no - person - DUE_CELLS - PADDING_CELLS)

    @staticmethod
    def _person(d: Duty) -> str:
        return _shorten(d.person_name, PERSON_CELLS) if d.person_id else UNHELD

    def _show(self, board: DutyBoard) -> None:
        self.board = board
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        cells = self._what_cells(board.duties)
        for n, d in enumerate(board.duties):
            person = Text(self._person(d), style="" if d.person_id else "bold")
            due = f"{d.due_on:%m-%d}" if d.due_on else "—"
            table.add_row(state_text(d), Text(_shorten(short_what(d), cells)), person, due,
                          Text(short_case_no(d.case_no)), key=str(n))
        if board.duties:
            table.move_cursor(row=min(max(keep, 0), len(board.duties) - 1))
        self._detail()
        self.refresh_bindings()

    def _current(self) -> Duty | None:
        table = self.query_one(DataTable)
        if self.board is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.board.duties[int(key)] if key is not None else None

    @on(DataTable.RowHighlighted)
    def _detail(self) -> None:
        d = self._current()
        detail = self.query_one("#duties-detail", Static)
        if d is None:
            detail.update("")
            return
        who = f"{d.person_name}（{d.person_id}，{d.person_section}）" if d.person_id else "未指定责任人"
        due = f"{d.due_on:%Y-%m-%d}" if d.due_on else "无"
        detail.update(Text(f"{d.kind_name}：{d.what}　{d.case_no}　申请人 {d.holder}　责任部门 {d.section}　"
                           f"责任人 {who}　期限 {due}（{d.state}）"))

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_history()

    def action_history(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.history import HistoryScreen

        d = self._current()
        if d is None:
            self.say("责任清单是空的：没有可查看的办件", Level.ERROR)
            return
        # The list looks at the work, not at the person: the holder's name stays masked, as in the
        # supervisor's drill-down (S10 names the staff, not the card holder).
        self.app.push_screen(HistoryScreen(d.case_id, d.case_no, d.holder, mask_holder=True))

    def action_section(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.widgets.choice import ChoiceScreen

        if self.board is None:
            self.say("责任清单还在载入，请稍候", Level.ERROR)
            return
        options = [("全部科室", WHOLE_HALL)] + [(s, s) for s in self.board.sections]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            self._section = value
            self.say("正在载入……", Level.BUSY)
            self.action_refresh()

        self.app.push_screen(ChoiceScreen("按科室查看责任清单（责任部门或责任人所在科室）", options), chosen)

    def action_print(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s) and printing loads fpdf2; only printing needs them
        from hallterm.services.responsibility import print_list

        board = self.board
        if board is None or self.app.services is None:
            self.say("责任清单还在载入，请稍候", Level.ERROR)
            return
        session = self.app.session
        self.say("正在打印责任清单……", Level.BUSY)
        run_use_case(self, DutiesPrinted, print_list, self.app.services, board.duties, board.section,
                     staff_id=session.staff_id if session else None)

    def on_duties_printed(self, message: DutiesPrinted) -> None:
        outcome: PrintOutcome = message.result
        where = f"文件：{outcome.spool_base}.pdf"
        warn = f"；{outcome.warnings[0]}" if outcome.warnings else ""
        if outcome.ok:
            self._outcome = f"{outcome.title}：{outcome.message}（{where}）{warn}"
            self.say(self._outcome)
        else:
            self.say(f"{outcome.title} 未能打印：{outcome.message}（{where}，可在补打中重印）", Level.ERROR)

    def on_failed(self, message: Failed) -> None:
        self.say(message.reason, Level.ERROR)

    def action_back(self) -> None:
        self.app.pop_screen()
