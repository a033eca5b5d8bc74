"""The coordinator's view: who waits for me, in which lounge, since when; my open cases (S9)."""

from __future__ import annotations

import time
from contextlib import suppress
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.widgets.data_table import RowDoesNotExist

from hallterm.domain.cases import STATUS_NAMES, VISIT_STATUSES
from hallterm.domain.floors import floor_name
from hallterm.domain.service_mode import MODE_NAMES
from hallterm.domain.waits import minutes_text, minutes_waited
from hallterm.tui.desk.ahead import prepare_ahead
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.checklist_screen import DEADLINE_STYLES
from hallterm.tui.desk.keys import ExplainsKeys, FitsFooter
from hallterm.tui.desk.messages import Done, Failed, ServicesReady
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine

if TYPE_CHECKING:
    from hallterm.services.case_views import CaseView
    from hallterm.services.cases import CoordinatorBoard
    from hallterm.tui.desk.app import DeskApp

REFRESH_SECONDS = 5.0
NOTICE_KEEP_S = 15.0


class BoardLoaded(Done):
    """``result``: the ``CoordinatorBoard`` now."""


class MarkedMet(Done):
    """``result``: the case whose visitor was just met."""


class VisitEnded(Done):
    """``result``: the case whose visitor just left the lounge."""


class CoordinatorScreen(WithMessageLine, FitsFooter, ExplainsKeys, Screen[None]):
    CSS_PATH = "../styles/coordinator.tcss"
    BINDINGS = [
        Binding("m", "mark_met", "已接待", id="mark_met"),
        Binding("e", "end_visit", "离开洽谈室", id="end_visit"),
        Binding("h", "history", "办件记录", id="coord_history"),
        Binding("c", "checklist", "材料清单", id="coord_checklist"),
        Binding("r", "refresh", "刷新", id="refresh"),
        # S6: the after-hours handover (issue 12); the banner names the key while a handover waits
        Binding("ctrl+t", "handover", "交接单", id="coord_handover"),
        Binding("escape", "back", "返回前台", id="back"),
        Binding("ctrl+o", "sign_out", "签退", id="coord_sign_out"),
    ]
    app: DeskApp

    def __init__(self) -> None:
        super().__init__()
        self.board: CoordinatorBoard | None = None
        self._said_at = -NOTICE_KEEP_S  # when an action's outcome was last said
        self._follow: int | None = None  # the case just acted on: the cursor follows it to its new table

    @property
    def whole_hall(self) -> bool:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.cases import HALL_ROLES

        return self.app.session is not None and self.app.session.role in HALL_ROLES

    def compose(self) -> ComposeResult:
        hall = self.whole_hall
        yield Header()
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.handover import HandoverBanner

        yield HandoverBanner(id="handover-banner")  # the evening's handover, until the day shift acknowledges it
        yield Static("全厅等候接待的持卡人" if hall else "等候我的持卡人", classes="section-title")
        yield DataTable(id="waiting", cursor_type="row", zebra_stripes=True)
        yield Static("全厅在办件" if hall else "我的在办件", classes="section-title")
        yield DataTable(id="open-cases", cursor_type="row", zebra_stripes=True)
        yield MessageLine(id="coord-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        session = self.app.session
        hall = self.whole_hall
        if session is not None:
            view = "全厅视图" if hall else "协调员视图"
            self.sub_title = f"{view}　{session.name}（{session.staff_id}，分机 {session.extension}）"
        who = ("协调员",) if hall else ()
        self.query_one("#waiting", DataTable).add_columns("洽谈室", "持卡人", "办件号", *who, "事项", "办理方式",
                                                          "已等候")
        self.query_one("#open-cases", DataTable).add_columns("办件号", "持卡人", *who, "状态", "事项", "洽谈室", "期限")
        self.query_one("#waiting", DataTable).focus()
        self.set_interval(REFRESH_SECONDS, self.action_refresh)
        self.action_refresh()
        prepare_ahead(self)  # stylesheets read, checklist and preview services loaded, before the first C

    def why_not(self, action: str) -> str:
        if action == "back" and len(self.app.screen_stack) <= 2:  # only when opened from the desk screen (F9)
            return "这是您的首页，没有可返回的前台屏幕；离开请按 Ctrl+O 签退"
        return ""

    @on(ServicesReady)
    def _ready(self) -> None:
        self.action_refresh()

    def on_screen_resume(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.handover import HandoverBanner

        if self.is_mounted:  # back from the handover list: acknowledged, the banner goes
            self.query_one(HandoverBanner).load()

    def action_refresh(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.cases import coordinator_board

        if self.app.services is not None and self.app.session is not None:
            run_use_case(self, BoardLoaded, coordinator_board, self.app.services, self.app.session)

    def on_board_loaded(self, message: BoardLoaded) -> None:
        self._show(message.result)

    def on_marked_met(self, message: MarkedMet) -> None:
        self._follow = message.result.id  # now among the open cases: E, H and C act on it next
        self._said(message.result, "已标记接待")

    def on_visit_ended(self, message: VisitEnded) -> None:
        self._said(message.result, "已离开洽谈室，座位已空出")

    def _said(self, view: CaseView, verb: str) -> None:
        self.say(f"{view.case_no} {view.holder_name} {verb}")
        self._said_at = time.monotonic()
        self.action_refresh()

    def on_failed(self, message: Failed) -> None:
        self.say(message.reason, Level.ERROR)

    def _show(self, board: CoordinatorBoard) -> None:
        self.board = board
        assert self.app.services is not None
        now = self.app.services.now()
        waiting = self.query_one("#waiting", DataTable)
        keep = waiting.cursor_row
        waiting.clear()
        for c in board.waiting:
            waited = minutes_text(minutes_waited(c.opened_at, now))
            waiting.add_row(f"{floor_name(c.lounge_floor)}{c.lounge_name}", Text(c.holder_name), c.case_no,
                            *self._who(board, c), Text("、".join(c.item_names)),
                            MODE_NAMES[c.service_mode], waited, key=str(c.id))
        if board.waiting:
            waiting.move_cursor(row=min(keep, len(board.waiting) - 1))
        cases = self.query_one("#open-cases", DataTable)
        cases.clear()
        for c in board.open_cases:
            state = board.deadlines.get(c.id)
            due = Text(state.name, style=DEADLINE_STYLES[state.status]) if state else Text("")
            # The room is history once the visitor has left it (the seat is someone else's now).
            room = c.lounge_name or "" if c.status in VISIT_STATUSES else "已离开"
            cases.add_row(c.case_no, Text(c.holder_name), *self._who(board, c), STATUS_NAMES[c.status],
                          Text("、".join(c.item_names)), room, due, key=str(c.id))
        self._keep_focus_usable(waiting, cases)
        if not board.waiting and self.notice_is_stale:
            self.say("暂无等候的持卡人" + ("；在办件见下方，↑↓ 选择" if board.open_cases else ""))

    def _keep_focus_usable(self, waiting: DataTable, cases: DataTable) -> None:
        """The keys act on the focused table's row: focus never stays on an empty table (or nowhere)
        while the other has rows — after M the visitor met moves down, and the cursor goes with them."""
        follow, self._follow = self._follow, None
        if follow is not None and cases.row_count and (waiting.row_count == 0 or self.focused is cases):
            with suppress(RowDoesNotExist):  # gone meanwhile (another terminal closed it)
                cases.move_cursor(row=cases.get_row_index(str(follow)))
        focused = self.focused
        if isinstance(focused, DataTable) and focused.row_count:
            return
        if focused is waiting or focused is None or focused is cases:
            target = waiting if waiting.row_count else cases if cases.row_count else waiting
            target.focus()

    @property
    def notice_is_stale(self) -> bool:
        """An action's outcome stays readable for a while; the periodic refresh must not wipe it at once."""
        return time.monotonic() - self._said_at > NOTICE_KEEP_S

    @staticmethod
    def _who(board: CoordinatorBoard, case: CaseView) -> tuple[Text, ...]:
        if not board.whole_hall:
            return ()
        return (Text(case.coordinator.name if case.coordinator else "未分配"),)

    def _selected(self) -> int | None:
        """The case under the cursor of the focused table (waiting visitors by default)."""
        table = self.focused if isinstance(self.focused, DataTable) else self.query_one("#waiting", DataTable)
        if not table.row_count:
            other = "在办件" if table.id == "waiting" else "等候的持卡人"
            self.say(f"这一栏是空的：按 Tab 切换到{other}，选中一行再按键", Level.ERROR)
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is None:
            self.say("请先用 ↑↓ 选中一行，再按键", Level.ERROR)
            return None
        return int(key)

    def action_mark_met(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.cases import mark_met

        case_id = self._selected()
        if case_id is None:
            return
        run_use_case(self, MarkedMet, mark_met, self.app.services, self.app.session, case_id)

    def action_end_visit(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.cases import end_visit

        case_id = self._selected()
        if case_id is None:
            return
        run_use_case(self, VisitEnded, end_visit, self.app.services, self.app.session, case_id)

    def action_history(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.history import HistoryScreen

        case_id = self._selected()
        if case_id is not None and self.board is not None:
            numbers = {c.id: c.case_no for c in self.board.waiting + self.board.open_cases}
            self.app.push_screen(HistoryScreen(case_id, numbers.get(case_id, "")))

    def action_checklist(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.checklist_screen import checklist_for

        case_id = self._selected()
        if case_id is not None:
            self.app.push_screen(checklist_for(self.app, case_id))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_handover(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.handover import HandoverScreen

        self.app.push_screen(HandoverScreen())

    def action_sign_out(self) -> None:
        self.app.sign_out()

