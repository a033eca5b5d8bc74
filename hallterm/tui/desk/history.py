"""A case's history: every event in order, who did it and when (S10). Read-only."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from hallterm.domain.checklist import FORM_NAMES, MaterialForm
from hallterm.domain.events import EventKind
from hallterm.domain.ids import mask_name
from hallterm.domain.terminal_text import visible
from hallterm.domain.waits import minutes_of, minutes_text
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.messages import Done, Failed
from hallterm.tui.widgets.carry_on import CarriesOn

if TYPE_CHECKING:
    from hallterm.services.case_views import CaseEvent
    from hallterm.tui.desk.app import DeskApp

CLOSE_REASONS = {"returned": "容缺逾期退件", "handed_out": "全部事项已领取或办结", "ended": "全部事项已办结"}



def _form_name(code: str) -> str:
    """原件/复印件 for a stored form code; nothing for none or one this version does not know."""
    try:
        return FORM_NAMES[MaterialForm(code)]
    except ValueError:
        return ""

def _or_none(value: object, names: dict[str, str] | None = None) -> str:
    if value in (None, ""):
        return "未分配"
    return (names or {}).get(str(value), str(value))


def event_name(event: CaseEvent) -> Text:
    """The kind's Chinese name; a kind from a newer version is shown as stored, as plain text (never markup)."""
    return Text(event.label)


def describe(event: CaseEvent, items: dict[str, str] | None = None, people: dict[str, str] | None = None,
             lounges: dict[str, str] | None = None) -> str:
    """One line of what an event did, with names (items, staff, lounges) in place of codes."""
    d = event.details
    item = (items or {}).get(str(d.get("item", "")), d.get("item", ""))

    def person(key: str) -> str:
        return _or_none(d.get(key), people)

    def lounge(key: str) -> str:
        return _or_none(d.get(key), lounges)

    if event.kind == EventKind.CASE_OPENED:
        names = [(items or {}).get(code, code) for code in d.get("items", [])]
        return f"{d.get('case_no', '')}　事项：{'、'.join(names)}"
    if event.kind == EventKind.CASE_ROUTED:
        extra = f"，帮办 {person('proxy')}" if d.get("proxy") else ""
        return f"{lounge('lounge')}，协调员 {person('coordinator')}{extra}（{d.get('mode', '')}）"
    if event.kind == EventKind.CASE_REASSIGNED:
        return (f"洽谈室 {lounge('lounge_from')}→{lounge('lounge_to')}，协调员 "
                f"{person('coordinator_from')}→{person('coordinator_to')}；"
                f"理由：{d.get('reason', '')}")
    if event.kind in {EventKind.VISITOR_MET, EventKind.VISIT_ENDED}:
        where = lounge("lounge") if d.get("lounge") else ""
        met = event.kind == EventKind.VISITOR_MET
        waited = f"等候 {minutes_text(minutes_of(int(d.get('waited_s', 0))))}" if met else ""
        return "，".join(x for x in (where, waited) if x)
    if event.kind == EventKind.CASE_CLOSED:
        reason = d.get("reason")
        return CLOSE_REASONS.get(str(reason), str(reason)) if reason else ""
    if event.kind.startswith("material_") and event.kind != EventKind.MATERIAL_CONDITION:
        form = _form_name(str(d.get("form", "")))
        note = f"；备注：{d['note']}" if d.get("note") else ""
        return f"{item}：{d.get('material', '')}{'（' + form + '）' if form else ''}{note}"
    if event.kind == EventKind.MATERIAL_CONDITION:
        return f"{item}：{d.get('material', '')} {'适用' if d.get('applies') else '不适用'}"
    if event.kind == EventKind.DOCUMENT_ISSUED:
        return str(d.get("number", ""))
    if event.kind == EventKind.ITEM_DECIDED:
        verdict = "准予许可" if d.get("approved") else "不予许可"
        number = f"，{d['decision_no']}" if d.get("decision_no") else ""
        why = f"；理由：{d['reason']}" if d.get("reason") else ""
        return f"{item}：{verdict}{number}{why}"
    if event.kind == EventKind.ITEMS_HANDED_OUT:
        names = [(items or {}).get(code, code) for code in d.get("items", [])]
        who = {"holder": "本人领取", "agent": "代理人领取"}.get(str(d.get("recipient_kind")), "")
        return f"{'、'.join(names)}（{d.get('counter', '')}{'，' + who if who else ''}）"
    if event.kind.startswith("item_"):
        missing = f"；缺：{'、'.join(d['missing'])}" if d.get("missing") else ""
        return f"{item}{missing}"
    if event.kind == EventKind.CLOCK_PAUSED:
        # lazy: off the desk's start path: only this action needs it
        from hallterm.domain.reference import SPECIAL_PROCEDURES

        return f"{item}：{SPECIAL_PROCEDURES.get(str(d.get('procedure')), d.get('procedure'))}"
    if event.kind.startswith("slip_") and d.get("title"):
        again = "（补打）" if d.get("reprint") else ""
        error = f"：{d['error']}" if d.get("error") else ""
        return f"{d['title']}{again}{error}"
    if event.kind == EventKind.QUEUE_LEFT:
        # The kind's name says what happened; the detail is who is to call back (older rows stored a code).
        return "日终仍未分配洽谈室，已离开排队，列入回访名单（" + (d.get("section") or "业务协调科") + "）"
    if event.kind.startswith("ticket_") and d.get("number"):
        return str(d["number"])
    if event.kind.startswith("proxy_task_"):
        return _proxy_task_line(event, person)
    if "reason" in d:
        return f"理由：{d['reason']}"
    return str(item) if item else ""


def _proxy_task_line(event: CaseEvent, person: Callable[[str], str]) -> str:
    """A proxy task's step (S3): which task, and what changed."""
    # lazy: off the desk's start path: only the history of a 全程代办 case needs it
    from hallterm.domain.proxy_tasks import KIND_NAMES, STATE_NAMES, ProxyTaskKind, ProxyTaskState

    d = event.details

    def name(table: dict, enum: type, value: object) -> str:
        try:
            return str(table[enum(value)])
        except ValueError:
            return str(value)

    task = name(KIND_NAMES, ProxyTaskKind, d.get("task_kind"))
    if event.kind == EventKind.PROXY_TASK_ADDED:
        return f"{task}，负责人 {person('owner')}，期限 {d.get('due_on', '')}"
    if event.kind == EventKind.PROXY_TASK_MOVED:
        before = name(STATE_NAMES, ProxyTaskState, d.get("from_state"))
        step = f"{before}→{name(STATE_NAMES, ProxyTaskState, d.get('to_state'))}"
        return f"{task}：{step}" + (f"；理由：{d['reason']}" if d.get("reason") else "")
    if event.kind == EventKind.PROXY_TASK_NOTE:
        return f"{task}：{d.get('text', '')}"
    if event.kind == EventKind.PROXY_TASK_REASSIGNED:
        return f"{task}：{person('owner_from')}→{person('owner_to')}"
    return task


def _history_with_names(svc, case_id: int):
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.services.cases import catalog, get_case, history, lounge_names, staff_names

    return (get_case(svc, case_id), history(svc, case_id), staff_names(svc), {i.code: i.name for i in catalog(svc)},
            lounge_names(svc))


def history_title(case_no: str, holder_name: str) -> str:
    """Who the case belongs to comes first: the clerk checks it is the visitor in front of them."""
    who = f"{visible(holder_name)}　" if holder_name else ""
    return f"{who}办件 {case_no} 的记录（只读，不能修改或删除）"


class HistoryLoaded(Done):
    """``result``: the case, its events, and the names they refer to."""


class HistoryScreen(CarriesOn, ModalScreen[None]):
    CSS_PATH = "../styles/lists.tcss"
    BINDINGS = [Binding("escape", "dismiss_history", "返回")]
    app: DeskApp

    def __init__(self, case_id: int, case_no: str, holder_name: str = "", *, mask_holder: bool = False) -> None:
        super().__init__()
        self.case_id = case_id
        self.case_no = case_no
        self.holder_name = holder_name  # filled from the case once loaded, when the caller did not know it
        # The supervisor's drill-down (issue 14) looks at the work, not at the person: the name stays masked.
        self.mask_holder = mask_holder

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
            if self.mask_holder:
                self.holder_name = mask_name(case.holder_name)
            self.query_one("#history-title", Static).update(Text(history_title(self.case_no, self.holder_name)))
        for event in history:
            who = people.get(event.staff_id or "", event.staff_id or "系统")
            table.add_row(f"{event.at.astimezone(tz):%m-%d %H:%M:%S}", event_name(event),
                          who, Text(describe(event, items, people, lounges)))
        table.focus()

    def on_failed(self, message: Failed) -> None:
        self.query_one("#history-title", Static).update(Text(message.reason))

    def action_dismiss_history(self) -> None:
        self.dismiss(None)
