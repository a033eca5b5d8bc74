"""A case's history: every event in order, who did it and when (S10). Read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
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

# Every kind of event the services append (tests/tui/test_history_names.py keeps this complete): the
# history is read by hall staff and supervisors, who should never meet an identifier like "slip_spooled".
EVENT_NAMES = {
    # cards, cases and routing
    "card_scanned": "扫码查询", "card_override": "特批放行", "case_opened": "开办件",
    "case_routed": "分配洽谈室和协调员", "case_queued": "排队等候分配", "service_mode_changed": "更改办理方式",
    "uscc_override": "信用代码放行", "case_reassigned": "改派", "visitor_met": "协调员接待",
    "visit_ended": "离开洽谈室", "case_closed": "办结",
    # the checklist and its decisions (S6, S7)
    "material_received": "收到材料", "material_unticked": "取消收到", "material_supplemented": "补交材料",
    "material_corrected": "更正为未收", "material_updated": "修改材料记录",
    "material_condition": "条件材料", "fees_paid": "已缴费", "fees_unpaid": "取消缴费", "item_accepted": "受理",
    "item_conditional": "容缺受理", "item_not_accepted": "一次性告知",
    "item_conditional_needs_commitment": "待签容缺承诺书", "supplement_complete": "补正齐全",
    "document_issued": "出具文书", "clock_paused": "特殊程序（暂停计时）", "clock_resumed": "恢复计时",
    "conditional_returned": "容缺逾期退件", "deadline_recomputed": "重算期限", "sweep": "到期自动检查",
    # slips and printing
    "slip_scanned": "扫描回执", "slip_refused": "回执无效", "slip_printed": "打印回执",
    "slip_spooled": "回执存入打印队列", "slip_print_failed": "打印失败",
    # tickets and appointments
    "ticket_issued": "取号", "ticket_called": "叫号", "ticket_recalled": "重呼", "ticket_held": "暂挂",
    "ticket_returned": "回到队列", "ticket_transferred": "转窗口", "ticket_finished": "叫号办毕",
    "ticket_no_show": "过号未到", "appointment_booked": "预约", "appointment_checked_in": "预约签到",
    # staff and the system
    "signed_in": "登录", "signed_out": "签退", "sign_in_refused": "登录被拒", "wrong_pin": "密码错误",
    "account_locked": "账号锁定", "pin_set": "设置密码", "roster_imported": "导入持卡人名册",
    "reference_loaded": "载入基础数据", "demo_built": "生成演示数据",
}
FORMS = {"original": "原件", "copy": "复印件"}
CLOSE_REASONS = {"returned": "容缺逾期退件"}


def _or_none(value: object, names: dict[str, str] | None = None) -> str:
    if value in (None, ""):
        return "未分配"
    return (names or {}).get(str(value), str(value))


def event_name(kind: str) -> str:
    return EVENT_NAMES.get(kind, kind)


def describe(event: Event, items: dict[str, str] | None = None, people: dict[str, str] | None = None,
             lounges: dict[str, str] | None = None) -> str:
    """One line of what an event did, with names (items, staff, lounges) in place of codes."""
    d = event.details
    item = (items or {}).get(str(d.get("item", "")), d.get("item", ""))

    def person(key: str) -> str:
        return _or_none(d.get(key), people)

    def lounge(key: str) -> str:
        return _or_none(d.get(key), lounges)

    if event.kind == "case_opened":
        names = [(items or {}).get(code, code) for code in d.get("items", [])]
        return f"{d.get('case_no', '')}　事项：{'、'.join(names)}"
    if event.kind == "case_routed":
        extra = f"，帮办 {person('proxy')}" if d.get("proxy") else ""
        return f"{lounge('lounge')}，协调员 {person('coordinator')}{extra}（{d.get('mode', '')}）"
    if event.kind == "case_reassigned":
        return (f"洽谈室 {lounge('lounge_from')}→{lounge('lounge_to')}，协调员 "
                f"{person('coordinator_from')}→{person('coordinator_to')}；"
                f"理由：{d.get('reason', '')}")
    if event.kind in {"visitor_met", "visit_ended"}:
        where = lounge("lounge") if d.get("lounge") else ""
        waited = f"等候 {int(d.get('waited_s', 0)) // 60} 分钟" if event.kind == "visitor_met" else ""
        return "，".join(x for x in (where, waited) if x)
    if event.kind == "case_closed":
        reason = d.get("reason")
        return CLOSE_REASONS.get(str(reason), str(reason)) if reason else ""
    if event.kind.startswith("material_") and event.kind != "material_condition":
        form = FORMS.get(str(d.get("form", "")), "")
        note = f"；备注：{d['note']}" if d.get("note") else ""
        return f"{item}：{d.get('material', '')}{'（' + form + '）' if form else ''}{note}"
    if event.kind == "material_condition":
        return f"{item}：{d.get('material', '')} {'适用' if d.get('applies') else '不适用'}"
    if event.kind == "document_issued":
        return str(d.get("number", ""))
    if event.kind.startswith("item_"):
        missing = f"；缺：{'、'.join(d['missing'])}" if d.get("missing") else ""
        return f"{item}{missing}"
    if event.kind == "clock_paused":
        from hallterm.domain.reference import SPECIAL_PROCEDURES

        return f"{item}：{SPECIAL_PROCEDURES.get(str(d.get('procedure')), d.get('procedure'))}"
    if event.kind.startswith("slip_") and d.get("title"):
        again = "（补打）" if d.get("reprint") else ""
        error = f"：{d['error']}" if d.get("error") else ""
        return f"{d['title']}{again}{error}"
    if event.kind.startswith("ticket_") and d.get("number"):
        return str(d["number"])
    if "reason" in d:
        return f"理由：{d['reason']}"
    return str(item) if item else ""


def _history_with_names(svc, case_id: int):  # type: ignore[no-untyped-def]
    from hallterm.services.cases import catalog, get_case, history, lounge_names, staff_names

    return (get_case(svc, case_id), history(svc, case_id), staff_names(svc), {i.code: i.name for i in catalog(svc)},
            lounge_names(svc))


def history_title(case_no: str, holder_name: str) -> str:
    """Who the case belongs to comes first: the clerk checks it is the visitor in front of them."""
    who = f"{holder_name}　" if holder_name else ""
    return f"{who}办件 {case_no} 的记录（只读，不能修改或删除）"


class HistoryLoaded(Done):
    """``result``: the case, its events, and the names they refer to."""


class HistoryScreen(ModalScreen[None]):
    CSS_PATH = "../styles/lists.tcss"
    BINDINGS = [Binding("escape", "dismiss_history", "返回")]
    app: DeskApp

    def __init__(self, case_id: int, case_no: str, holder_name: str = "") -> None:
        super().__init__()
        self.case_id = case_id
        self.case_no = case_no
        self.holder_name = holder_name  # filled from the case once loaded, when the caller did not know it

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            yield Static(Text(history_title(self.case_no, self.holder_name)), id="history-title")
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("时间", "操作", "经办人", "内容")
        run_use_case(self, HistoryLoaded, _history_with_names, self.app.services, self.case_id)

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        tz = self.app.settings.hall.tz
        table = self.query_one(DataTable)
        case, history, people, items, lounges = message.result
        if case is not None:
            self.holder_name, self.case_no = case.holder_name, case.case_no
            self.query_one("#history-title", Static).update(Text(history_title(self.case_no, self.holder_name)))
        for event in history:
            who = people.get(event.staff_id or "", event.staff_id or "系统")
            table.add_row(f"{event.at.astimezone(tz):%m-%d %H:%M:%S}", event_name(event.kind),
                          who, Text(describe(event, items, people, lounges)))
        table.focus()

    def on_failed(self, message: Failed) -> None:
        self.query_one("#history-title", Static).update(Text(message.reason))

    def action_dismiss_history(self) -> None:
        self.dismiss(None)
