"""The scan screen's cases: open one for the holder on screen (F3, or F4 with a supervisor's reason), the
routing's answer, a reassignment (F7), the queue routed (F8), the case on screen kept up to date (S1, S9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hallterm.domain.auth import allowed
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.desk_base import DeskBase
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.desk.messages import Done
from hallterm.tui.desk.routing_panel import RoutingPanel
from hallterm.tui.widgets.message_line import Level
from hallterm.tui.widgets.scan_field import ScanField

if TYPE_CHECKING:
    from hallterm.domain.cases import CaseDraft
    from hallterm.services.case_views import CaseView
    from hallterm.services.cases import QueueRouting
    from hallterm.services.context import Services


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


class DeskCases(DeskBase):
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

    def _refresh_last_case(self) -> None:
        if self.last_case is not None:
            run_use_case(self, CaseRefreshed, _case_now, self.app.services, self.last_case.id, self._case_generation)

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
