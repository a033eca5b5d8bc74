"""The green-channel desk: scan or type a talent-card number, see the holder at once.

Database work runs in thread workers (``exit_on_error=False``) that post messages back; the scan
field is mounted first and accepts input while the database is still being opened. Scans that
arrive before then are kept and run as soon as it is ready (research/textual.md pitfall 13).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Input, Static

from hallterm.config import Settings
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.desk.messages import CardChecked, Connected, ConnectFailed, ScanRefused
from hallterm.tui.widgets.scan_field import ScanField

if TYPE_CHECKING:
    from hallterm.services.context import Services


class DeskApp(App[int]):
    CSS_PATH = "../styles/desk.tcss"
    TITLE = "绿色通道前台"
    BINDINGS = [
        Binding("f2", "new_scan", "新扫描", id="new_scan"),
        Binding("escape", "clear_field", "清空输入", show=False, id="clear_field"),
        Binding("f5", "reconnect", "重新连接数据库", id="reconnect"),
        Binding("ctrl+q", "quit", "退出", priority=True, id="quit"),
    ]

    def __init__(self, settings: Settings, *, after_hours: bool = False,
                 services: Services | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.after_hours = after_hours
        self.services: Services | None = services
        self._owns_services = services is None
        self._pending: list[tuple[int, str]] = []
        self._seq = 0
        self._shown_seq = 0
        self.sub_title = "延时服务（节假日/下班后）" if after_hours else settings.hall.name

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="scan-box"):
            yield Static("钢都英才卡", id="scan-label")
            yield ScanField(id="scan")
        yield Static("", id="notice")
        yield HolderPanel(id="holder")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ScanField).focus()
        if self.services is None:
            self._say("正在连接数据库……可以先扫码，连接后自动查询", "-busy")
            self._connect()
        else:
            self._after_connect("")

    # -- connecting -------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="connect", exclusive=True)
    def _connect(self) -> None:
        # Imported here, off the event loop: SQLAlchemy and Alembic cost ~0.5 s to import and
        # the scan field must accept input before that (DESIGN.md performance budget).
        try:
            from hallterm.services.context import Services
            from hallterm.services.reference import ensure_reference

            services = Services.open(self.settings)
            loaded = ensure_reference(services)
        except Exception as exc:  # every failure becomes a message on screen
            self.post_message(ConnectFailed(_connect_reason(exc, self.settings.db.resolved_url())))
            return
        self.post_message(Connected(services, "首次运行：已载入大厅基础数据" if loaded else ""))

    @on(Connected)
    def _on_connected(self, message: Connected) -> None:
        self.services = message.services
        self._after_connect(message.note)

    def _after_connect(self, note: str) -> None:
        self._say(note or "请扫描钢都英才卡，或输入卡号后按回车", "")
        pending, self._pending = self._pending, []
        for seq, text in pending:
            self._check(seq, text)

    @on(ConnectFailed)
    def _on_connect_failed(self, message: ConnectFailed) -> None:
        self._say(f"{message.reason}。按 F5 重新连接；已扫的卡号会保留", "-error")

    def action_reconnect(self) -> None:
        if self.services is None:
            self._say("正在重新连接数据库……", "-busy")
            self._connect()

    # -- scanning ---------------------------------------------------------------------------

    @on(Input.Submitted, "#scan")
    def _on_scan(self, event: Input.Submitted) -> None:
        text = event.value
        if not text.strip():
            return
        self._seq += 1
        if self.services is None:
            self._pending.append((self._seq, text))
            self._say(f"已记下 {len(self._pending)} 次扫码，数据库连接后自动查询", "-busy")
            return
        self._say("正在查询……", "-busy")
        self._check(self._seq, text)

    @work(thread=True, exit_on_error=False, group="scan")
    def _check(self, seq: int, text: str) -> None:
        from hallterm.domain.cards import ScanError
        from hallterm.services.cards import check_card
        from hallterm.storage.engine import DatabaseUnavailable

        assert self.services is not None
        try:
            result = check_card(self.services, text)
        except ScanError as exc:
            self.post_message(ScanRefused(seq, text, str(exc)))
        except DatabaseUnavailable as exc:
            self.post_message(ScanRefused(seq, text, f"{exc}。请按回车重试", retry=True))
        except Exception as exc:  # never lose the scan to an unexpected error
            self.post_message(ScanRefused(seq, text, f"查询出错（{type(exc).__name__}）：{exc}。请按回车重试",
                                          retry=True))
        else:
            self.post_message(CardChecked(seq, text, result))

    @on(CardChecked)
    def _on_card_checked(self, message: CardChecked) -> None:
        if message.seq < self._shown_seq:
            return  # an older scan finished after a newer one: the newer one stays on screen
        self._shown_seq = message.seq
        assert self.services is not None
        self.query_one(HolderPanel).show_check(message.check, self.services.today())
        field = self.query_one(ScanField)
        if field.value == message.text:
            field.clear()  # ready for the next card; a half-typed newer entry is left alone
        self._say("请扫描下一张卡" if message.check.ok else "此卡不能走绿色通道，见下方说明",
                  "" if message.check.ok else "-error")

    @on(ScanRefused)
    def _on_scan_refused(self, message: ScanRefused) -> None:
        if message.seq < self._shown_seq:
            return
        self._shown_seq = message.seq
        field = self.query_one(ScanField)
        if not field.value:
            field.value = message.text.strip("\r\n\t")
        # Kept for correcting, but selected: the next scan replaces it instead of appending.
        field.focus()
        field.select_all()
        self.query_one(HolderPanel).clear()
        self._say(message.reason, "-error")

    # -- keys -------------------------------------------------------------------------------

    def action_new_scan(self) -> None:
        field = self.query_one(ScanField)
        field.clear()
        field.focus()
        self.query_one(HolderPanel).clear()
        if self.services is not None:
            self._say("请扫描钢都英才卡，或输入卡号后按回车", "")

    def action_clear_field(self) -> None:
        self.query_one(ScanField).clear()

    def _say(self, text: str, cls: str) -> None:
        notice = self.query_one("#notice", Static)
        notice.update(Text(text))
        notice.set_classes(cls.split())

    def on_unmount(self) -> None:
        if self._owns_services and self.services is not None:
            self.services.close()

    def today(self) -> dt.date | None:
        return self.services.today() if self.services else None


def _connect_reason(exc: Exception, url: str) -> str:
    from sqlalchemy.exc import OperationalError

    from hallterm.domain.reference import ReferenceError
    from hallterm.storage.engine import DatabaseUnavailable, describe_operational_error

    if isinstance(exc, DatabaseUnavailable | ReferenceError):
        return str(exc)
    if isinstance(exc, OperationalError):
        return describe_operational_error(exc, url)
    return f"无法打开数据库（{type(exc).__name__}：{exc}）"
