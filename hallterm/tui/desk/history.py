"""A case's history: every event in order, who did it and when (S10). Read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.messages import Done, Failed

if TYPE_CHECKING:
    from hallterm.storage.events import Event
    from hallterm.tui.desk.app import DeskApp

EVENT_NAMES = {
    "card_scanned": "扫码查询", "card_override": "特批放行", "case_opened": "开办件",
    "case_routed": "分配洽谈室和协调员",
    "case_queued": "排队等候分配", "service_mode_changed": "更改办理方式", "uscc_override": "信用代码放行",
    "case_reassigned": "改派", "visitor_met": "协调员接待", "visit_ended": "离开洽谈室", "case_closed": "办结",
}


def describe(event: Event) -> str:
    d = event.details
    if event.kind == "case_opened":
        return f"{d.get('case_no', '')} 事项 {', '.join(d.get('items', []))}"
    if event.kind == "case_routed":
        extra = f"，帮办 {d['proxy']}" if d.get("proxy") else ""
        return f"洽谈室 {d.get('lounge')}，协调员 {d.get('coordinator')}{extra}（{d.get('mode', '')}）"
    if event.kind == "case_reassigned":
        return (f"洽谈室 {d.get('lounge_from')}→{d.get('lounge_to')}，协调员 {d.get('coordinator_from')}→"
                f"{d.get('coordinator_to')}；理由：{d.get('reason', '')}")
    if "reason" in d:
        return f"理由：{d['reason']}"
    if event.kind == "visitor_met":
        return f"等候 {int(d.get('waited_s', 0)) // 60} 分钟"
    return ""


class HistoryScreen(ModalScreen[None]):
    CSS_PATH = "../styles/lists.tcss"
    BINDINGS = [Binding("escape", "dismiss_history", "返回")]
    app: DeskApp

    def __init__(self, case_id: int, case_no: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.case_no = case_no

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            yield Static(Text(f"办件 {self.case_no} 的记录（只读，不能修改或删除）"), id="history-title")
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        from hallterm.services.cases import history

        table = self.query_one(DataTable)
        table.add_columns("时间", "操作", "经办人", "内容")
        run_use_case(self, "history", history, self.app.services, self.case_id)

    @on(Done)
    def _loaded(self, message: Done) -> None:
        tz = self.app.settings.hall.tz
        table = self.query_one(DataTable)
        for event in message.result:
            table.add_row(f"{event.at.astimezone(tz):%m-%d %H:%M:%S}", EVENT_NAMES.get(event.kind, event.kind),
                          event.staff_id or "", Text(describe(event)))
        table.focus()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.query_one("#history-title", Static).update(Text(message.reason))

    def action_dismiss_history(self) -> None:
        self.dismiss(None)
