"""差评整改 (Ctrl+F on the desk and in the coordinators' view): the follow-ups a 不满意 or 非常不满意 opened.

- ``FollowUpScreen``: the owner sees their own; a supervisor (督查) sees the whole hall's, with owners
  (S10: who holds what, what is late). Each stays listed until closed with a note (X); late ones are
  marked.
- ``FollowUpBanner``: one line at the top of the coordinators' view (and of a supervisor's desk) while
  follow-ups wait, naming the key; hidden when there are none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.keys import ExplainsKeys, FitsFooter
from hallterm.tui.desk.messages import Done, Failed, ServicesReady
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine

if TYPE_CHECKING:
    from hallterm.services.rating import FollowUpBoard, FollowUpView
    from hallterm.tui.desk.app import DeskApp

REFRESH_SECONDS = 30.0


class FollowUpsLoaded(Done):
    """``result``: the ``FollowUpBoard`` now."""


class FollowUpClosed(Done):
    """``result``: the ``FollowUpView`` just closed."""


class FollowUpScreen(CarriesOn, WithMessageLine, FitsFooter, ExplainsKeys, Screen[None]):
    CSS_PATH = "../styles/follow_ups.tcss"
    BINDINGS = [
        Binding("x", "close_follow_up", "办结整改", id="follow_up_close"),
        Binding("r", "refresh", "刷新", id="follow_up_refresh"),
        Binding("escape", "back", "返回", id="follow_up_back"),
    ]
    app: DeskApp

    def __init__(self) -> None:
        super().__init__()
        self.board: FollowUpBoard | None = None
        self._outcome = ""  # what the last close did: the reload after it must not wipe it

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("差评整改", id="follow-up-summary")
        yield DataTable(id="follow-up-table", cursor_type="row", zebra_stripes=True)
        yield MessageLine(id="follow-up-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "差评整改（回访核实 1 个工作日内，整改 15 个工作日内）"
        self.query_one(DataTable).add_columns("办件号", "任务", "评价", "原因", "责任人", "期限", "状态")
        self.query_one(DataTable).focus()
        self.set_interval(REFRESH_SECONDS, self.action_refresh)
        self.say("正在载入差评整改……", Level.BUSY)
        self.action_refresh()

    def why_not(self, action: str) -> str:
        if action == "close_follow_up" and self.board is not None and not self.board.follow_ups:
            return "没有待办结的差评整改"
        return ""

    @on(ServicesReady)
    def _ready(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.rating import follow_up_board

        if self.app.services is not None and self.app.session is not None:
            run_use_case(self, FollowUpsLoaded, follow_up_board, self.app.services, self.app.session)

    def on_follow_ups_loaded(self, message: FollowUpsLoaded) -> None:
        board: FollowUpBoard = message.result
        self._show(board)
        whose = "全厅" if board.whole_hall else "我负责的"
        outcome, self._outcome = self._outcome, ""
        if outcome:
            self.say(outcome)
        elif board.follow_ups:
            late = f"，其中 {board.late} 项已逾期" if board.late else ""
            self.say(f"{whose}待办差评整改 {len(board.follow_ups)} 项{late}：选中一行按 X 填写处理情况并办结")
        else:
            self.say(f"{whose}差评整改均已办结")

    def _show(self, board: FollowUpBoard) -> None:
        self.board = board
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for f in board.follow_ups:
            due = Text(f"{f.due_on:%m-%d}", style="bold red" if f.late else "")
            state = Text("已逾期", style="bold red") if f.late else Text("待办")
            table.add_row(f.case_no, f.task_name, f.level.label, f.reason or "—", Text(f.owner_name), due, state,
                          key=str(f.id))
        if board.follow_ups:
            table.move_cursor(row=min(keep, len(board.follow_ups) - 1))
        self.refresh_bindings()

    def _selected(self) -> FollowUpView | None:
        table = self.query_one(DataTable)
        if self.board is None or not table.row_count:
            self.say("没有待办结的差评整改", Level.ERROR)
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((f for f in self.board.follow_ups if str(f.id) == key), None)

    def action_close_follow_up(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.services.rating import close_follow_up
        from hallterm.tui.widgets.reason import ReasonScreen

        chosen = self._selected()
        if chosen is None:
            return

        def with_note(note: str | None) -> None:
            if note is None:
                self.say("未办结：已取消")
                return
            self.say("正在办结……", Level.BUSY)
            run_use_case(self, FollowUpClosed, close_follow_up, self.app.services, self.app.session, chosen.id, note)

        self.app.push_screen(ReasonScreen(f"{chosen.case_no}　{chosen.task_name}（{chosen.level.label}）\n"
                                          "请填写处理情况（如何回访、如何整改），将记入操作记录",
                                          "处理情况"), with_note)

    def on_follow_up_closed(self, message: FollowUpClosed) -> None:
        done: FollowUpView = message.result
        late = "（逾期办结）" if done.late else ""
        self._outcome = f"{done.case_no} 的{done.task_name}已办结{late}，处理情况已记入操作记录"
        self.say(self._outcome)
        self.action_refresh()

    def on_failed(self, message: Failed) -> None:
        self.say(message.reason, Level.ERROR)

    def action_back(self) -> None:
        self.app.pop_screen()


class BannerLoaded(Done):
    """``result``: the ``FollowUpBoard`` of the signed-in staff member."""


class FollowUpBanner(CarriesOn, Static):
    """One line while the signed-in owner (or, for a supervisor, the hall) has follow-ups open."""

    DEFAULT_CSS = """
    FollowUpBanner {
        height: auto;
        padding: 0 1;
        background: $error 20%;
        text-style: bold;
    }
    """
    app: DeskApp

    def on_mount(self) -> None:
        self.display = False
        self.set_interval(REFRESH_SECONDS, self.load)
        self.load()

    @on(ServicesReady)
    def _ready(self) -> None:
        self.load()

    def load(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.rating import follow_up_board

        if self.app.services is not None and self.app.session is not None:
            run_use_case(self, BannerLoaded, follow_up_board, self.app.services, self.app.session)

    def on_banner_loaded(self, message: BannerLoaded) -> None:
        board: FollowUpBoard = message.result
        self.display = bool(board.follow_ups)
        if board.follow_ups:
            whose = "全厅" if board.whole_hall else "您"
            late = f"（{board.late} 项已逾期）" if board.late else ""
            self.update(Text(f"{whose}有 {len(board.follow_ups)} 项差评整改待办{late}，按 Ctrl+F 查看并办结"))

    def on_failed(self, message: Failed) -> None:
        self.display = False
