"""A yes/no question: Y or Enter confirms, N or Esc declines."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 72; height: auto; border: thick $warning; padding: 1 2; background: $surface; }
    """
    BINDINGS = [
        Binding("y,enter", "answer(True)", "是"),
        Binding("n,escape", "answer(False)", "否"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question))
            yield Static(Text("按 Y 确认，按 N 取消", style="bold"))
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
