"""The green-channel desk: sign in, scan a talent card, open and route the case.

Database work runs in thread workers (``exit_on_error=False``) that post messages back. The first
screen is mounted before the database is even opened (SQLAlchemy and Alembic are imported in the
connect worker), so the field takes input at once; what arrives early is kept and run when the
database is ready (research/textual.md pitfall 13).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.actions import ActionParseResult
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.screen import Screen

from hallterm.config import Settings
from hallterm.tui.desk.keys import (
    KEY_NAMES,
    PALETTE_SKIP,
    DeskPalette,
    KeyListScreen,
    ThemeChoices,
    declared_here,
)
from hallterm.tui.desk.messages import Connected, ConnectFailed, ServicesReady
from hallterm.tui.desk.outage import DatabaseDown, OutageWatch, Probed
from hallterm.tui.faults import LoggedFaults
from hallterm.tui.widgets.message_line import Level, MessageLine

if TYPE_CHECKING:
    from hallterm.services.cases import CatalogItem
    from hallterm.services.context import Services
    from hallterm.services.staff import StaffSession
    from hallterm.tui.desk.case_form import CaseFormScreen


CASE_FORM = "case-form"
FUNCTION_KEY = re.compile(r"f([1-9]|1[0-2])")
AFTER_HOURS_TITLE = "延时服务（下班后/节假日）"


class DeskApp(LoggedFaults):
    program = "前台"
    TITLE = "绿色通道前台"
    # The sign-in screen is the default screen, and Textual reads a screen's own CSS_PATH only when the
    # screen is pushed or installed, never for the default one: its styles live on the app.
    CSS_PATH = "../styles/sign_in.tcss"
    BINDINGS = [
        # Not in the footer (an 80-column counter terminal has no room; staff rarely quit): the command
        # palette lists it as 退出（Ctrl+Q）.
        Binding("ctrl+q", "quit", "退出", show=False, priority=True, id="quit"),
        # Declared here so that the footer's corner says what it does in Chinese (Textual's says "palette").
        Binding("ctrl+p", "command_palette", "全部操作", show=False, priority=True, tooltip="列出本屏可用的全部操作"),
        # The key a new clerk tries first: every key of the screen, and why one does nothing now.
        Binding("f1", "keys", "按键说明", show=False, id="keys"),
    ]

    def __init__(self, settings: Settings, *, after_hours: bool = False, services: Services | None = None,
                 session: StaffSession | None = None, demo_note: str = "") -> None:
        super().__init__()
        self.settings = settings
        self.demo_note = demo_note  # sample cards and logins of `hallterm demo`, shown on sign-in and the desk
        self.after_hours = after_hours
        self.services: Services | None = services
        self.session: StaffSession | None = session
        self.connect_error = ""
        self._owns_services = services is None
        self.outage = OutageWatch(self)
        self.sub_title = AFTER_HOURS_TITLE if after_hours else settings.hall.name

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key the footer shows is also in the command palette (Ctrl+P), in Chinese; so are keys
        kept out of the footer for room, and one operation bound to two keys is listed once."""
        keys: dict[tuple[str, str], list[str]] = {}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or not binding.description or binding.action in PALETTE_SKIP:
                continue
            operation = isinstance(active.node, Screen | App) and declared_here(active.node, binding)
            if not binding.show and not operation:
                continue  # a field's own keys (Ctrl+U, Tab…) and Textual's: editing, not operations
            if not binding.show and binding.action.endswith("reconnect") and self.services is not None:
                continue  # only useful while the database is away
            keys.setdefault((binding.description, binding.action), []).append(self.key_label(binding))
        for (description, action), labels in keys.items():
            yield SystemCommand(description, f"快捷键 {'、'.join(labels)}", partial(screen.run_action, action))
        yield SystemCommand("切换主题", "更换界面配色（如大厅强光下用浅色）", self.action_change_theme)
        yield SystemCommand("退出（Ctrl+Q）", "退出前台终端", self.action_quit)

    def search_themes(self) -> None:
        """Textual's theme list is in English with twenty schemes; a hall needs a few, in Chinese."""
        self.push_screen(DeskPalette(providers=[ThemeChoices], placeholder="选择界面配色……"))

    def key_label(self, binding: Binding) -> str:
        """A key as Chinese software writes it (Ctrl+R, Esc, F3), not Textual's ^r or CTRL+R."""
        if binding.key_display:
            return binding.key_display
        modifiers, key = binding.parse_key()
        name = KEY_NAMES.get(key) or (key.upper() if len(key) == 1 or (key[:1] == "f" and key[1:].isdigit())
                                      else self.get_key_display(Binding(key, "")))
        return "+".join([m.capitalize() for m in modifiers] + [name])

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (it copies); Textual says so in English."""
        self.notify("退出请按 Ctrl+Q（也可在 Ctrl+P 全部操作中选择退出）", title="要退出前台终端吗？")

    async def run_action(self, action: str | ActionParseResult, default_namespace: DOMNode | None = None,
                         namespaces: Mapping[str, DOMNode] | None = None) -> bool:
        """Run a key's action; one that does not apply now says why instead of doing nothing.

        Textual skips an action whose ``check_action`` fails without a word (a key hidden from the footer
        or greyed out alike); screens with ``why_not`` (keys.ExplainsKeys) and this app name the reason.
        """
        if await super().run_action(action, default_namespace, namespaces):
            return True
        target, name, _ = self._parse_action(action, self if default_namespace is None else default_namespace,
                                             namespaces)
        if name in getattr(target, "FALLS_THROUGH", ()):
            return False  # its key goes on to the next binding on the same key (ExplainsKeys.FALLS_THROUGH)
        why = getattr(target, "why_not", None)
        reason = why(name) if callable(why) else ""
        if not reason:
            return False
        self.tell(reason, target)
        return True

    async def on_key(self, event: events.Key) -> None:
        """A key no widget took and no binding of its own case acts on: the same letter in lower case
        (Shift or Caps Lock: screens say 按 N, the bindings are n), or an unbound F-key says so.

        A key reaches the app only if the focused widget (an Input typing the letter) and the screens
        below it let it through. Handlers run down the class tree, so this runs before ``App._on_key``
        (which checks the bindings): the bindings are checked here first, and ``prevent_default`` keeps a
        key handled here from being handled again there.
        """
        key = event.key
        if await self._check_bindings(key):
            event.prevent_default()
            return
        letter = key.removeprefix("shift+")
        if len(letter) == 1 and letter.isascii() and letter.isalpha() and letter.lower() != key:
            if await self._check_bindings(letter.lower()):
                event.prevent_default()
            return
        if FUNCTION_KEY.fullmatch(key) and not isinstance(self.screen, CommandPalette):
            event.prevent_default()
            self.tell(f"{key.upper()} 在本屏没有用途：按 F1 查看本屏的按键")

    def tell(self, text: str, where: object = None) -> None:
        """Say ``text`` on the message line of ``where`` (or of the screen on top, or as a notification)."""
        for node in (where, self.screen):
            lines = node.query(MessageLine) if isinstance(node, Screen) else None
            if lines:
                lines.first().say(text, Level.BUSY)
                return
        self.notify(text)

    def why_not(self, action: str) -> str:
        if action == "reconnect" and self.services is not None and not self.outage.down:
            return "数据库已连接，无需重新连接"
        return ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not self.why_not(action)

    def action_keys(self) -> None:
        if not isinstance(self.screen, KeyListScreen):
            self.push_screen(KeyListScreen(self.screen))

    def action_command_palette(self) -> None:
        # Textual types is_open() for App[object]; App is invariant in its return type, so DeskApp (App[int]) fails it.
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(DeskPalette(placeholder="输入要执行的操作……", id="--command-palette"))

    def get_default_screen(self) -> Screen:
        """Sign-in is the bottom of the stack: shown at once (no screen push on start), and what
        signing out returns to."""
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.sign_in import SignInScreen

        return SignInScreen()

    def on_mount(self) -> None:
        if self.session is not None:
            self.show_home()
        if self.services is None:
            # After the first paint: importing SQLAlchemy in a thread holds the GIL for a while, and the
            # field must be on screen and focused before that (DESIGN.md performance budget).
            self.call_after_refresh(self.connect)

    # -- the database -----------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="connect", exclusive=True)
    def connect(self) -> None:
        # Imported here, off the event loop: SQLAlchemy and Alembic take ~0.5 s to import and the
        # first field must accept input before that (DESIGN.md performance budget).
        try:
            # lazy: this is the worker that imports them (see above)
            from hallterm.services.context import Services
            from hallterm.services.deadline_sweep import sweep
            from hallterm.services.reference import ensure_reference
            from hallterm.services.rule_settings import note_rule_settings

            services = Services.open(self.settings)
            loaded = ensure_reference(services)
            note_rule_settings(services, "hallterm desk")  # issue 15 point 6: rules changed since last recorded
            sweep(services)  # conditional cases past their supplement deadline close on start (S7)
        except Exception as exc:  # every failure becomes a message on screen
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.errors import explain

            reason = explain(exc, self.settings.db.resolved_url(), fault="无法打开数据库", advice="")
            self.post_message(ConnectFailed(reason))
            return
        self.post_message(Connected(services, "首次运行：已载入大厅基础数据" if loaded else ""))

    @on(Connected)
    def _on_connected(self, message: Connected) -> None:
        self.services = message.services
        self.connect_error = ""
        self._broadcast(ServicesReady(message.note))

    @on(ConnectFailed)
    def _on_connect_failed(self, message: ConnectFailed) -> None:
        retry_s = self.settings.db.retry_ms / 1000
        self.connect_error = f"{message.reason}。每 {retry_s:g} 秒自动重试，也可按 F5 立即重试；已输入的内容会保留"
        self._broadcast(ServicesReady("", error=self.connect_error))
        self.set_timer(retry_s, self._connect_again)

    def _connect_again(self) -> None:
        if self.services is None and not self.workers_in("connect"):
            self.connect()

    def workers_in(self, group: str) -> bool:
        return any(w.group == group and not w.is_finished for w in self.workers)

    @on(DatabaseDown)
    def _on_database_down(self, message: DatabaseDown) -> None:
        self.outage.went_down(message)

    @on(Probed)
    def _on_probed(self, _message: Probed) -> None:
        self.outage.came_back()

    def _broadcast(self, message: ServicesReady) -> None:
        for screen in self.screen_stack:
            screen.post_message(ServicesReady(message.note, message.error))

    def action_reconnect(self) -> None:
        if self.services is None:
            self.tell("正在重新连接数据库……")
            self.connect()
        elif self.outage.down:
            self.tell("正在重试连接数据库……")
            self.outage.probe()

    # -- who is signed in -------------------------------------------------------------------

    def signed_in(self, session: StaffSession) -> None:
        self.session = session
        self.show_home()

    def show_home(self) -> None:
        """Coordinators land on their visitors, proxy staff on their tasks; everyone else on the scan screen."""
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.coordinator import CoordinatorScreen
        from hallterm.tui.desk.desk_screen import DeskScreen
        from hallterm.tui.desk.proxy_tasks import ProxyTasksScreen

        assert self.session is not None
        # S6: signing in with the after_hours role opens the after-hours desk, as --after-hours does.
        evening = self.after_hours or self.session.role == "after_hours"
        self.sub_title = AFTER_HOURS_TITLE if evening else self.settings.hall.name
        home: Screen
        if self.session.role == "coordinator":
            home = CoordinatorScreen()
        elif self.session.role == "proxy":  # S3: the 帮办代办 staff work from their own task list
            home = ProxyTasksScreen()
        else:
            home = DeskScreen()
        self.push_screen(home)

    def sign_out(self) -> None:
        """Back to the sign-in screen at the bottom of the stack; nothing of the session stays on screen."""
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.sign_in import SignInScreen

        session, self.session = self.session, None
        if session is not None and self.services is not None:
            self._log_sign_out(session)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        sign_in = self.screen_stack[0]
        if isinstance(sign_in, SignInScreen):
            sign_in.reset()

    @work(thread=True, exit_on_error=False, group="db")
    def _log_sign_out(self, session: StaffSession) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.staff import sign_out

        assert self.services is not None
        sign_out(self.services, session)

    def case_form(self, catalog: list[CatalogItem]) -> CaseFormScreen:
        """The one case form of this terminal, installed once and refilled for each holder."""
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.case_form import CaseFormScreen

        if not self.is_screen_installed(CASE_FORM):
            self.install_screen(CaseFormScreen(catalog, self.settings.desk.default_district), CASE_FORM)
        screen = self.get_screen(CASE_FORM)
        assert isinstance(screen, CaseFormScreen)
        return screen

    def on_unmount(self) -> None:
        if self._owns_services and self.services is not None:
            self.services.close()

