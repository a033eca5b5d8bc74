"""Sign-in: staff ID (typed or a badge scan) and PIN."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.messages import Done, Failed, ServicesReady
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine

if TYPE_CHECKING:
    from hallterm.tui.desk.app import DeskApp


class SignedIn(Done):
    """The staff ID and PIN were accepted: ``result`` is the ``StaffSession``."""


class SignInScreen(CarriesOn, WithMessageLine, Screen[None]):
    BINDINGS = [Binding("f5", "app.reconnect", "重新连接数据库", id="reconnect")]
    app: DeskApp

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="sign-in"):
            yield Static("工作人员登录", id="sign-in-title")
            yield Static("工号（可刷工牌）")
            yield Input(placeholder="例如 S1401", id="staff-id", max_length=32)
            yield Static("PIN")
            yield Input(placeholder="4–8 位数字", password=True, id="pin", max_length=8)
            yield MessageLine(id="sign-in-message")
        if self.app.demo_note:
            yield Static(Text(self.app.demo_note), id="demo-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#staff-id", Input).focus()
        if self.app.services is None and not self.app.connect_error:
            self.say("正在连接数据库……可以先输入工号和 PIN", Level.BUSY)
        elif self.app.connect_error:
            self.say(self.app.connect_error, Level.ERROR)

    def reset(self) -> None:
        """After a sign-out: empty fields, focus on the staff ID."""
        self.query_one("#staff-id", Input).clear()
        self.query_one("#pin", Input).clear()
        self.query_one("#staff-id", Input).focus()
        self.say("已签退。请登录")

    @on(ServicesReady)
    def _on_ready(self, message: ServicesReady) -> None:
        if message.error:
            self.say(message.error, Level.ERROR)
            return
        self.say(message.note)
        if self.query_one("#pin", Input).value and self.query_one("#staff-id", Input).value:
            self._sign_in()  # submitted while the database was opening

    @on(Input.Submitted, "#staff-id")
    def _staff_id_entered(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _pin_entered(self, event: Input.Submitted) -> None:
        if not self.query_one("#staff-id", Input).value.strip():
            self.query_one("#staff-id", Input).focus()
            self.say("请先输入工号", Level.ERROR)
            return
        if self.app.services is None:
            self.say("数据库尚未连接，连接后自动登录", Level.BUSY)
            return
        self._sign_in()

    def _sign_in(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.staff import sign_in

        assert self.app.services is not None
        self.say("正在验证……", Level.BUSY)
        run_use_case(self, SignedIn, sign_in, self.app.services, self.query_one("#staff-id", Input).value,
                     self.query_one("#pin", Input).value)

    def on_signed_in(self, message: SignedIn) -> None:
        self.app.signed_in(message.result)

    def on_failed(self, message: Failed) -> None:
        pin = self.query_one("#pin", Input)
        pin.clear()  # a wrong PIN is retyped; the staff ID stays
        pin.focus()
        self.say(message.reason, Level.ERROR)

