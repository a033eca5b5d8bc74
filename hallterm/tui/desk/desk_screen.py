"""The scan screen: a card is scanned, the holder shown, a case opened and routed (S1, S4, S9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from hallterm.domain.auth import ROLE_NAMES, allowed, not_allowed, who_may
from hallterm.tui.desk.ahead import prepare_ahead
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.deadline_bar import DeadlineBar, DeadlinesLoaded, deadlines_now
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.desk.keys import ExplainsKeys, FitsFooter
from hallterm.tui.desk.messages import CardChecked, Done, Failed, ScanRefused, ServeCalledHolder, ServicesReady
from hallterm.tui.desk.outage import DatabaseBack, DatabaseDown
from hallterm.tui.desk.routing_panel import RoutingPanel
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine
from hallterm.tui.widgets.scan_field import ScanField

if TYPE_CHECKING:
    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.holders import CardCheck
    from hallterm.services.case_views import CaseView
    from hallterm.services.cases import CatalogItem, QueueRouting
    from hallterm.services.checklist import IssuedDocument
    from hallterm.services.context import Services
    from hallterm.services.print_jobs import PrintOutcome
    from hallterm.services.ticket_view import TicketView
    from hallterm.tui.desk.app import DeskApp
    from hallterm.tui.desk.print_screens import PreviewReady, SlipChecked


class CatalogLoaded(Done):
    """``result``: the items a case can be opened for."""



class HolderCasesFound(Done):
    """``result``: the open cases of the holder just scanned, newest first."""


class CaseOpened(Done):
    """``result``: the case just opened and routed."""


class CaseReassigned(Done):
    """``result``: the case after its reassignment."""


class QueuedRouted(Done):
    """``result``: how many waiting holders were given a room and a coordinator."""


class CaseRefreshed(Done):
    """``result``: (the screen's case generation when the refresh started, the case as it is now or None)."""


def _case_now(services: Services, case_id: int, generation: int) -> tuple[int, CaseView | None]:
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.services.cases import get_case

    return generation, get_case(services, case_id)


class ArrivalCheckedIn(Done):
    """``result``: the ticket issued for today's appointment of the card just scanned (None: it has none)."""


class DeskScreen(WithMessageLine, FitsFooter, ExplainsKeys, Screen[None]):
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
    app: DeskApp

    def __init__(self) -> None:
        super().__init__()
        self._pending: list[tuple[int, str]] = []
        self._seq = 0
        self._shown_seq = 0
        # The case the case keys (F6, F7, F10, F12) act on: always one of the holder on screen. A scan of
        # someone else clears it, so a clerk can never reassign or tick the visitor before by mistake.
        self.last_case: CaseView | None = None
        self._routed_check: CardCheck | None = None  # the holder of the case just routed (for Ctrl+Y)
        self._case_generation = 0  # moves on with each authoritative answer about last_case (see on_case_refreshed)
        self._draft: CaseDraft | None = None  # a form closed without opening is kept, never lost
        self._catalog: list[CatalogItem] | None = None
        self.checked_in: TicketView | None = None  # the ticket issued when an appointment slip was scanned
        self._print_first: tuple[int, IssuedDocument] | None = None  # the notice F10 opens on, of that case
        self.calling_ticket: str | None = None  # the ticket whose holder the calling screen opened here (O)
        # Ctrl+Y or Ctrl+G pressed while a scan is looked up: (the action, the scan it waits for). It runs
        # when that scan's answer is drawn, for that holder, never for the one still on screen.
        self._after_lookup: tuple[str, int] | None = None
        self._parked_scan = ""  # a scan the database was away for: looked up again when it is back

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

    def _prompt(self) -> str:
        """What to do next; in the demo, with the sample cards to try (they are nowhere else on screen)."""
        demo = self.app.demo_note.splitlines()[-1] if self.app.demo_note else ""
        return "请扫描钢都英才卡，或输入卡号后按回车" + (f"\n演示{demo}" if demo else "")

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

    def on_screen_resume(self) -> None:
        if self.app.services is not None and self.is_mounted:
            self._load_deadlines()  # back from the checklist: the counts may have moved
            from hallterm.tui.desk.follow_ups import FollowUpBanner  # lazy: a screen's module, on first use

            for banner in self.query(FollowUpBanner):  # back from the follow-ups: closed ones go
                banner.load()
            if self.last_case is not None:
                self._refresh_last_case()

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
                return (f"已为 {case.holder_name} 开办件 {case.case_no}（见上方）：按 F12 核对材料、F10 打印；"
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
                return f"{self.last_case.holder_name} 的办件 {self.last_case.case_no} 已开办：无需特批"
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

    def _wait_for_lookup(self, action: str, what: str) -> bool:
        """While a scan is looked up, the key is remembered and runs once its answer is drawn (True)."""
        if not self._looking_up():
            return False
        self._after_lookup = (action, self._seq)
        self.say(f"正在查询持卡人，查到后自动打开{what}……", Level.BUSY)
        return True

    def _run_after_lookup(self, seq: int) -> None:
        """The answer of scan ``seq`` is drawn: the key pressed while it was looked up runs now, if the card
        allows it (else the refusal already on screen stays) and the clerk is still on the desk."""
        waiting, self._after_lookup = self._after_lookup, None
        if waiting is None or waiting[1] != seq or self.app.screen is not self or self.why_not(waiting[0]):
            return
        getattr(self, f"action_{waiting[0]}")()

    def _looking_up(self) -> bool:
        """A scan is still being looked up (its answer not drawn yet), or waits for the database."""
        return bool(self._pending) or self._seq > self._shown_seq

    # -- scanning ---------------------------------------------------------------------------

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

    @on(Input.Submitted, "#scan")
    def _on_scan(self, event: Input.Submitted) -> None:
        text = event.value
        if not text.strip():
            return
        self._seq += 1
        if self.app.services is None:
            self._pending.append((self._seq, text))
            self.say(f"已记下 {len(self._pending)} 次扫码，数据库连接后自动查询", Level.BUSY)
            return
        self.say("正在查询……", Level.BUSY)
        self._check(self._seq, text)
        self.refresh_bindings()  # Ctrl+Y waits for this answer

    @work(thread=True, exit_on_error=False, group="scan")
    def _check(self, seq: int, text: str) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.domain.cards import ScanError
        from hallterm.services.check_in import check_scan
        from hallterm.services.errors import explain, is_outage
        from hallterm.tui.desk.print_screens import SlipChecked

        assert self.app.services is not None
        try:
            result = check_scan(self.app.services, text, session=self.app.session)
        except ScanError as exc:
            self.post_message(ScanRefused(seq, text, str(exc)))
        except Exception as exc:  # the database or a fault: never lose the scan, the same text can be retried
            reason = explain(exc, fault="查询出错", advice="")
            if is_outage(exc):  # the app probes; the scan still in the field is looked up when it is back
                self.app.post_message(DatabaseDown(reason))
                reason += "。数据库恢复后自动查询，也可按回车重试"
            else:
                reason += "。请按回车重试"
            self.post_message(ScanRefused(seq, text, reason, retry=True))
        else:
            # lazy: off the desk's start path: only this action needs it
            from hallterm.domain.holders import CardCheck

            self.post_message(CardChecked(seq, text, result) if isinstance(result, CardCheck)
                              else SlipChecked(seq, text, result))

    def on_slip_checked(self, message: SlipChecked) -> None:
        """A hall slip was scanned: its state, or the check-in it made, on the notice line."""
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.print_screens import slip_scan_text

        if message.seq < self._shown_seq:
            return
        self._shown_seq = message.seq
        self.query_one(HolderPanel).clear()
        self.query_one(RoutingPanel).clear()
        field = self.query_one(ScanField)
        if field.value == message.text:
            field.clear()
        self.checked_in = message.result.ticket
        self._after_lookup = None  # a slip, not a card: no holder to book or consult for
        result = message.result
        self.last_case = result.case  # a visit slip: the visitor's case, as if just opened; else none
        if result.case is not None:
            self.query_one(RoutingPanel).show_case(result.case)
        self.say(slip_scan_text(result),
                 Level.BUSY if result.kind == "appointment" and not result.checked_in else Level.INFO)
        if result.checked_in:
            self._refresh_evening()
        self.refresh_bindings()

    @on(CardChecked)
    def _on_card_checked(self, message: CardChecked) -> None:
        if message.seq < self._shown_seq:
            return  # an older scan finished after a newer one: the newer one stays on screen
        self._shown_seq = message.seq
        assert self.app.services is not None
        self.query_one(RoutingPanel).clear()
        self.query_one(HolderPanel).show_check(message.check, self.app.services.today())
        field = self.query_one(ScanField)
        if field.value == message.text:
            field.clear()  # ready for the next card; a half-typed newer entry is left alone
        holder = message.check.holder
        if self.last_case is not None and (holder is None or self.last_case.card_no != holder.card_no):
            self.last_case = None  # the case keys now wait for a case of this holder
        ticket_holder = getattr(self.checked_in, "holder_name", None)
        if self.checked_in is not None and (holder is None or ticket_holder != holder.name):
            self.checked_in = None  # nor does F10 print the ticket of the visitor before
        if message.check.ok:
            hint = "按 F3 开办件" if allowed(self._role(), "open_case") else "请扫描下一张卡"
            self.say(f"持卡人有效：{hint}")
        else:
            extra = "；督查人员可按 F4 特批放行" if message.check.holder and allowed(self._role(), "override_card") \
                else ""
            self.say(f"此卡不能走绿色通道，见下方说明{extra}", Level.ERROR)
        if message.check.ok and holder is not None and self.calling_ticket is None \
                and allowed(self._role(), "issue_ticket"):
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.queue import check_in_card

            # A card scanned on arrival checks in the holder's appointment of today, if there is one (S6).
            run_use_case(self, ArrivalCheckedIn, check_in_card, self.app.services, self.app.session, holder.card_no)
        if holder is not None and holder.open_cases:
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.cases import open_cases_of_holder

            # A returning visitor: their case in progress becomes the one the case keys act on.
            run_use_case(self, HolderCasesFound, open_cases_of_holder, self.app.services, holder.card_no)
        self.refresh_bindings()
        self._run_after_lookup(message.seq)

    @on(ScanRefused)
    def _on_scan_refused(self, message: ScanRefused) -> None:
        if message.seq < self._shown_seq:
            return
        self._shown_seq = message.seq
        field = self.query_one(ScanField)
        if not field.value:
            field.value = message.text.strip("\r\n\t")
        # Kept for correcting, but selected: the next scan replaces it instead of appending.
        field.focus()
        field.select_all()
        self._parked_scan = message.text if message.retry else ""
        self._clear_visitor()
        self._after_lookup = None  # no holder: what waited for one is dropped, the reason says why
        self.say(message.reason, Level.ERROR)
        self.refresh_bindings()

    # -- opening and routing a case ---------------------------------------------------------

    def action_open_case(self, override_reason: str = "") -> None:
        check = self.query_one(HolderPanel).check
        if check is None or check.holder is None or self.app.services is None:
            return
        if self._catalog is None:
            self.say("事项清单尚在载入，请稍候再按 F3", Level.BUSY)
            return
        holder = check.holder
        draft = self._draft if self._draft and self._draft.card_no == holder.card_no else None
        items = self._catalog

        def opened(result: CaseDraft | None) -> None:
            if result is None:
                self.query_one(ScanField).focus()
                return
            self._draft = result
            self.say("正在开办件并分配洽谈室和协调员……", Level.BUSY)
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.cases import open_case

            # Safe to send again after an outage: the form's request key opens one case only.
            run_use_case(self, CaseOpened, open_case, self.app.services, self.app.session, result, resend=True)

        def keep(unsent: CaseDraft) -> None:
            self._draft = unsent

        form = self.app.case_form(items)
        self.app.push_screen(form.load(holder, draft, override_reason=override_reason, keep=keep), opened)

    def action_override(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.widgets.reason import ReasonScreen

        check = self.query_one(HolderPanel).check
        if check is None or check.holder is None:
            return

        def with_reason(reason: str | None) -> None:
            if reason:
                self.action_open_case(override_reason=reason)

        self.app.push_screen(ReasonScreen(f"特批放行：{check.message}\n请填写放行理由（将记入审计记录）"), with_reason)

    def on_catalog_loaded(self, message: CatalogLoaded) -> None:
        self._catalog = message.result
        prepare_ahead(self, message.result)  # the case form composed, stylesheets read, before the first F3

    def on_deadlines_loaded(self, message: DeadlinesLoaded) -> None:
        self.query_one(DeadlineBar).show(*message.result, self._role())

    def on_arrival_checked_in(self, message: ArrivalCheckedIn) -> None:
        ticket: TicketView | None = message.result
        check = self.query_one(HolderPanel).check
        if ticket is None or check is None or check.holder is None or check.holder.name != ticket.holder_name:
            return  # no appointment today, or another card was scanned meanwhile
        self.checked_in = ticket
        self.say(f"{ticket.message}，前面还有 {ticket.ahead or 0} 人。按 F10 打印排队票",
                 Level.BUSY if ticket.kind == "walkin" else Level.INFO)
        self.refresh_bindings()
        self._refresh_evening()

    def _refresh_evening(self) -> None:
        """A check-in changes the after-hours desk's evening list (待签到 → 已签到): reload it now, not at
        its next timer tick."""
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.handover import EveningPanel

        for panel in self.query(EveningPanel):
            panel.load()

    def action_booking(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.booking import BookingScreen

        if self._wait_for_lookup("booking", "预约"):
            return
        check = self.query_one(HolderPanel).check or self._routed_check
        why = self.why_not("booking")  # the palette runs the action without the key's check
        if why or check is None or check.holder is None:
            self.say(why or "屏幕上没有持卡人：请先扫描钢都英才卡，再按 Ctrl+Y 预约", Level.BUSY)
            return
        if self._catalog is None:
            self.say("事项清单尚在载入，请稍候再按 Ctrl+Y", Level.BUSY)
            return

        def back(done: str | None) -> None:
            self.query_one(ScanField).focus()
            if done:
                self.say(done)

        self.app.push_screen(BookingScreen(check.holder, self._catalog), back)

    def action_consultations(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.consultations import ConsultationsScreen

        if self._wait_for_lookup("consultations", "咨询"):  # else preset with the holder before
            return
        check = self.query_one(HolderPanel).check or self._routed_check

        def back(done: str | None) -> None:
            self.query_one(ScanField).focus()
            if done:
                self.say(done)

        def case_opened(case: CaseView) -> None:
            # Shown as the desk shows a case it opened itself: routing panel, slip, Ctrl+N, the case keys.
            self.post_message(CaseOpened(case))

        self.app.push_screen(ConsultationsScreen(check.holder if check is not None else None, case_opened), back)

    def on_holder_cases_found(self, message: HolderCasesFound) -> None:
        self._show_holder_cases(message.result)

    def on_case_opened(self, message: CaseOpened) -> None:
        self._show_routed(message.result)
        if message.result.full_proxy and allowed(self._role(), "proxy_tasks"):
            # S3: the proxy tasks are suggested, never created unasked: the clerk confirms them with Ctrl+N.
            self.say(f"已开办件 {message.result.case_no}（全程代办）。按 Ctrl+N 确认代办任务，F12 核对材料，"
                     "或扫描下一张卡")
            return
        self.say(f"已开办件 {message.result.case_no}。按 F12 核对材料，或扫描下一张卡")

    def on_case_reassigned(self, message: CaseReassigned) -> None:
        self._show_routed(message.result)
        # The visit slip in the visitor's hand names the old room or coordinator.
        self.say(f"已改派 {message.result.case_no}。持卡人手中的引导单已过时：按 F10 重新打印", Level.BUSY)

    def _show_routed(self, view: CaseView) -> None:
        check = self.query_one(HolderPanel).check
        if check is not None and check.holder is not None and check.holder.card_no == view.card_no:
            self._routed_check = check  # the panel gives way to the routing panel; Ctrl+Y still books for them
        self.last_case = view
        self._case_generation += 1  # a refresh started before this answer must not put the old case back
        self._draft = None
        self.query_one(RoutingPanel).show_case(view)
        self.query_one(HolderPanel).clear()
        self.query_one(ScanField).focus()
        self.refresh_bindings()

    def on_queued_routed(self, message: QueuedRouted) -> None:
        done: QueueRouting = message.result
        tz = self.app.settings.hall.tz
        # Those who waited on an earlier day went home: off the queue, listed here (masked) for a call-back.
        left = (f"前一日未分配的 {len(done.left)} 位持卡人已离队，请回访："
                + "；".join(c.line(tz) for c in done.left[:3]) + ("等\n" if len(done.left) > 3 else "\n")
                if done.left else "")
        if done.proxies:  # owed since routed after hours (S1, S3): one came on duty
            left += f"已为 {done.proxies} 个办件分派帮办代办专人\n"
        if done.routed:
            rest = f"；仍有 {done.waiting} 位等候：{done.blocked}" if done.waiting else ""
            self.say(f"{left}已为 {done.routed} 位排队等候的持卡人分配洽谈室和协调员{rest}")
        elif not done.waiting:
            self.say(f"{left}没有排队等候分配的持卡人")
        else:  # which of the two is missing: a seat, or a coordinator (and when one comes)
            self.say(f"{left}暂无可分配（{done.waiting} 位等候）：{done.blocked}", Level.BUSY)
        if self.last_case is not None:
            self._refresh_last_case()
        self.refresh_bindings()

    def on_case_refreshed(self, message: CaseRefreshed) -> None:
        generation, view = message.result
        if generation != self._case_generation:
            return  # read before a reassignment (or another answer) landed: it would show the old lounge
        if view is not None and self.last_case is not None and self.last_case.id == view.id:
            self.last_case = view  # not if another holder was scanned meanwhile
            panel = self.query_one(RoutingPanel)
            if panel.display:  # else the holder is on screen, their case named on the 在办 line: once is enough
                panel.show_case(view)
        self.refresh_bindings()

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

    def _show_holder_cases(self, found: list[CaseView]) -> None:
        """The scanned holder's open cases arrived: the newest (or the one just worked on) is the one the
        case keys act on, named on the notice line so the clerk sees which it is."""
        check = self.query_one(HolderPanel).check
        if not found or check is None or check.holder is None or check.holder.card_no != found[0].card_no:
            return  # another card was scanned meanwhile
        current = next((c for c in found if self.last_case is not None and c.id == self.last_case.id), found[0])
        self.last_case = current
        self._case_generation += 1
        more = f"（共 {len(found)} 件在办，此为最近一件）" if len(found) > 1 and current is found[0] else ""
        keys = "F6 记录"
        if allowed(self._role(), "checklist"):
            keys = "F12 材料清单、" + keys
        line = self.query_one(MessageLine)
        said = line.text.split("\n在办：")[0]  # a second answer for the same holder replaces the line, never adds one
        line.say(f"{said}\n在办：{current.case_no}（{'、'.join(current.item_names)}）{more}；{keys}", line.level)
        self.refresh_bindings()

    def _clear_visitor(self) -> None:
        """Nothing of the visitor before stays on screen, nor in reach of a key."""
        self.query_one(HolderPanel).clear()
        self.query_one(RoutingPanel).clear()
        self.last_case = None
        self._routed_check = None
        self.checked_in = None

    def _refresh_last_case(self) -> None:
        if self.last_case is not None:
            run_use_case(self, CaseRefreshed, _case_now, self.app.services, self.last_case.id, self._case_generation)

    def action_history(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.history import HistoryScreen

        if self.last_case is not None:
            self.app.push_screen(HistoryScreen(self.last_case.id, self.last_case.case_no,
                                               self.last_case.holder_name))

    def action_reassign(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.reassign import ReassignScreen

        if self.last_case is None:
            return

        def chosen(result: tuple[str | None, str | None, str] | None) -> None:
            if result is None:
                return
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.cases import reassign

            lounge, coordinator, reason = result
            assert self.last_case is not None
            run_use_case(self, CaseReassigned, reassign, self.app.services, self.app.session, self.last_case.id,
                         lounge_code=lounge, coordinator_id=coordinator, reason=reason)

        self.app.push_screen(ReassignScreen(self.last_case), chosen)

    def action_route_queued(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.cases import route_queued

        if self.app.services is not None:
            run_use_case(self, QueuedRouted, route_queued, self.app.services, self.app.session)

    def action_proxy_tasks(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.proxy_tasks import AddTasksScreen

        case = self.last_case
        if case is None:
            return

        def added(tasks: list | None) -> None:
            if tasks:
                self.say(f"{case.case_no} 已添加代办任务：{'、'.join(t.kind_name for t in tasks)}")
            self.query_one(ScanField).focus()

        self.app.push_screen(AddTasksScreen(case.id, case.case_no), added)

    def action_checklist(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.checklist_screen import checklist_for

        if self.last_case is None:
            return
        case_id = self.last_case.id

        def closed(unprinted: IssuedDocument | None) -> None:
            # F10 opens the preview on the notice the checklist said to print, not on the visit slip.
            self._print_first = (case_id, unprinted) if unprinted is not None else None
            if unprinted is not None:
                self.say(f"{unprinted.title} {unprinted.number} 尚未打印：按 F10 打印", Level.BUSY)

        self.app.push_screen(checklist_for(self.app, case_id), closed)

    def action_calling(self) -> None:
        """The counter's calling screen: walk-in tickets, call next, recall, hold, transfer (issue 5)."""
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.calling import CallingScreen

        if allowed(self._role(), "call_ticket"):
            self._serving(None)
            self.app.push_screen(CallingScreen())

    @on(ServeCalledHolder)
    def serve_from_calling(self, message: ServeCalledHolder) -> None:
        """The calling screen's O: the called ticket's holder, looked up as if their card were scanned
        (their open case becomes the one F12, F6, F7 and F10 act on); Esc or F11 goes back to calling."""
        card_no, number = message.card_no, message.number
        field = self.query_one(ScanField)
        field.clear()
        field.focus()
        self._clear_visitor()
        self._serving(number)
        self._seq += 1
        self.say(f"正在查询 {number} 号的持卡人……", Level.BUSY)
        self._check(self._seq, card_no)
        self.refresh_bindings()

    def _serving(self, number: str | None) -> None:
        self.calling_ticket = number
        label = self.query_one("#scan-label", Static)
        label.update("钢都英才卡" if number is None else f"钢都英才卡　（叫号 {number} 接待中：Esc 或 F11 返回叫号）")

    def action_back_to_calling(self) -> None:
        field = self.query_one(ScanField)
        if field.value:  # Esc's first use stays: clear what was typed; the next Esc goes back
            field.clear()
            return
        self.action_calling()

    def action_issuing(self) -> None:
        """The 统一发证窗口: what is ready for a holder, the recipient check, the hand-out (S9)."""
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.issuing import IssuingScreen

        if allowed(self._role(), "hand_out"):
            self.app.push_screen(IssuingScreen())

    def action_coordinator_view(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.coordinator import CoordinatorScreen

        self.app.push_screen(CoordinatorScreen())

    def action_supervision(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.supervision import SupervisionScreen

        self.app.push_screen(SupervisionScreen())

    # -- keys -------------------------------------------------------------------------------

    def action_new_scan(self) -> None:
        field = self.query_one(ScanField)
        field.clear()
        field.focus()
        self._clear_visitor()
        self._after_lookup = None
        if self.app.services is not None:
            self.say(self._prompt())
        self.refresh_bindings()

    def action_print_slip(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.print_screens import open_preview

        first = self._print_first
        number = first[1].number if first and self.last_case and self.last_case.id == first[0] else ""
        open_preview(self, self.say, case=self.last_case, ticket=self.checked_in, first=number)

    def on_preview_ready(self, message: PreviewReady) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.print_screens import show_preview

        def printed(outcome: PrintOutcome) -> None:
            if outcome.ok and self._print_first and outcome.title.endswith(self._print_first[1].number):
                self._print_first = None

        show_preview(self, self.say, message, printed)

    def action_handover(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.handover import HandoverScreen

        self.app.push_screen(HandoverScreen())

    def action_follow_ups(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.follow_ups import FollowUpScreen

        self.app.push_screen(FollowUpScreen())

    def action_reprint(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.print_screens import ReprintScreen

        self.app.push_screen(ReprintScreen())

    def action_clear_field(self) -> None:
        self.query_one(ScanField).clear()

    def action_sign_out(self) -> None:
        self.app.sign_out()

    def _role(self) -> str:
        return self.app.session.role if self.app.session else ""
