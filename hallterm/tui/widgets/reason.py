"""A small dialog that asks for a reason (reassignment, overrides): empty is not accepted."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from hallterm.domain.errors import Refused
from hallterm.tui.widgets.carry_on import CarriesOn


class ReasonScreen(CarriesOn, ModalScreen[str | None]):
    """Its own footer: without one, the footer of the screen below shows through, naming keys that do
    nothing here (F9 改期, F8 取消预约…)."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("enter", "submit", "确定", key_display="Enter", priority=True),  # shown over the Input's
                Binding("escape", "cancel", "返回", key_display="Esc")]

    def __init__(self, title: str, placeholder: str = "请填写理由", *,
                 check: Callable[[str], str] | None = None, empty: str = "理由不能为空") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        # ``check`` returns the value to use or raises ``Refused``: its message shows, what was typed stays.
        self.check = check
        self.empty = empty

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, markup=False)
            yield Input(placeholder=self.placeholder, id="reason", max_length=200)
            yield Static("", id="reason-error")
        yield Footer(compact=True)

    @on(Input.Submitted, "#reason")
    def _submit(self, event: Input.Submitted) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        value = self.query_one("#reason", Input).value.strip()
        if not value:
            self.query_one("#reason-error", Static).update(self.empty)
            return
        if self.check is not None:
            try:
                value = self.check(value)
            except Refused as exc:
                self.query_one("#reason-error", Static).update(Text(str(exc)))
                return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
