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
    "case_routed": "分配洽谈室和协调员", "case_queued": "排队等候分配", "service_mode_changed": "更改办理方式",
    "uscc_override": "信用代码放行", "case_reassigned": "改派", "visitor_met": "协调员接待",
    "visit_ended": "离开洽谈室", "case_closed": "办结", "material_received": "收到材料",
    "material_unticked": "取消收到", "material_supplemented": "补交材料", "material_condition": "条件材料",
    "fees_paid": "已缴费", "fees_unpaid": "取消缴费", "item_accepted": "受理", "item_conditional": "容缺受理",
    "item_not_accepted": "一次性告知", "supplement_complete": "补正齐全", "document_issued": "出具文书",
    "clock_paused": "特殊程序（暂停计时）", "clock_resumed": "恢复计时", "conditional_returned": "容缺逾期退件",
    "deadline_recomputed": "重算期限",
}
FORMS = {"original": "原件", "copy": "复印件"}


def _or_none(value: object) -> str:
    return "未分配" if value in (None, "") else str(value)


def describe(event: Event, items: dict[str, str] | None = None) -> str:
    d = event.details
    item = (items or {}).get(str(d.get("item", "")), d.get("item", ""))
    if event.kind == "case_opened":
        names = [(items or {}).get(code, code) for code in d.get("items", [])]
        return f"{d.get('case_no', '')}　事项：{'、'.join(names)}"
    if event.kind == "case_routed":
        extra = f"，帮办 {d['proxy']}" if d.get("proxy") else ""
        return f"洽谈室 {d.get('lounge')}，协调员 {d.get('coordinator')}{extra}（{d.get('mode', '')}）"
    if event.kind == "case_reassigned":
        return (f"洽谈室 {_or_none(d.get('lounge_from'))}→{_or_none(d.get('lounge_to'))}，协调员 "
                f"{_or_none(d.get('coordinator_from'))}→{_or_none(d.get('coordinator_to'))}；"
                f"理由：{d.get('reason', '')}")
    if event.kind in {"material_received", "material_unticked", "material_supplemented"}:
        form = FORMS.get(str(d.get("form", "")), "")
        note = f"；备注：{d['note']}" if d.get("note") else ""
        return f"{item}：{d.get('material', '')}{'（' + form + '）' if form else ''}{note}"
    if event.kind == "material_condition":
        return f"{item}：{d.get('material', '')} {'适用' if d.get('applies') else '不适用'}"
    if event.kind == "document_issued":
        return str(d.get("number", ""))
    if event.kind in {"item_accepted", "item_conditional", "item_not_accepted"}:
        missing = f"；缺：{'、'.join(d['missing'])}" if d.get("missing") else ""
        return f"{item}{missing}"
    if event.kind == "clock_paused":
        from hallterm.domain.reference import SPECIAL_PROCEDURES

        return f"{item}：{SPECIAL_PROCEDURES.get(str(d.get('procedure')), d.get('procedure'))}"
    if "reason" in d:
        return f"理由：{d['reason']}"
    if event.kind == "visitor_met":
        return f"等候 {int(d.get('waited_s', 0)) // 60} 分钟"
    return str(item) if item else ""


def _history_with_names(svc, case_id: int):  # type: ignore[no-untyped-def]
    from hallterm.services.cases import catalog, history, staff_names

    return history(svc, case_id), staff_names(svc), {i.code: i.name for i in catalog(svc)}


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
        table = self.query_one(DataTable)
        table.add_columns("时间", "操作", "经办人", "内容")
        run_use_case(self, "history", _history_with_names, self.app.services, self.case_id)

    @on(Done)
    def _loaded(self, message: Done) -> None:
        tz = self.app.settings.hall.tz
        table = self.query_one(DataTable)
        history, people, items = message.result
        for event in history:
            who = people.get(event.staff_id or "", event.staff_id or "系统")
            table.add_row(f"{event.at.astimezone(tz):%m-%d %H:%M:%S}", EVENT_NAMES.get(event.kind, event.kind),
                          who, Text(describe(event, items)))
        table.focus()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.query_one("#history-title", Static).update(Text(message.reason))

    def action_dismiss_history(self) -> None:
        self.dismiss(None)
