"""The scan screen: a card is scanned, the holder shown, a case opened and routed (S1, S4, S9).

Its keys and layout are here, with what it loads once connected and why a key does nothing now; what
the keys do is in its parts: desk_scan.py (the scan field), desk_cases.py (opening and routing a
case), desk_goto.py (the keys that open other screens), over the state they share (desk_base.py).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Header, Static

from hallterm.domain.auth import ROLE_NAMES, allowed, not_allowed, who_may
from hallterm.domain.terminal_text import visible
from hallterm.tui.desk.ahead import prepare_ahead
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.deadline_bar import DeadlineBar, DeadlinesLoaded, deadlines_now
from hallterm.tui.desk.desk_cases import CaseOpened, CaseRefreshed, DeskCases
from hallterm.tui.desk.desk_goto import DeskGoto
from hallterm.tui.desk.desk_scan import DeskScan
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.desk.messages import Done, Failed, ServicesReady
from hallterm.tui.desk.outage import DatabaseBack
from hallterm.tui.desk.routing_panel import RoutingPanel
from hallterm.tui.widgets.message_line import Level, MessageLine
from hallterm.tui.widgets.scan_field import ScanField


class CatalogLoaded(Done):
    """``result``: the items a case can be opened for."""


class DeskScreen(DeskGoto, DeskCases, DeskScan):
    CSS_PATH = "../styles/desk_screen.tcss"
    # Esc goes back to the calling screen only while a called ticket's holder is on screen; otherwise it
    # falls through to clear_field on the same key, without a word.
    FALLS_THROUGH = frozenset({"back_to_calling"})
    BINDINGS = [
        # Footer order is what a narrow (80-column) counter terminal keeps: the steps of a visit first; the
        # keys that do not fit leave the footer (fit_footer) and stay in the command palette.
        Binding("f2", "new_scan", "新扫描", id="new_scan"),
        Binding("f3", "open_case", "开办件", id="open_case"),
        Binding("f4", "override", "特批放行", id="override"),
        Binding("f10", "print_slip", "打印", id="print_slip"),
        Binding("f12", "checklist", "材料清单", id="checklist"),
        Binding("f6", "history", "记录", id="history"),
        Binding("f7", "reassign", "改派", id="reassign"),
        Binding("f8", "route_queued", "分配排队", id="route_queued"),
        Binding("f9", "coordinator_view", "协调员视图", id="coordinator_view"),
        Binding("f11", "calling", "叫号", id="calling"),
        Binding("ctrl+r", "reprint", "补打", id="reprint"),
        # 好差评 (issue 13): a supervisor's list of every 差评 follow-up; anyone else's own
        Binding("ctrl+f", "follow_ups", "差评整改", show=False, id="follow_ups"),
        Binding("ctrl+o", "sign_out", "签退", id="sign_out"),
        Binding("f5", "app.reconnect", "重新连接", show=False, id="reconnect"),
        # Before clear_field on the same key: while a called ticket's holder is on screen, Esc goes back.
        Binding("escape", "back_to_calling", "返回叫号", id="back_to_calling"),
        Binding("escape", "clear_field", "清空输入", show=False, id="clear_field"),
        # Last: on a narrow terminal it leaves the footer first (it stays in the palette, Ctrl+P).
        Binding("ctrl+y", "booking", "预约", id="booking"),
        # S5 提前介入 (issue 13): log, find and convert early consultations; preset with the holder on screen.
        Binding("ctrl+g", "consultations", "咨询", id="consultations"),
        # S3 全程代办: confirm the case's proxy tasks (the likely kinds ticked); shown only for such a case.
        Binding("ctrl+n", "proxy_tasks", "代办任务", id="desk_proxy_tasks"),
        # S9: staff at the 统一发证窗口 hand results out from the ordinary desk (issue 13)
        Binding("ctrl+l", "issuing", "发证窗口", id="issuing"),
        # S6: the after-hours handover (issue 12). In the footer when there is room (it leaves it first on
        # a narrow terminal); the evening panel and the coordinators' banner name it, the palette and F1 list it.
        Binding("ctrl+t", "handover", "交接单", id="handover"),
        # S10 (issue 14): a supervisor's figures and charts (Ctrl+S: 督查/统计; the F-keys are all taken, and the
        # scan field keeps Ctrl+K for itself). Shown to supervisors only; the coordinators' view has it as K.
        Binding("ctrl+s", "supervision", "督查考核", id="desk_supervision"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="scan-box"):
            yield Static("钢都英才卡", id="scan-label")
            yield ScanField(id="scan")
        yield MessageLine(id="notice")
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.handover import EveningPanel, is_evening_desk

        if is_evening_desk(self.app):  # S6: the after-hours desk shows the evening's appointments first
            yield EveningPanel(id="evening")
        # services.cases.HALL_ROLES, written out: importing services here would load SQLAlchemy at desk start
        if self.app.session is not None and self.app.session.role in {"supervisor", "admin"}:
            from hallterm.tui.desk.follow_ups import FollowUpBanner  # lazy: as above, and only for supervisors

            yield FollowUpBanner(id="follow-up-banner")  # S10: the hall's 差评整改 still open (issue 13)
        yield DeadlineBar("", id="deadline-bar")
        with VerticalScroll(id="answer"):
            yield RoutingPanel(id="routing")
            yield HolderPanel(id="holder")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(ScanField).focus()
        session = self.app.session
        who = f"{session.name}（{session.staff_id}）" if session else ""
        self.sub_title = f"{self.app.sub_title}　{who}"
        if self.app.services is None:
            self.say(self.app.connect_error or "正在连接数据库……可以先扫码，连接后自动查询",
                     Level.ERROR if self.app.connect_error else Level.BUSY)
        else:
            self.say(self._prompt())
            self._load_catalog()

    def _load_catalog(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.cases import catalog

        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.booking import start_missed_sweep

        run_use_case(self, CatalogLoaded, catalog, self.app.services)
        self._load_deadlines()
        if self.app.services is not None:
            start_missed_sweep(self, self.app.services)

    def _load_deadlines(self) -> None:
        run_use_case(self, DeadlinesLoaded, deadlines_now, self.app.services)

    @on(ServicesReady)
    def _on_ready(self, message: ServicesReady) -> None:
        if message.error:
            self.say(message.error, Level.ERROR)
            return
        self.say(message.note or self._prompt())
        self._load_catalog()
        pending, self._pending = self._pending, []
        for seq, text in pending:
            self._check(seq, text)

    @on(DatabaseBack)
    def _on_database_back(self) -> None:
        """The scan the database was away for is looked up now, if it is still in the field (issue 15 point 4)."""
        if self._catalog is None:
            self._load_catalog()
        text, self._parked_scan = self._parked_scan, ""
        field = self.query_one(ScanField)
        if text and field.value == text.strip("\r\n\t") and self.app.services is not None:
            self._seq += 1
            self.say("数据库已恢复，正在重新查询……", Level.BUSY)
            self._check(self._seq, text)

    def on_screen_resume(self) -> None:
        if self.app.services is not None and self.is_mounted:
            self._load_deadlines()  # back from the checklist: the counts may have moved
            from hallterm.tui.desk.follow_ups import FollowUpBanner  # lazy: a screen's module, on first use

            for banner in self.query(FollowUpBanner):  # back from the follow-ups: closed ones go
                banner.load()
            if self.last_case is not None:
                self._refresh_last_case()

    def on_catalog_loaded(self, message: CatalogLoaded) -> None:
        self._catalog = message.result
        prepare_ahead(self, message.result)  # the case form composed, stylesheets read, before the first F3

    def on_deadlines_loaded(self, message: DeadlinesLoaded) -> None:
        self.query_one(DeadlineBar).show(*message.result, self._role())

    def on_failed(self, message: Failed) -> None:
        # A refresh the clerk did not ask for: the standing notice tells of the outage and the line keeps
        # what the clerk's own last act came to (DatabaseBack reloads what is missing).
        if message.outage and message.request in (CatalogLoaded, DeadlinesLoaded, CaseRefreshed):
            return
        if message.request is CaseOpened and message.parked:
            self.say(f"{message.reason}。办件已记下，数据库恢复后自动提交（不会重复开办）", Level.ERROR)
        elif message.request is CaseOpened and self._draft is not None:
            self.say(f"{message.reason}。按 F3 修改后重新提交（已填内容保留）", Level.ERROR)
        else:
            self.say(message.reason, Level.ERROR)
        self.query_one(ScanField).focus()

    def why_not(self, action: str) -> str:
        """Why a key does nothing now, in one line ("" when it acts). The footer shows only the keys that
        act (ExplainsKeys); a key pressed anyway says this."""
        role = self._role()
        check = self.query_one(HolderPanel).check if self.is_mounted else None
        no_card = "屏幕上没有持卡人：请先扫描钢都英才卡"
        no_case = "屏幕上没有办件：请先扫描持卡人的卡并按 F3 开办件"
        if action == "open_case":
            if not allowed(role, "open_case"):
                return not_allowed(role, "open_case")
            if check is None and self.last_case is not None:
                # The holder panel gives way to the routing panel once the case is open: F3 would open a
                # second case of the same visit, so it names the one open and what comes next.
                case = self.last_case
                return (f"已为 {visible(case.holder_name)} 开办件 {case.case_no}（见上方）：按 F12 核对材料、F10 打印；"
                        "要为其另办一件，请重新扫描其卡后按 F3")
            if check is None:
                return f"{no_card}，再按 F3 开办件"
            if not check.ok:
                override = "；督查人员可按 F4 特批放行" if check.holder and allowed(role, "override_card") else ""
                return f"此卡不能走绿色通道，不能开办件（原因见下方）{override}"
        if action == "override":
            if not allowed(role, "override_card"):
                return not_allowed(role, "override_card")
            if check is None and self.last_case is not None:
                return f"{visible(self.last_case.holder_name)} 的办件 {self.last_case.case_no} 已开办：无需特批"
            if check is None:
                return f"{no_card}，再按 F4 特批放行"
            if check.holder is None:
                return "此卡号不在人才名册中，不能特批放行"
            if check.ok:
                return "此卡有效，无需特批：按 F3 开办件"
        if action == "checklist":
            if not allowed(role, "checklist"):
                return not_allowed(role, "checklist")
            if self.last_case is None:
                return f"{no_case}，再按 F12 核对材料"
        if action == "history":
            if not allowed(role, "view_history"):
                return not_allowed(role, "view_history")
            if self.last_case is None:
                return "屏幕上没有办件：扫描持卡人的卡后，按 F6 查看其在办件的记录"
        if action == "reassign":
            if not allowed(role, "reassign"):
                return not_allowed(role, "reassign")
            if self.last_case is None:
                return f"{no_case}，再按 F7 改派"
        if action == "proxy_tasks":
            if not allowed(role, "proxy_tasks"):
                return not_allowed(role, "proxy_tasks")
            if self.last_case is None:
                return f"{no_case}，再按 Ctrl+N 添加代办任务"
            if not self.last_case.full_proxy:
                return f"办件 {self.last_case.case_no} 不是全程代办（S3）：只有全程代办的办件有代办任务"
        if action == "route_queued" and not allowed(role, "reassign"):
            return not_allowed(role, "reassign")
        if action == "coordinator_view" and not allowed(role, "mark_met"):
            return f"协调员视图供{who_may('mark_met')}使用；您以{ROLE_NAMES.get(role, role)}身份登录"
        if action == "calling" and not allowed(role, "call_ticket"):
            return not_allowed(role, "call_ticket")
        if action == "issuing" and not allowed(role, "hand_out"):
            return not_allowed(role, "hand_out")
        if action == "booking":
            check = check or self._routed_check  # booking after the case is routed (an early consultation)
            if not allowed(role, "book_appointment"):
                return not_allowed(role, "book_appointment")
            if self._looking_up():  # the panel may still show the previous holder: action_booking waits
                return ""
            if check is None or check.holder is None:
                return f"{no_card}，再按 Ctrl+Y 预约" if check is None else "此卡号不在人才名册中，不能预约"
            if not check.ok:
                return f"不能预约：{check.message}"  # the desk's own words (S4), as the service says them
        if action == "consultations" and not allowed(role, "consult"):
            return not_allowed(role, "consult")
        if action == "consultations" and self.app.services is None:
            return "数据库尚未连接：连接后再按 Ctrl+G"
        if action == "print_slip" and self.last_case is None and self.checked_in is None:
            return "没有可打印的回执：先开办件（F3），或扫描预约回执签到"
        if action == "back_to_calling" and self.calling_ticket is None:
            return "只在叫号屏按 O 打开持卡人后可用（此时 Esc 清空输入）"
        if action == "supervision" and not allowed(role, "supervise"):
            return not_allowed(role, "supervise")
        return ""

    def action_new_scan(self) -> None:
        field = self.query_one(ScanField)
        field.clear()
        field.focus()
        self._clear_visitor()
        self._after_lookup = None
        if self.app.services is not None:
            self.say(self._prompt())
        self.refresh_bindings()

    def action_clear_field(self) -> None:
        self.query_one(ScanField).clear()

    def action_sign_out(self) -> None:
        self.app.sign_out()
