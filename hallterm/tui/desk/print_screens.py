"""Preview before printing, and the reprint list (issue 6), as screens opened from the desk.

``PrintPreviewScreen`` lists what can be printed for what is on the desk (the visit slip and the
notices of the last case, or the ticket issued at an appointment check-in) and shows the selected
one as text, as it will print; F10 or Enter prints it. ``ReprintScreen`` lists the slips printed
so far, newest first, failed ones marked, and sends the selected one again from the spool folder;
Ctrl+R opens it from the desk, the preview and the calling screen alike. ``print_ticket`` prints a
walk-in ticket issued at the calling screen without a preview (the visitor is waiting for it).
Printing runs in a thread worker (a serial printer takes a minute); whatever happens, the slip is
in the spool folder first and the screen says where.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.messages import Done, Failed
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine

if TYPE_CHECKING:
    from hallterm.services.case_views import CaseView
    from hallterm.services.check_in import SlipScan
    from hallterm.services.context import Services
    from hallterm.services.print_jobs import PrintOutcome, SlipRecord
    from hallterm.services.printables import Printable
    from hallterm.services.ticket_view import TicketView
    from hallterm.tui.desk.app import DeskApp

Say = Callable[[str, Level], None]


class Printed(Done):
    """``result``: the ``PrintOutcome`` of printing from the preview."""


class SlipsListed(Done):
    """``result``: the slips printed so far, to list (and say how many)."""


class SlipsRelisted(Done):
    """``result``: the slips printed so far, listed again after a reprint (the reprint's message stays)."""


class Reprinted(Done):
    """``result``: the ``PrintOutcome`` of a reprint."""


def outcome_text(outcome: PrintOutcome) -> tuple[str, Level]:
    """The notice line for a print outcome and its level."""
    extra = "；".join(outcome.warnings)
    if outcome.status == "failed":
        return f"{outcome.message}（按 Ctrl+R 打开补打列表）" + (f"；{extra}" if extra else ""), Level.ERROR
    verb = "已打印" if outcome.status == "printed" else "已保存"
    text = f"{verb}：{outcome.title}。{outcome.message}" if outcome.status == "spooled" else \
        f"{verb}：{outcome.title}（{outcome.message}）"
    return text + (f"；{extra}" if extra else ""), Level.BUSY if extra else Level.INFO


@dataclass
class TicketPrinted(Message):
    """The queue ticket of ``view`` was sent to the printer: ``outcome``, or ``reason`` when it could
    not even be rendered (no signing key, no font). Either way the ticket itself stays issued."""

    view: TicketView
    outcome: PrintOutcome | None = None
    reason: str = ""


def print_ticket(node: Any, view: TicketView) -> None:
    """Print a just-issued queue ticket in a thread worker; ``node`` gets a ``TicketPrinted``.

    The ticket was committed before this runs, so nothing the printer does can take it back.
    """
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.services.print_jobs import print_slip
    from hallterm.services.slip_builders import ticket_slip

    app: DeskApp = node.app
    services, session = app.services, app.session

    def work() -> None:
        assert services is not None
        try:
            outcome = print_slip(services, ticket_slip(services, view), ticket_id=view.id,
                                 staff_id=session.staff_id if session else None)
        except Exception as exc:  # the signing key, the font, the spool folder: say which
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.errors import explain

            node.post_message(TicketPrinted(view, reason=explain(exc)))
        else:
            node.post_message(TicketPrinted(view, outcome))

    node.run_worker(work, thread=True, exit_on_error=False, group="print", name="print_ticket")


def ticket_printed_text(message: TicketPrinted) -> tuple[str, Level]:
    """The notice line after issuing and printing a ticket: the number first, then what the printer did."""
    issued = message.view.message or f"已取号 {message.view.number}"
    if message.outcome is None:
        return (f"{issued}。号已生效，但排队票未能打印：{message.reason}。请口头告知持卡人号码",
                Level.ERROR)
    text, level = outcome_text(message.outcome)
    if not message.outcome.ok:
        return f"{issued}。号已生效，但排队票未打印：{text}", level
    return f"{issued}。{text}", level


def slip_scan_text(result: SlipScan) -> str:
    """The desk's notice line for a scanned slip: what it is, then its details."""
    details = "　".join(f"{label} {value}" for label, value in result.lines)
    return f"{result.message}\n{details}" if details else result.message


# --- preview --------------------------------------------------------------------------------------


class PrintPreviewScreen(CarriesOn, WithMessageLine, Screen["PrintOutcome | None"]):
    """Choose what to print on the left, see it on the right as it will print, F10 prints."""

    CSS_PATH = "../styles/printing.tcss"
    BINDINGS = [
        Binding("f10", "print", "打印", id="pv_print"),
        Binding("b", "bilingual", "中英双语", id="pv_bilingual"),
        Binding("ctrl+r", "reprint", "补打", id="pv_reprint"),
        Binding("escape", "back", "返回", id="pv_back"),
    ]
    app: DeskApp

    def __init__(self, printables: list[Printable], heading: str = "", first: int = 0) -> None:
        super().__init__()
        self.printables = printables
        self.heading = heading  # the holder and the case (or ticket) the papers belong to
        # The paper the message before named ("按 F10 打印承诺书"): highlighted, so F10 prints it.
        self.first = first if 0 <= first < len(printables) else 0
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="pv-body"):
            yield OptionList(*[Option(p.title, id=str(i)) for i, p in enumerate(self.printables)], id="pv-list")
            with VerticalScroll(id="pv-scroll"):
                yield Static("", id="pv-text")
        yield MessageLine(id="pv-notice")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"打印预览　{self.heading}" if self.heading else "打印预览"
        options = self.query_one(OptionList)
        options.highlighted = self.first
        options.focus()
        self._show(self.first)

    @property
    def selected(self) -> Printable:
        index = self.query_one(OptionList).highlighted
        return self.printables[index or 0]

    def _show(self, index: int) -> None:
        printable = self.printables[index]
        self.query_one("#pv-text", Static).update(Text(printable.preview))
        language = "中英双语" if printable.bilingual else "中文"
        if printable.warnings:
            self.say("；".join(printable.warnings), Level.BUSY)
        else:
            self.say(f"{language}。按 F10 或回车打印，B 切换中英双语，Esc 返回")

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index is not None:
            self._show(event.option_index)

    @on(OptionList.OptionSelected)
    def _selected(self, _event: OptionList.OptionSelected) -> None:
        self.action_print()

    def action_bilingual(self) -> None:
        """Add English for a foreign visitor (or take it away again): this slip only."""
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.printables import with_bilingual

        if self.busy:
            return
        index = self.query_one(OptionList).highlighted or 0
        self.printables[index] = with_bilingual(self.printables[index], not self.printables[index].bilingual)
        self._show(index)

    def action_print(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.printables import print_printable

        if self.busy or self.app.services is None:
            return
        self.busy = True
        session = self.app.session
        self.say(f"正在打印 {self.selected.title}……", Level.BUSY)
        run_use_case(self, Printed, print_printable, self.app.services, self.selected,
                     staff_id=session.staff_id if session else None, group="print")

    def on_printed(self, message: Printed) -> None:
        message.stop()
        self.busy = False
        self.dismiss(message.result)

    def on_failed(self, message: Failed) -> None:
        message.stop()
        self.busy = False
        self.say(message.reason, Level.ERROR)

    def action_reprint(self) -> None:
        """The reprint list on top of the preview (Esc comes back here), as on the desk.

        Not while printing: the print's outcome dismisses this screen, which must then be on top."""
        if self.busy:
            self.say("正在打印，请稍候再按 Ctrl+R", Level.BUSY)
            return
        self.app.push_screen(ReprintScreen())

    def action_back(self) -> None:
        if not self.busy:
            self.dismiss(None)


class PreviewReady(Done):
    """``result``: what can be printed, and whose papers they are (the preview's heading)."""


def open_preview(screen: Any, say: Say, *, case: CaseView | None = None, ticket: TicketView | None = None,
                 first: str = "") -> None:
    """Build what can be printed for ``case`` / ``ticket`` in a worker; ``screen`` gets a ``PreviewReady``
    and opens the preview with ``show_preview``, on the notice numbered ``first`` if there is one."""
    app: DeskApp = screen.app
    if app.services is None or (case is None and ticket is None):
        say("没有可打印的回执：先开办件，或扫描预约回执签到", Level.BUSY)
        return
    say("正在准备打印预览……", Level.BUSY)
    run_use_case(screen, PreviewReady, _printables, app.services, case, ticket, first, group="print")


def _printables(services: Services, case: CaseView | None, ticket: TicketView | None,
                first: str = "") -> tuple[list[Printable], str, int]:
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.services import printables

    # The case's papers first: F10 right after routing prints the visit slip, even when the same scan
    # also checked the visitor in for an appointment (their ticket was printed then; it stays listed).
    found = printables.printables_for_case(services, case) if case is not None else []
    if ticket is not None:
        found.append(printables.printable_ticket(services, ticket))
    # Name whose papers these are, so nobody prints the visitor before's slip by mistake.
    whose = case if case is not None else ticket
    heading = "　".join(p for p in (getattr(whose, "holder_name", "") or "", getattr(case, "case_no", "")
                                    or getattr(ticket, "number", "")) if p)
    index = next((i for i, p in enumerate(found) if first and p.number == first), 0)
    return found, heading, index


def show_preview(screen: Any, say: Say, ready: PreviewReady,
                 printed: Callable[[PrintOutcome], None] | None = None) -> None:
    """Open the preview; what the print did is said on ``screen``'s message line when it closes (and
    passed to ``printed``)."""

    def opened(outcome: PrintOutcome | None) -> None:
        if outcome is None:  # closed without printing: "正在准备打印预览……" must not stay behind
            say("未打印：按 F10 可再次打开打印预览", Level.INFO)
            return
        say(*outcome_text(outcome))
        if printed is not None:
            printed(outcome)

    printables, heading, first = ready.result
    screen.app.push_screen(PrintPreviewScreen(printables, heading, first), opened)


# --- reprint ---------------------------------------------------------------------------------------


class ReprintScreen(CarriesOn, WithMessageLine, Screen[None]):
    """The slips and notices printed so far, newest first; Enter sends the selected one again."""

    CSS_PATH = "../styles/printing.tcss"
    BINDINGS = [
        Binding("enter", "reprint", "补打", id="rp_reprint", priority=True),
        Binding("f", "toggle_failed", "只看失败", id="rp_failed"),
        Binding("f5", "reload", "刷新", id="rp_reload"),
        Binding("escape", "back", "返回", id="rp_back"),
    ]
    app: DeskApp

    def __init__(self) -> None:
        super().__init__()
        self.records: list[SlipRecord] = []
        self.failed_only = False
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="rp-table", cursor_type="row", zebra_stripes=True)
        yield MessageLine(id="rp-notice")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "补打：已打印的回执和文书"
        table = self.query_one(DataTable)
        table.add_columns("时间", "回执/文书", "状态", "次数", "说明")
        table.focus()
        self.action_reload()

    def action_reload(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.print_jobs import recent_slips

        if self.app.services is not None:
            run_use_case(self, SlipsListed, recent_slips, self.app.services, failed_only=self.failed_only,
                         group="print")

    def action_toggle_failed(self) -> None:
        self.failed_only = not self.failed_only
        self.action_reload()

    def _fill(self, records: list[SlipRecord], *, say: bool = True) -> None:
        assert self.app.services is not None
        tz = self.app.services.settings.hall.tz
        self.records = records
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for r in records:
            status = Text(r.status_name, style="bold red" if r.status == "failed" else "")
            table.add_row(f"{r.created_at.astimezone(tz):%m-%d %H:%M}", Text(r.title), status, str(r.attempts),
                          Text(r.error or r.spool_base, overflow="ellipsis", no_wrap=True), key=str(r.id))
        if records:
            table.move_cursor(row=min(row, len(records) - 1))
        if not say:
            return
        if records:
            what = "打印失败的" if self.failed_only else "最近的"
            self.say(f"{what}回执和文书 {len(records)} 份。选中后按回车补打；F 只看失败")
        else:
            self.say("还没有打印失败的回执" if self.failed_only else "还没有打印过回执或文书")

    def action_reprint(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.print_jobs import reprint

        table = self.query_one(DataTable)
        if self.busy or not self.records or self.app.services is None:
            return
        record = self.records[table.cursor_row]
        self.busy = True
        session = self.app.session
        self.say(f"正在补打 {record.title}……", Level.BUSY)
        run_use_case(self, Reprinted, reprint, self.app.services, record.id,
                     staff_id=session.staff_id if session else None, group="print")

    def on_slips_listed(self, message: SlipsListed) -> None:
        message.stop()
        self._fill(message.result)

    def on_slips_relisted(self, message: SlipsRelisted) -> None:
        message.stop()
        self._fill(message.result, say=False)

    def on_reprinted(self, message: Reprinted) -> None:
        message.stop()
        self.busy = False
        self.say(*outcome_text(message.result))
        if self.app.services is not None:  # the row's status and count changed: list again, keep the message
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.print_jobs import recent_slips

            run_use_case(self, SlipsRelisted, recent_slips, self.app.services, failed_only=self.failed_only,
                         group="print")

    def on_failed(self, message: Failed) -> None:
        message.stop()
        self.busy = False
        self.say(message.reason, Level.ERROR)

    def action_back(self) -> None:
        self.dismiss(None)


# --- the scan field's answer for a slip -------------------------------------------------------------


@dataclass
class SlipChecked(Message):
    """A scanned slip was verified and acted on (``services.check_in.check_slip``)."""

    seq: int
    text: str
    result: SlipScan
