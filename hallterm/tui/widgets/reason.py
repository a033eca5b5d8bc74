"""A small dialog that asks for a reason (reassignment, overrides): empty is not accepted."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from hallterm.domain.errors import Refused


class ReasonScreen(ModalScreen[str | None]):
    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "取消")]

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

    @on(Input.Submitted, "#reason")
    def _submit(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#reason-error", Static).update(self.empty)
            return
        value = event.value.strip()
        if self.check is not None:
            try:
                value = self.check(value)
            except Refused as exc:
                self.query_one("#reason-error", Static).update(Text(str(exc)))
                return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
