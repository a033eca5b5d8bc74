"""What the parts of the scan screen share: the visitor on screen, the scan being looked up, and the
screen they are drawn on.

DeskScreen is put together from DeskScan (desk_scan.py), DeskCases (desk_cases.py) and DeskGoto
(desk_goto.py), each a subclass of this class rather than a plain mixin: Textual registers ``@on``
handlers per class through its message pump's metaclass, which a class outside its hierarchy escapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.widgets import Static

from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.desk.keys import ExplainsKeys, FitsFooter
from hallterm.tui.desk.routing_panel import RoutingPanel
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, WithMessageLine

if TYPE_CHECKING:
    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.holders import CardCheck
    from hallterm.services.case_views import CaseView
    from hallterm.services.cases import CatalogItem
    from hallterm.services.checklist import IssuedDocument
    from hallterm.services.ticket_view import TicketView
    from hallterm.tui.desk.app import DeskApp


class DeskBase(CarriesOn, WithMessageLine, FitsFooter, ExplainsKeys, Screen[None]):
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

    def _prompt(self) -> str:
        """What to do next; in the demo, with the sample cards to try (they are nowhere else on screen)."""
        demo = self.app.demo_note.splitlines()[-1] if self.app.demo_note else ""
        return "请扫描钢都英才卡，或输入卡号后按回车" + (f"\n演示{demo}" if demo else "")

    def _role(self) -> str:
        return self.app.session.role if self.app.session else ""

    def _clear_visitor(self) -> None:
        """Nothing of the visitor before stays on screen, nor in reach of a key."""
        self.query_one(HolderPanel).clear()
        self.query_one(RoutingPanel).clear()
        self.last_case = None
        self._routed_check = None
        self.checked_in = None

    def _serving(self, number: str | None) -> None:
        self.calling_ticket = number
        label = self.query_one("#scan-label", Static)
        label.update("钢都英才卡" if number is None else f"钢都英才卡　（叫号 {number} 接待中：Esc 或 F11 返回叫号）")

    def _wait_for_lookup(self, action: str, what: str) -> bool:
        """While a scan is looked up, the key is remembered and runs once its answer is drawn (True)."""
        if not self._looking_up():
            return False
        self._after_lookup = (action, self._seq)
        self.say(f"正在查询持卡人，查到后自动打开{what}……", Level.BUSY)
        return True

    def _looking_up(self) -> bool:
        """A scan is still being looked up (its answer not drawn yet), or waits for the database."""
        return bool(self._pending) or self._seq > self._shown_seq
