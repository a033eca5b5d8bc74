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
from hallterm.tui.widgets.paragraph import Paragraph

if TYPE_CHECKING:
    from hallterm.tui.desk.app import DeskApp


class SignInScreen(Screen[None]):
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
            yield Static("", id="sign-in-message")
        if self.app.demo_note:
            yield Static(Text(self.app.demo_note), id="demo-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#staff-id", Input).focus()
        if self.app.services is None and not self.app.connect_error:
            self._say("正在连接数据库……可以先输入工号和 PIN", "-busy")
        elif self.app.connect_error:
            self._say(self.app.connect_error, "-error")

    def reset(self) -> None:
        """After a sign-out: empty fields, focus on the staff ID."""
        self.query_one("#staff-id", Input).clear()
        self.query_one("#pin", Input).clear()
        self.query_one("#staff-id", Input).focus()
        self._say("已签退。请登录", "")

    @on(ServicesReady)
    def _on_ready(self, message: ServicesReady) -> None:
        if message.error:
            self._say(message.error, "-error")
            return
        self._say(message.note, "")
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
            self._say("请先输入工号", "-error")
            return
        if self.app.services is None:
            self._say("数据库尚未连接，连接后自动登录", "-busy")
            return
        self._sign_in()

    def _sign_in(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.staff import sign_in

        assert self.app.services is not None
        self._say("正在验证……", "-busy")
        run_use_case(self, "sign_in", sign_in, self.app.services, self.query_one("#staff-id", Input).value,
                     self.query_one("#pin", Input).value)

    @on(Done)
    def _signed_in(self, message: Done) -> None:
        if message.what == "sign_in":
            self.app.signed_in(message.result)

    @on(Failed)
    def _refused(self, message: Failed) -> None:
        pin = self.query_one("#pin", Input)
        pin.clear()  # a wrong PIN is retyped; the staff ID stays
        pin.focus()
        self._say(message.reason, "-error")

    def _say(self, text: str, cls: str) -> None:
        widget = self.query_one("#sign-in-message", Static)
        widget.update(Paragraph(text))  # breaks where Chinese may break
        widget.set_classes(cls.split())
