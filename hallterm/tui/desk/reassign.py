"""Reassigning a case's lounge or coordinator; a reason is required and logged (S9, S10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from hallterm.domain.terminal_text import visible
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.messages import Done, Failed
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.confirm import ConfirmScreen
from hallterm.tui.widgets.message_line import Level, MessageLine
from hallterm.tui.widgets.toggles import Select

if TYPE_CHECKING:
    from hallterm.services.case_views import CaseView
    from hallterm.tui.desk.app import DeskApp

Result = tuple[str | None, str | None, str]


class OptionsLoaded(Done):
    """``result``: the lounges and coordinators a case can be reassigned to."""


class ReassignScreen(CarriesOn, ModalScreen[Result | None]):
    CSS_PATH = "../styles/lists.tcss"
    BINDINGS = [
        Binding("f10", "submit", "确认改派", priority=True),
        Binding("escape", "cancel", "取消"),
    ]
    app: DeskApp

    def __init__(self, case: CaseView) -> None:
        super().__init__()
        self.case = case
        self.off_duty: dict[str, str] = {}  # staff ID -> name, of coordinators not on duty now
        self._error_about: set[str] = set()  # the fields the error line complains of ("" for any field)

    def compose(self) -> ComposeResult:
        c = self.case
        now = f"{c.lounge_name or '未分配'} / {c.coordinator.name if c.coordinator else '未分配'}"
        with Vertical(id="reassign"):
            # The holder's name first: the clerk must see whose case this is before changing it.
            yield Static(Text(f"改派 {visible(c.holder_name)} 的办件 {c.case_no}（现为：{now}）"), id="reassign-title")
            yield Select([], prompt="洽谈室（不变）", id="lounge")
            yield Select([], prompt="协调员（不变）", id="coordinator")
            yield Input(placeholder="改派理由（必填）", id="reason", max_length=200)
            yield MessageLine(id="reassign-error")
        yield Footer()

    def on_mount(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.cases import reassign_options

        run_use_case(self, OptionsLoaded, reassign_options, self.app.services)
        self.query_one("#lounge", Select).focus()

    def on_options_loaded(self, message: OptionsLoaded) -> None:
        opts = message.result
        self.query_one("#lounge", Select).set_options(
            [(f"{x.name}（空 {x.free}/{x.capacity}）", x.code)
             for x in opts.lounges if x.code != self.case.lounge_code])
        current = self.case.coordinator.staff_id if self.case.coordinator else None
        self.off_duty = {p.staff_id: p.name for p in opts.coordinators if not p.on_duty}
        self.query_one("#coordinator", Select).set_options(
            [(f"{p.name} {p.section} 分机{p.extension}（{'在岗' if p.on_duty else '不在岗'}，在办 {p.active_cases}）",
              p.staff_id) for p in opts.coordinators if p.staff_id != current])

    def on_failed(self, message: Failed) -> None:
        self._error(message.reason, "")

    def _error(self, text: str, *about: str) -> None:
        self.query_one("#reassign-error", MessageLine).say(text, Level.ERROR)
        self._error_about = set(about)

    @on(Select.Changed)
    @on(Input.Changed, "#reason")
    def _edited(self, event: Select.Changed | Input.Changed) -> None:
        """An error goes once the field it complained of is changed: an old one must not stand under a
        later question (the off-duty confirmation) as if it still applied."""
        field = event.control.id or ""
        if self._error_about and (field in self._error_about or "" in self._error_about):
            self._error("")

    @on(Input.Submitted, "#reason")
    def action_submit(self) -> None:
        lounge = self.query_one("#lounge", Select).value
        coordinator = self.query_one("#coordinator", Select).value
        reason = self.query_one("#reason", Input).value.strip()
        if not isinstance(lounge, str) and not isinstance(coordinator, str):
            self._error("请选择新的洽谈室或协调员", "lounge", "coordinator")
            return
        if not reason:
            self._error("改派须填写理由", "reason")
            self.query_one("#reason", Input).focus()
            return
        self._error("")
        result = (lounge if isinstance(lounge, str) else None,
                  coordinator if isinstance(coordinator, str) else None, reason)
        if result[1] in self.off_duty:
            # The visitor would wait in the lounge for someone who is not in the building.
            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.dismiss(result)

            name = self.off_duty[result[1]]
            self.app.push_screen(ConfirmScreen(f"{name} 现在不在岗，持卡人要等其到岗。仍改派给{name}？"), confirmed)
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)
