"""Proxy tasks on screen (全程代办, S3): the 帮办代办 staff member's own list — what is due, what is late,
earliest due first — with keys to move a task on, cancel it, note, reassign and open its case; and the
dialog the coordinator (or the proxy) adds a case's tasks with, the likely kinds ticked."""

from __future__ import annotations

import time
from contextlib import suppress
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.widgets.data_table import RowDoesNotExist

from hallterm.domain.proxy_tasks import KIND_NAMES, NOTE_MAX, STATE_NAMES, ProxyTaskKind, ProxyTaskState
from hallterm.domain.terminal_text import visible
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.keys import ExplainsKeys, FitsFooter
from hallterm.tui.desk.messages import Done, Failed, ServicesReady
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.choice import ChoiceScreen
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine
from hallterm.tui.widgets.reason import ReasonScreen
from hallterm.tui.widgets.toggles import SelectionList

if TYPE_CHECKING:
    from hallterm.services.proxy_tasks import ProxyTaskView, TaskList, TaskSuggestion
    from hallterm.tui.desk.app import DeskApp

REFRESH_SECONDS = 10.0
NOTICE_KEEP_S = 15.0
LATE_STYLE = "bold white on red"
SOON_STYLE = "bold black on yellow"


def due_text(task: ProxyTaskView) -> Text:
    """超期 N 个工作日 on red, 剩 N 个工作日 (yellow when ≤ 2), or the finished state."""
    estimated = "（估算）" if task.due_estimated else ""
    if not task.is_open:
        return Text(task.state_name)
    if task.late:
        return Text(f"超期 {task.days_late} 个工作日{estimated}", style=LATE_STYLE)
    words = "今天到期" if task.days_left == 0 else f"剩 {task.days_left} 个工作日"
    return Text(words + estimated, style=SOON_STYLE if task.due_soon else "green")


class TasksLoaded(Done):
    """``result``: the ``TaskList`` now."""


class TaskChanged(Done):
    """``result``: the ``ProxyTaskView`` just moved, noted or reassigned."""


class ProxyStaffLoaded(Done):
    """``result``: the active 帮办代办 staff, to reassign a task to."""


class ProxyTasksScreen(CarriesOn, WithMessageLine, FitsFooter, ExplainsKeys, Screen[None]):
    """The proxy's home after sign-in; the coordinator and supervisor open it for everyone's tasks."""

    CSS_PATH = "../styles/proxy_tasks.tcss"
    BINDINGS = [
        Binding("space", "advance", "推进", id="pt_advance"),
        Binding("n", "note", "备注", id="pt_note"),
        Binding("a", "reassign", "改派", id="pt_reassign"),
        Binding("x", "cancel_task", "撤销", id="pt_cancel"),
        Binding("o", "open_case", "办件记录", id="pt_open"),
        Binding("c", "checklist", "材料清单", id="pt_checklist"),
        Binding("r", "refresh", "刷新", id="pt_refresh"),
        Binding("escape", "back", "返回", id="pt_back"),
        Binding("ctrl+o", "sign_out", "签退", id="pt_sign_out"),
    ]
    app: DeskApp

    def __init__(self) -> None:
        super().__init__()
        self.listing: TaskList | None = None
        self._said_at = -NOTICE_KEEP_S

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("我的代办任务（按到期日排列）", id="pt-title", classes="section-title")
        yield DataTable(id="proxy-tasks", cursor_type="row", zebra_stripes=True)
        yield Static("", id="pt-detail")
        yield MessageLine(id="pt-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        session = self.app.session
        if session is not None:
            self.sub_title = f"帮办代办　{session.name}（{session.staff_id}，分机 {session.extension}）"
        self.query_one(DataTable).focus()
        self.set_interval(REFRESH_SECONDS, self.action_refresh)
        self.action_refresh()

    @on(ServicesReady)
    def _ready(self) -> None:
        self.action_refresh()

    def why_not(self, action: str) -> str:
        if action == "back" and len(self.app.screen_stack) <= 2:
            return "这是您的首页，没有可返回的屏幕；离开请按 Ctrl+O 签退"
        task_keys = {"advance", "note", "reassign", "cancel_task", "open_case", "checklist"}
        if action in task_keys and self.listing is not None and not self.listing.tasks:
            return "没有代办任务：任务由协调员在办件上添加（协调员视图按 P）"
        return ""

    def action_refresh(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.proxy_tasks import task_list

        if self.app.services is not None and self.app.session is not None:
            run_use_case(self, TasksLoaded, task_list, self.app.services, self.app.session)

    def on_tasks_loaded(self, message: TasksLoaded) -> None:
        self._show(message.result)

    def on_task_changed(self, message: TaskChanged) -> None:
        task: ProxyTaskView = message.result
        owner = f"，负责人 {task.owner_name}" if task.owner_name else ""
        self.say(Text(f"{task.case_no} {task.kind_name}：{task.state_name}{owner}"))
        self._said_at = time.monotonic()
        self.action_refresh()

    def on_failed(self, message: Failed) -> None:
        self.say(message.reason, Level.ERROR)
        self._said_at = time.monotonic()

    def _show(self, tasks: TaskList) -> None:
        first = self.listing is None
        self.listing = tasks
        title = "全部代办任务（按到期日排列）" if tasks.whole_hall else "我的代办任务（按到期日排列）"
        late = f"　超期 {tasks.late} 项" if tasks.late else ""
        self.query_one("#pt-title", Static).update(Text(title + late))
        table = self.query_one(DataTable)
        if first:
            who = ("负责人",) if tasks.whole_hall else ()
            table.add_columns("到期日", "期限", "任务", "状态", "办件号", "持卡人", *who, "备注")
        keep = self._selected_id()
        table.clear()
        for t in tasks.tasks:
            who_cells = (Text(t.owner_name or "未分派"),) if tasks.whole_hall else ()
            latest = t.notes[-1].text if t.notes else ""
            table.add_row(f"{t.due_on:%m-%d}", due_text(t), t.kind_name, t.state_name, t.case_no,
                          Text(visible(t.holder_name)), *who_cells, Text(latest), key=str(t.id))
        if keep is not None:
            with suppress(RowDoesNotExist):
                table.move_cursor(row=table.get_row_index(str(keep)))
        self._show_detail()
        self.refresh_bindings()
        if time.monotonic() - self._said_at > NOTICE_KEEP_S:
            self.say("暂无代办任务" if not tasks.tasks else
                     "空格 推进（待办→办理中→已办结），N 备注，A 改派，X 撤销，O 办件记录")

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        task = self._picked(quiet=True)
        detail = self.query_one("#pt-detail", Static)
        if task is None:
            detail.update("")
            return
        tz = self.app.settings.hall.tz
        lines = Text(f"{task.kind_name}　{task.case_no} {visible(task.holder_name)}　加入 {task.added_on:%m-%d}，"
                     f"到期 {task.due_on:%Y-%m-%d}，负责人 {task.owner_name or '未分派'}")
        for note in task.notes[-3:]:
            who = note.staff_name or note.staff_id or ""
            lines.append(f"\n{note.at.astimezone(tz):%m-%d %H:%M} {who}：{note.text}")
        detail.update(lines)

    def _selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def _picked(self, *, quiet: bool = False) -> ProxyTaskView | None:
        task_id = self._selected_id()
        found = next((t for t in self.listing.tasks if t.id == task_id), None) if self.listing else None
        if found is None and not quiet:
            self.say("请先用 ↑↓ 选中一项任务，再按键", Level.ERROR)
        return found

    def action_advance(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.proxy_tasks import move_task

        task = self._picked()
        if task is not None:
            run_use_case(self, TaskChanged, move_task, self.app.services, self.app.session, task.id)

    def action_cancel_task(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.proxy_tasks import move_task

        task = self._picked()
        if task is None:
            return

        def chosen(reason: str | None) -> None:
            if reason:
                run_use_case(self, TaskChanged, move_task, self.app.services, self.app.session, task.id,
                             ProxyTaskState.CANCELLED, reason)

        self.app.push_screen(ReasonScreen(f"撤销 {task.case_no} 的{task.kind_name}", "撤销理由（必填）"), chosen)

    def action_note(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.proxy_tasks import add_note

        task = self._picked()
        if task is None:
            return

        def written(text: str | None) -> None:
            if text:
                run_use_case(self, TaskChanged, add_note, self.app.services, self.app.session, task.id, text)

        self.app.push_screen(NoteScreen(f"{task.case_no} {task.kind_name}：写备注"), written)

    def action_reassign(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.proxy_tasks import proxy_staff

        if self._picked() is not None:
            run_use_case(self, ProxyStaffLoaded, proxy_staff, self.app.services)

    def on_proxy_staff_loaded(self, message: ProxyStaffLoaded) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.proxy_tasks import reassign_task

        task = self._picked()
        if task is None:
            return
        options = [(f"{p.name}（{p.staff_id}，分机 {p.extension}）", p.staff_id)
                   for p in message.result if p.staff_id != task.owner_id]
        if not options:
            self.say("没有其他在职的帮办代办人员可以改派", Level.ERROR)
            return

        def chosen(staff_id: str | None) -> None:
            if staff_id:
                run_use_case(self, TaskChanged, reassign_task, self.app.services, self.app.session, task.id,
                             staff_id)

        self.app.push_screen(ChoiceScreen(f"把 {task.case_no} 的{task.kind_name}改派给", options), chosen)

    def action_open_case(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.history import HistoryScreen

        task = self._picked()
        if task is not None:
            self.app.push_screen(HistoryScreen(task.case_id, task.case_no, task.holder_name))

    def action_checklist(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.checklist_screen import checklist_for

        task = self._picked()
        if task is not None:
            self.app.push_screen(checklist_for(self.app, task.case_id))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_sign_out(self) -> None:
        self.app.sign_out()


class NoteScreen(CarriesOn, ModalScreen[str | None]):
    """One note for a task: empty is not accepted, and what was typed stays until it is saved or dropped."""

    CSS_PATH = "../styles/proxy_tasks.tcss"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="pt-note"):
            yield Static(Text(self.title_text + "（回车保存，Esc 取消）"))
            yield Input(placeholder="办理情况，如：已向供电公司提交申请", id="note-text", max_length=NOTE_MAX)
            yield MessageLine(id="note-error")
        yield Footer()

    @on(Input.Submitted, "#note-text")
    def _submit(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#note-error", MessageLine).say("备注不能为空：请写下办理情况", Level.ERROR)
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SuggestionLoaded(Done):
    """``result``: the ``TaskSuggestion`` for the case."""


class TasksAdded(Done):
    """``result``: the tasks just added."""


class AddTasksScreen(CarriesOn, ModalScreen[list | None]):
    """Which proxy tasks a 全程代办 case gets (S3): every kind listed, the likely ones ticked; nothing is
    added until F10. Kinds the case already has are shown with their state and cannot be ticked."""

    CSS_PATH = "../styles/proxy_tasks.tcss"
    BINDINGS = [
        Binding("f10", "submit", "添加所选任务", priority=True),
        Binding("escape", "cancel", "取消"),
    ]
    app: DeskApp

    def __init__(self, case_id: int, case_no: str = "") -> None:
        super().__init__()
        self.case_id = case_id
        self.case_no = case_no
        self.offer: TaskSuggestion | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="pt-add"):
            yield Static(Text(f"办件 {self.case_no} 的代办任务"), id="pt-add-title")
            yield SelectionList[str](id="pt-kinds")
            yield MessageLine("正在读取……", id="pt-add-message")
        yield Footer()

    def on_mount(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.proxy_tasks import suggest_tasks

        run_use_case(self, SuggestionLoaded, suggest_tasks, self.app.services, self.app.session, self.case_id)
        self.query_one(SelectionList).focus()

    def on_suggestion_loaded(self, message: SuggestionLoaded) -> None:
        offer: TaskSuggestion = message.result
        self.offer = offer
        owner = offer.owner_name or "未分派（帮办代办到岗后在列表中改派）"
        self.query_one("#pt-add-title", Static).update(
            Text(f"{visible(offer.holder_name)}　办件 {offer.case_no} 的代办任务（全程代办，负责人：{owner}）"))
        kinds = self.query_one(SelectionList)
        for kind in ProxyTaskKind:
            had = offer.existing.get(kind)
            label = f"{KIND_NAMES[kind]}（{offer.days[kind]} 个工作日）"
            if kind not in offer.addable and had is not None:
                label = f"{KIND_NAMES[kind]}（已有：{STATE_NAMES[had]}）"
            kinds.add_option((Text(label), kind.value, kind in offer.suggested and kind in offer.addable))
            if kind not in offer.addable:
                kinds.disable_option_at_index(kinds.option_count - 1)
        kinds.highlighted = 0  # the cursor shows where the space bar acts from the start
        hint = "已按事项勾选建议的任务；" if offer.suggested else ""
        if not offer.full_proxy:
            self._error("该办件不是全程代办（S3），不能添加代办任务")
        else:
            self.query_one("#pt-add-message", MessageLine).say(
                f"{hint}空格勾选或取消，F10 添加所选任务，Esc 取消")

    def on_failed(self, message: Failed) -> None:
        self._error(message.reason)

    def _error(self, text: str) -> None:
        self.query_one("#pt-add-message", MessageLine).say(text, Level.ERROR)

    def action_submit(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.proxy_tasks import add_tasks

        if self.offer is None:
            self._error("仍在读取办件，请稍候")
            return
        chosen = [ProxyTaskKind(v) for v in self.query_one(SelectionList).selected]
        if not chosen:
            self._error("请至少勾选一项代办任务（空格勾选），或按 Esc 取消")
            return
        run_use_case(self, TasksAdded, add_tasks, self.app.services, self.app.session, self.case_id, chosen,
                     suggested=self.offer.suggested)

    def on_tasks_added(self, message: TasksAdded) -> None:
        self.dismiss(message.result)

    def action_cancel(self) -> None:
        self.dismiss(None)
