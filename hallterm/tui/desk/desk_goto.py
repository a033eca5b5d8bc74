"""The scan screen's keys that open another screen: the case's history, proxy tasks, checklist and
slips; calling, booking, consultations, the issuing window, the coordinators', supervisors' and
handover screens, follow-ups and reprints. Each screen's module loads when it is first opened."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hallterm.domain.auth import allowed
from hallterm.tui.desk.desk_base import DeskBase
from hallterm.tui.desk.desk_cases import CaseOpened
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.widgets.message_line import Level
from hallterm.tui.widgets.scan_field import ScanField

if TYPE_CHECKING:
    from hallterm.services.case_views import CaseView
    from hallterm.services.checklist import IssuedDocument
    from hallterm.services.print_jobs import PrintOutcome
    from hallterm.tui.desk.print_screens import PreviewReady


class DeskGoto(DeskBase):
    def action_history(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.history import HistoryScreen

        if self.last_case is not None:
            self.app.push_screen(HistoryScreen(self.last_case.id, self.last_case.case_no,
                                               self.last_case.holder_name))

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
