"""The 统一发证窗口 (S9; issue 13): scan the visit slip or the card, see what is ready, check who takes
it (the holder's own ID against the roster, or an agent with a valid ID and the 授权委托书), hand it
out with F10, print the 领证回执 with F9. Staff at the issuing window use the ordinary desk (Ctrl+L, 领证)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from hallterm.domain.terminal_text import visible
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.keys import ExplainsKeys, FitsFooter
from hallterm.tui.desk.messages import Done, Failed
from hallterm.tui.desk.print_screens import PreviewReady
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine
from hallterm.tui.widgets.scan_field import ScanField
from hallterm.tui.widgets.toggles import Checkbox

if TYPE_CHECKING:
    from hallterm.services.context import Services
    from hallterm.services.handout import HandoutResult, WindowLookup
    from hallterm.services.printables import Printable
    from hallterm.tui.desk.app import DeskApp


class CountersLoaded(Done):
    """``result``: the issuing counters (统一发证窗口) of the hall."""


class WindowLooked(Done):
    """``result``: the ``WindowLookup`` of the holder scanned."""


class HandedOutDone(Done):
    """``result``: the ``HandoutResult``."""


def _receipts(svc: Services, result: HandoutResult) -> tuple[list[Printable], str, int]:
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.domain.ids import mask_name
    from hallterm.services.printables import printables_for_handout

    cases = "、".join(c.case_no for c in result.cases)
    return printables_for_handout(svc, result), f"{mask_name(result.holder_name)}　{cases}", 0


class IssuingScreen(CarriesOn, WithMessageLine, FitsFooter, ExplainsKeys, Screen[None]):
    CSS_PATH = "../styles/issuing.tcss"
    BINDINGS = [
        Binding("f10", "hand_out", "发放", id="ho_hand_out"),
        Binding("f6", "toggle_agent", "本人/代理人", id="ho_agent"),
        Binding("f7", "toggle_poa", "授权委托书", id="ho_poa"),
        Binding("f9", "print_receipt", "打印回执", id="ho_print"),
        Binding("f2", "new_scan", "新扫描", id="ho_new_scan"),
        Binding("escape", "back", "返回前台", id="ho_back"),
    ]
    app: DeskApp

    def __init__(self) -> None:
        super().__init__()
        self.counter_code = ""
        self.counter_name = ""
        self.found: WindowLookup | None = None
        self.result: HandoutResult | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("持卡人的引导单或钢都英才卡", classes="ho-label")
        yield ScanField(id="ho-scan")
        yield Static("", id="ho-holder")
        yield DataTable(id="ho-items", cursor_type="row", zebra_stripes=True)
        with Horizontal(classes="ho-row"):
            yield Checkbox("代理人领取（F6）", False, id="ho-agent", compact=True)
            yield Checkbox("已查验授权委托书（F7）", False, id="ho-poa", compact=True)
        with Horizontal(classes="ho-row"):
            yield Input(placeholder="代理人姓名", id="ho-name", max_length=64, disabled=True)
            yield Input(placeholder="领取人居民身份证号码（读卡或输入）", id="ho-id", max_length=24)
        yield MessageLine(id="ho-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "统一发证窗口"
        self.query_one("#ho-items", DataTable).add_columns("办件号", "事项", "决定文书号")
        self.query_one("#ho-scan", ScanField).focus()
        self.say("扫描引导单或钢都英才卡，查看待领取的结果")
        if self.app.services is not None:
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.handout import issuing_counters

            run_use_case(self, CountersLoaded, issuing_counters, self.app.services)

    def on_counters_loaded(self, message: CountersLoaded) -> None:
        counters = message.result
        if not counters:
            self.say("本大厅没有统一发证窗口（assets/hall.toml 中 kind = \"issuing\"），不能发放", Level.ERROR)
            return
        self.counter_code, self.counter_name = counters[0].code, counters[0].name
        self.sub_title = f"{self.counter_name}（{self.counter_code}）"

    def why_not(self, action: str) -> str:
        if action == "hand_out" and (self.found is None or not self.found.cases):
            return "没有待发放的结果：请先扫描持卡人的引导单或卡"
        if action == "print_receipt" and self.result is None:
            return "还没有发放记录：发放（F10）后再打印领证回执"
        return ""

    # -- scanning ----------------------------------------------------------------------------

    @on(Input.Submitted, "#ho-scan")
    def _scanned(self, event: Input.Submitted) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.handout import lookup

        text = event.value.strip()
        if not text or self.app.services is None:
            return
        self.say("正在查询……", Level.BUSY)
        run_use_case(self, WindowLooked, lookup, self.app.services, self.app.session, text)

    def on_window_looked(self, message: WindowLooked) -> None:
        found: WindowLookup = message.result
        self.found, self.result = found, None
        self.query_one("#ho-holder", Static).update(
            Text(f"持卡人 {visible(found.holder_name)}　卡号 {visible(found.card_no)}"
                 f"　身份证 {found.holder_id_masked}"))
        table = self.query_one("#ho-items", DataTable)
        table.clear()
        for case in found.cases:
            for item in case.items:
                table.add_row(case.case_no, Text(item.item_name), Text(item.decision_no), key=str(item.case_item_id))
        self.query_one("#ho-scan", ScanField).clear()
        self.refresh_bindings()
        if not found.cases:
            self.say(f"{visible(found.holder_name)} 目前没有待领取的结果（审批未办结或已领取）", Level.BUSY)
            return
        count = sum(len(c.items) for c in found.cases)
        self.query_one("#ho-id", Input).focus()
        self.say(f"{visible(found.holder_name)} 有 {count} 项待领取。本人领取请读取或输入其身份证号；"
                 "他人代领按 F6，填写代理人姓名和身份证号，查验授权委托书后按 F7；然后按 F10 发放")

    def on_failed(self, message: Failed) -> None:
        self.busy = False
        self.say(message.reason, Level.ERROR)  # what was typed stays in the fields, to be corrected

    # -- the recipient -----------------------------------------------------------------------

    def action_toggle_agent(self) -> None:
        box = self.query_one("#ho-agent", Checkbox)
        box.value = not box.value

    def action_toggle_poa(self) -> None:
        box = self.query_one("#ho-poa", Checkbox)
        box.value = not box.value

    @on(Checkbox.Changed, "#ho-agent")
    def _agent_changed(self, event: Checkbox.Changed) -> None:
        name = self.query_one("#ho-name", Input)
        name.disabled = not event.value
        if event.value:
            name.focus()

    def action_hand_out(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.domain.handout import Recipient, RecipientKind
        from hallterm.services.handout import hand_out

        found = self.found
        if found is None or not found.cases or self.busy or self.app.services is None:
            return
        agent = self.query_one("#ho-agent", Checkbox).value
        recipient = Recipient(RecipientKind.AGENT if agent else RecipientKind.HOLDER,
                              self.query_one("#ho-id", Input).value,
                              self.query_one("#ho-name", Input).value if agent else "",
                              self.query_one("#ho-poa", Checkbox).value if agent else False)
        self.busy = True
        self.say("正在发放……", Level.BUSY)
        run_use_case(self, HandedOutDone, hand_out, self.app.services, self.app.session,
                     counter_code=self.counter_code, card_no=found.card_no, case_item_ids=list(found.item_ids),
                     recipient=recipient)

    def on_handed_out_done(self, message: HandedOutDone) -> None:
        result: HandoutResult = message.result
        self.busy = False
        self.result, self.found = result, None
        # The whole ID was needed for the check only: from now on the screen shows it masked.
        self.query_one("#ho-id", Input).value = ""
        self.query_one("#ho-name", Input).value = ""
        self.query_one("#ho-poa", Checkbox).value = False
        self.query_one("#ho-agent", Checkbox).value = False
        self.query_one("#ho-items", DataTable).clear()
        who = result.recipient
        self.query_one("#ho-holder", Static).update(
            Text(f"已发放　{who.kind_name}：{who.name}　身份证 {who.id_masked}"))
        self.query_one("#ho-scan", ScanField).focus()
        self.refresh_bindings()
        self.say(f"{result.message}。按 F9 打印领证回执", Level.BUSY)

    # -- the receipt -------------------------------------------------------------------------

    def action_print_receipt(self) -> None:
        if self.result is None or self.app.services is None:
            return
        self.say("正在准备领证回执……", Level.BUSY)
        run_use_case(self, PreviewReady, _receipts, self.app.services, self.result, group="print")

    def on_preview_ready(self, message: PreviewReady) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.print_screens import show_preview

        show_preview(self, self.say, message)

    def action_new_scan(self) -> None:
        self.found = None
        self.query_one("#ho-items", DataTable).clear()
        self.query_one("#ho-holder", Static).update("")
        scan = self.query_one("#ho-scan", ScanField)
        scan.clear()
        scan.focus()
        self.refresh_bindings()
        self.say("扫描引导单或钢都英才卡，查看待领取的结果")

    def action_back(self) -> None:
        self.app.pop_screen()
