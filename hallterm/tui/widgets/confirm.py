"""A yes/no question: Y or Enter confirms, N or Esc declines."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from hallterm.tui.widgets.carry_on import CarriesOn


class ConfirmScreen(CarriesOn, ModalScreen[bool]):
    CSS_PATH = "../styles/dialogs.tcss"
    # Both keys of each answer are named in the footer: a clerk who knows Enter/Esc from other dialogs,
    # or who meets N on the calling screen (叫下一位), sees that here N means 否. The dialog is modal,
    # so a key pressed here never reaches the screen below.
    BINDINGS = [
        Binding("y,enter", "answer(True)", "是", key_display="Y/回车"),
        Binding("n,escape", "answer(False)", "否", key_display="N/Esc"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question))
            yield Static(Text("Y 或 回车：是　　N 或 Esc：否", style="bold"))
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
