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

from hallterm.domain.auth import ROLE_NAMES, allowed, not_allowed
from hallterm.domain.cases import STATUS_NAMES, VISIT_STATUSES
from hallterm.domain.floors import floor_name
from hallterm.domain.responsibility import VIEW_ROLES as DUTY_ROLES
from hallterm.domain.service_mode import MODE_NAMES
from hallterm.domain.terminal_text import visible
from hallterm.domain.waits import minutes_text, minutes_waited
from hallterm.tui.desk.ahead import prepare_ahead
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.checklist_rows import DEADLINE_STYLES
from hallterm.tui.desk.coordinator_rows import (
    SHORT_STATUS,
    cursor_at,
    items_text,
    restore_cursor,
    room_for_items,
    who_column,
)
from hallterm.tui.desk.item_steps import ITEM_STEP_ACTIONS, ItemStepKeys
from hallterm.tui.desk.keys import ExplainsKeys, FitsFooter
from hallterm.tui.desk.messages import Done, Failed, ServicesReady
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine

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


class CoordinatorScreen(CarriesOn, ItemStepKeys, FitsFooter, ExplainsKeys, Screen[None]):
    CSS_PATH = "../styles/coordinator.tcss"
    BINDINGS = [
        Binding("m", "mark_met", "已接待", id="mark_met"),
        Binding("e", "end_visit", "离开洽谈室", id="end_visit"),
        Binding("h", "history", "办件记录", id="coord_history"),
        Binding("c", "checklist", "材料清单", id="coord_checklist"),
        Binding("r", "refresh", "刷新", id="refresh"),
        # 好差评 (issue 13): my follow-ups; the banner names the key while some are open
        Binding("ctrl+f", "follow_ups", "差评整改", show=False, id="coord_follow_ups"),
        Binding("escape", "back", "返回前台", id="back"),
        Binding("ctrl+o", "sign_out", "签退", id="coord_sign_out"),
        # S10 (issue 14): the supervisor's figures, charts and drill-down (考核); shown to supervisors only
        # K, and Ctrl+S as on a supervisor's desk (the same key on both screens; F1 lists it once)
        Binding("k,ctrl+s", "supervision", "督查考核", key_display="K", id="coord_supervision"),
        # issue 13: move an item of the selected case on, one key per step (S9: to the 统一发证窗口);
        # after 签退, before the rarer keys: a coordinator moves items on every day (the palette lists them all)
        Binding("v", "item_review", "转入审查", id="item_review"),
        Binding("a", "item_approve", "准予许可", id="item_approve"),
        Binding("n", "item_refuse", "不予许可", id="item_refuse"),
        Binding("g", "item_ready", "送发证窗口", id="item_ready"),
        # S5 提前介入 and S8 会商 (issue 13): the consultations list; the joint review of the case selected.
        # After 签退: on an 80-column terminal they leave the footer first (the palette and F1 list them).
        Binding("z", "consultations", "咨询", id="coord_consultations"),
        Binding("j", "joint_review", "会商", id="coord_joint_review"),
        # S3 全程代办: add the selected case's proxy tasks (the likely kinds ticked), and everyone's task list.
        # The rarest: among the first to leave a narrow footer (the palette lists them).
        Binding("p", "proxy_tasks", "代办任务", id="coord_proxy_tasks"),
        Binding("t", "task_list", "代办清单", id="coord_task_list"),
        # S6: the after-hours handover (issue 12); the banner names the key while a handover waits. Last:
        # the first to leave a narrow footer, so that 签退 stays.
        Binding("ctrl+t", "handover", "交接单", id="coord_handover"),
        # S10 责任清单 (issue 14): who holds what now, late or unheld first; a coordinator's own section
        # by default. Last: the footer drops it first at 80 columns (F1 and the palette list it).
        Binding("l", "duties", "责任清单", id="coord_duties"),
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
        from hallterm.tui.desk.follow_ups import FollowUpBanner  # lazy: as above

        yield FollowUpBanner(id="follow-up-banner")  # 差评整改 still open (issue 13), until closed with a note
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

    def footer_first(self) -> tuple[str, ...]:
        # A supervisor comes here for the figures and the responsibility list: their keys before the rest
        # (at 80 columns a coordinator's item steps would otherwise push both off the footer).
        role = self.app.session.role if self.app.session else ""
        return ("supervision", "duties") if allowed(role, "supervise") else ()

    def why_not(self, action: str) -> str:
        if action == "back" and len(self.app.screen_stack) <= 2:  # only when opened from the desk screen (F9)
            return "这是您的首页，没有可返回的前台屏幕；离开请按 Ctrl+O 签退"
        session = self.app.session
        role = session.role if session else ""
        if action == "consultations" and not allowed(role, "consult"):
            return not_allowed(role, "consult")
        if action == "joint_review" and not allowed(role, "joint_review"):
            return not_allowed(role, "joint_review")
        if action in ITEM_STEP_ACTIONS and session is not None and not allowed(session.role, "item_progress"):
            return not_allowed(session.role, "item_progress")
        if action == "duties" and role not in DUTY_ROLES:
            return f"{ROLE_NAMES.get(role, role)}账号不能查看责任清单：须由协调员、督查或管理员查看"
        if action == "supervision" and not allowed(role, "supervise"):
            return not_allowed(role, "supervise")
        return ""

    @on(ServicesReady)
    def _ready(self) -> None:
        self.action_refresh()

    def on_screen_resume(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.follow_ups import FollowUpBanner
        from hallterm.tui.desk.handover import HandoverBanner

        if self.is_mounted:  # back from the handover list (or the follow-ups): acknowledged, the banner goes
            self.query_one(HandoverBanner).load()
            self.query_one(FollowUpBanner).load()

    def action_refresh(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.cases import coordinator_board

        if self.app.services is not None and self.app.session is not None:
            run_use_case(self, BoardLoaded, coordinator_board, self.app.services, self.app.session)

    def on_board_loaded(self, message: BoardLoaded) -> None:
        self._show(message.result)

    def on_resize(self) -> None:
        if self.board is not None:  # the item names are shortened to the width: fit them again at once
            self._show(self.board)

    def on_marked_met(self, message: MarkedMet) -> None:
        self._follow = message.result.id  # now among the open cases: E, H and C act on it next
        self._said(message.result, "已标记接待")

    def on_visit_ended(self, message: VisitEnded) -> None:
        self._said(message.result, "已离开洽谈室，座位已空出")

    def _said(self, view: CaseView, verb: str) -> None:
        self.say(f"{view.case_no} {visible(view.holder_name)} {verb}")
        self.action_refresh()

    def on_failed(self, message: Failed) -> None:
        self.say(message.reason, Level.ERROR)

    def _show(self, board: CoordinatorBoard) -> None:
        self.board = board
        assert self.app.services is not None
        now = self.app.services.now()
        waiting = self.query_one("#waiting", DataTable)
        cases = self.query_one("#open-cases", DataTable)
        # The refresh rebuilds both tables every few seconds: the case under each cursor stays selected
        # (else V/A/N/G would act on whichever case the cursor fell back to).
        kept = {table: cursor_at(table) for table in (waiting, cases)}
        waiting.clear()
        visitors: list[tuple[list[object], list[object]]] = [
            ([f"{floor_name(c.lounge_floor)}{c.lounge_name}", Text(visible(c.holder_name)), c.case_no,
              *who_column(board, c)],
             [MODE_NAMES[c.service_mode], minutes_text(minutes_waited(c.opened_at, now))]) for c in board.waiting]
        space = room_for_items([*waiting.columns.values()], [before + after for before, after in visitors],
                               self.size.width)
        for (before, after), c in zip(visitors, board.waiting, strict=True):
            waiting.add_row(*before, Text(items_text(board, c, space)), *after, key=str(c.id))
        cases.clear()
        rows: list[tuple[int, list[object], list[object]]] = []
        for c in board.open_cases:
            state = board.deadlines.get(c.id)
            due = Text(state.name, style=DEADLINE_STYLES[state.status]) if state else Text("")
            # The room is history once the visitor has left it (the seat is someone else's now).
            room = c.lounge_name or "" if c.status in VISIT_STATUSES else "已离开"
            rows.append((c.id, [c.case_no, Text(visible(c.holder_name)), *who_column(board, c),
                                SHORT_STATUS.get(c.status, STATUS_NAMES[c.status])], [room, due]))
        # The items take what the other columns leave, so that 洽谈室 and 期限 stay on screen (at 120 columns).
        space = room_for_items([*cases.columns.values()], [before + after for _, before, after in rows],
                               self.size.width)
        for (case_id, left, right), c in zip(rows, board.open_cases, strict=True):
            cases.add_row(*left, Text(items_text(board, c, space)), *right, key=str(case_id))
        for table, (key, row) in kept.items():
            restore_cursor(table, key, row)
        self._keep_focus_usable(waiting, cases)
        if self.notice_is_stale:
            self._hint(board)

    def _hint(self, board: CoordinatorBoard) -> None:
        """What the tables hold and how to pick a row, said afresh on each refresh (a visitor may have arrived)."""
        if board.waiting:
            text = "等候的持卡人见上方：↑↓ 选择，M 已接待" + ("；在办件见下方，Tab 切换" if board.open_cases else "")
        else:
            text = "暂无等候的持卡人" + ("；在办件见下方，↑↓ 选择" if board.open_cases else "")
        line = self.query_one(MessageLine)
        if line.text != text or line.level is not Level.INFO:
            line.say(text)  # not ``self.say``: a hint is not an outcome to keep on screen

    def say(self, text: str | Text, level: Level = Level.INFO) -> None:
        """An outcome or a refusal stays readable for a while: the periodic refresh does not wipe it at once."""
        super().say(text, level)
        self._said_at = time.monotonic()

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

    def action_consultations(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.consultations import ConsultationsScreen

        def back(done: str | None) -> None:
            if done:
                self.say(done)

        self.app.push_screen(ConsultationsScreen(), back)

    def action_joint_review(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.joint_review import JointReviewScreen

        case_id = self._selected()
        if case_id is not None and self.board is not None:
            found = {c.id: c for c in self.board.waiting + self.board.open_cases}
            case = found.get(case_id)
            self.app.push_screen(JointReviewScreen(case_id, case.case_no if case else "",
                                                   case.holder_name if case else ""))

    def action_proxy_tasks(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.proxy_tasks import AddTasksScreen

        case_id = self._selected()
        if case_id is None or self.board is None:
            return
        case = next(c for c in self.board.waiting + self.board.open_cases if c.id == case_id)
        if not case.full_proxy:
            self.say(f"{case.case_no} 不是全程代办（S3）：只有全程代办的办件有代办任务", Level.ERROR)
            return

        def added(tasks: list | None) -> None:
            if tasks:
                names = "、".join(t.kind_name for t in tasks)
                self.say(Text(f"{case.case_no} 已添加代办任务：{names}"))

        self.app.push_screen(AddTasksScreen(case.id, case.case_no), added)

    def action_task_list(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.proxy_tasks import ProxyTasksScreen

        self.app.push_screen(ProxyTasksScreen())

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_supervision(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.supervision import SupervisionScreen

        self.app.push_screen(SupervisionScreen())

    def action_handover(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.handover import HandoverScreen

        self.app.push_screen(HandoverScreen())

    def action_follow_ups(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.follow_ups import FollowUpScreen

        self.app.push_screen(FollowUpScreen())

    def action_duties(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.responsibility import ResponsibilityScreen

        self.app.push_screen(ResponsibilityScreen())

    def action_sign_out(self) -> None:
        self.app.sign_out()
