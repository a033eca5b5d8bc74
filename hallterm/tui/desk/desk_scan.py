"""The scan screen's scan field: a card or a hall slip looked up, the answer drawn, a returning holder's
open case found (S4, S6); the calling screen's O looks a called ticket's holder up the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.widgets import Input

from hallterm.domain.auth import allowed
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.desk_base import DeskBase
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.desk.messages import CardChecked, Done, ScanRefused, ServeCalledHolder
from hallterm.tui.desk.outage import DatabaseDown
from hallterm.tui.desk.routing_panel import RoutingPanel
from hallterm.tui.widgets.message_line import Level, MessageLine
from hallterm.tui.widgets.scan_field import ScanField

if TYPE_CHECKING:
    from hallterm.services.case_views import CaseView
    from hallterm.services.ticket_view import TicketView
    from hallterm.tui.desk.print_screens import SlipChecked


class HolderCasesFound(Done):
    """``result``: the open cases of the holder just scanned, newest first."""


class ArrivalCheckedIn(Done):
    """``result``: the ticket issued for today's appointment of the card just scanned (None: it has none)."""


class DeskScan(DeskBase):
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

    def _run_after_lookup(self, seq: int) -> None:
        """The answer of scan ``seq`` is drawn: the key pressed while it was looked up runs now, if the card
        allows it (else the refusal already on screen stays) and the clerk is still on the desk."""
        waiting, self._after_lookup = self._after_lookup, None
        if waiting is None or waiting[1] != seq or self.app.screen is not self or self.why_not(waiting[0]):
            return
        getattr(self, f"action_{waiting[0]}")()

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

    def on_holder_cases_found(self, message: HolderCasesFound) -> None:
        self._show_holder_cases(message.result)

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
