"""The walk-in ticket dialog of the calling screen (现场取号, issue 5): a scanned card links the ticket
to its holder; only an issued ticket closes it, for the calling screen to print."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.messages import Done, Failed
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine

if TYPE_CHECKING:
    from hallterm.services.ticket_view import TicketView  # noqa: F401 (the base class names it, quoted)
    from hallterm.tui.desk.app import DeskApp


class TicketIssued(Done):
    """``result``: the walk-in ticket just issued (a ``TicketView``)."""


class IssueScreen(CarriesOn, WithMessageLine, ModalScreen["TicketView | None"]):
    """Issue a walk-in ticket; a scanned card links it to the holder (the display shows 张*明).

    The dialog issues the ticket itself, in a worker, and waits for the answer: only an issued ticket
    closes it (the calling screen then prints it). A refusal — a typo in the card number, a card the
    desk would refuse (S4) — is shown here with the typed text kept and selected, as the desk's scan
    field does: the clerk corrects it, scans again over it, or clears it for a ticket without a card.
    """

    app: DeskApp

    CSS_PATH = "../styles/calling.tcss"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self) -> None:
        super().__init__()
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("现场取号：扫描钢都英才卡（可不填），回车取号；Esc 取消")
            yield Input(placeholder="钢都英才卡号（可不填）", id="issue-card", max_length=200)
            yield MessageLine(id="issue-notice")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.queue import issue_walkin

        if self.busy:  # a scanner's second CR, or Enter pressed twice: one ticket, not two
            return
        if self.app.services is None:
            self.say("正在连接数据库……", Level.ERROR)
            return
        self.busy = True
        self.say("正在取号……", Level.BUSY)
        run_use_case(self, TicketIssued, issue_walkin, self.app.services, self.app.session, event.value)

    def on_ticket_issued(self, message: TicketIssued) -> None:
        message.stop()
        self.busy = False
        self.dismiss(message.result)

    def on_failed(self, message: Failed) -> None:
        message.stop()
        self.busy = False
        field = self.query_one(Input)
        # Kept for correcting, but selected: the next scan replaces it instead of appending.
        field.focus()
        field.select_all()
        self.say(message.reason, Level.ERROR)

    def action_cancel(self) -> None:
        if self.busy:  # the ticket may be committing: closing now would lose its number and its print
            self.say("正在取号，请稍候……", Level.BUSY)
            return
        self.dismiss(None)
