"""Keys: footers that fit the counter's terminal, the command palette's Chinese, and no silent key.

An 80-column terminal cannot show every key of the desk: ``FitsFooter`` screens drop the rarest
keys from the footer whole (Textual would cut a label in half) and the command palette (Ctrl+P,
全部操作) lists every operation, with its key written as Chinese software writes keys.

A key that does not apply now (no card on screen, a role without it) is left out of the footer,
but pressed it says why in one line (``ExplainsKeys``); F1 lists every key of the screen and, for
those that do not apply now, the reason (``KeyListScreen``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from rich.align import Align
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static
from textual.widgets.option_list import Option

from hallterm.tui.widgets.carry_on import CarriesOn


def fit_footer(app: App, bindings: dict[str, ActiveBinding], width: int,
               footer_first: tuple[str, ...] = ()) -> dict[str, ActiveBinding]:
    """The bindings with those the footer has no room for marked ``show=False``.

    Textual clips a footer too long for the terminal mid-label ("^r 补 ▏"); here the keys that do not fit
    (the last declared: the rarest) leave the footer whole instead. They stay bound, and the command
    palette lists them. Widths are those of the compact footer: key, space, label, one cell between.
    """
    palette = bindings.get(app.COMMAND_PALETTE_BINDING)
    budget = width
    if palette is not None and app.ENABLE_COMMAND_PALETTE:
        budget -= 1 + cell_len(app.get_key_display(palette.binding)) + 1 + cell_len(palette.binding.description)
    used, full, seen = 0, False, set()
    fitted: dict[str, ActiveBinding] = {}
    # The keys a person needs most fit first (footer_first: e.g. a supervisor's 督查考核 and 责任清单, declared
    # last among the coordinators' keys because a coordinator seldom uses them); the others keep their order.
    first = set(footer_first)
    ordered = sorted(bindings.items(), key=lambda kv: kv[1].binding.action not in first)
    for key, active in ordered:
        binding = active.binding
        if binding.show and binding.action not in seen:
            seen.add(binding.action)  # the footer shows one key per action
            needed = cell_len(app.get_key_display(binding)) + 1 + cell_len(binding.description) + 1
            full = full or used + needed > budget
            if full:
                active = active._replace(binding=replace(binding, show=False))
            else:
                used += needed
        fitted[key] = active
    return fitted


class FitsFooter:
    """A screen whose (compact) footer drops the keys it has no room for, rarest first (fit_footer)."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        screen: Any = self
        # A mixin: mypy cannot see the Screen this is mixed into, whose property super() reaches.
        return fit_footer(screen.app, super().active_bindings,  # type: ignore[misc]
                          screen.size.width or screen.app.size.width, self.footer_first())

    def footer_first(self) -> tuple[str, ...]:
        """Actions whose keys take the footer's room before the others (for who is signed in)."""
        return ()

    def on_resize(self) -> None:
        # A narrower terminal fits fewer keys; refresh_bindings is the Screen's this mixin goes with.
        self.refresh_bindings()  # type: ignore[attr-defined]


def declared_here(node: object, binding: Binding) -> bool:
    """Whether hallterm (not Textual) declared this binding on the node's class."""
    return any(isinstance(b, Binding) and (b.action, b.description) == (binding.action, binding.description)
               for cls in type(node).__mro__ if cls.__module__.startswith("hallterm.")
               for b in vars(cls).get("BINDINGS", []))


# Bindings the palette leaves out: the palette itself, 退出 (listed on its own, with its key), and
# 清空输入 (Esc in the scan field: running it from the palette would only clear the palette's own text).
PALETTE_SKIP = frozenset({"command_palette", "app.command_palette", "quit", "app.quit", "clear_field"})
KEY_NAMES = {"escape": "Esc", "enter": "Enter", "tab": "Tab", "space": "空格", "delete": "Del",
             "backspace": "Backspace", "up": "↑", "down": "↓", "left": "←", "right": "→",
             "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End", "insert": "Ins"}


class DeskPalette(CarriesOn, CommandPalette):
    """Textual's palette, saying in Chinese that nothing matched (Textual writes "No matches found")."""

    NO_MATCHES = "没有匹配的操作"

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual hard-codes its English text inside this method (textual/command.py); it is redone here
        # with ours, and tests/tui/test_desk_keys.py fails if a Textual upgrade changes how it is called.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(self.NO_MATCHES, style="not bold")), disabled=True,
                           id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


# The colour schemes a hall needs, named as a clerk would (Textual offers twenty, named in English).
THEMES = {"textual-dark": "深色（默认）", "textual-light": "浅色（大厅强光下）",
          "ansi-dark": "终端自带配色（深）", "ansi-light": "终端自带配色（浅）"}


class ThemeChoices(Provider):
    """The palette's 切换主题 list: a few schemes with Chinese names."""

    def _choices(self) -> list[tuple[str, Callable[[], None]]]:
        def use(name: str) -> None:
            self.app.theme = name

        return [(label, partial(use, name)) for name, label in THEMES.items() if name in self.app.available_themes]

    async def discover(self) -> Hits:
        for label, choose in self._choices():
            yield DiscoveryHit(label, choose)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, choose in self._choices():
            if (score := matcher.match(label)) > 0:
                yield Hit(score, matcher.highlight(label), choose)


class ExplainsKeys:
    """A screen whose keys that do not apply now say why when pressed, instead of nothing.

    ``why_not(action)`` is the one line the key says ("" when it applies); ``check_action`` follows it,
    so the footer shows only keys that act. Textual runs no action whose check fails and says nothing
    (``App.run_action`` returns False, for a hidden and a greyed-out key alike): ``DeskApp.run_action``
    says the reason on the screen's message line instead.

    An action in ``FALLS_THROUGH`` shares its key with a later binding that acts when it does not (Esc:
    back to calling, else clear the field): pressed, its key goes on silently to that binding, and its
    ``why_not`` is said only in the F1 list.
    """

    FALLS_THROUGH: frozenset[str] = frozenset()

    def why_not(self, action: str) -> str:
        return ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not self.why_not(action)


def screen_bindings(node: object) -> list[Binding]:
    """The bindings hallterm declared on ``node``'s class (not Textual's), one per action, in order."""
    found: dict[str, Binding] = {}
    for cls in reversed(type(node).__mro__):
        if cls.__module__.startswith("hallterm."):
            for b in vars(cls).get("BINDINGS", []):
                if isinstance(b, Binding) and b.description:
                    found.setdefault(b.action, b)
    return list(found.values())


class KeyListScreen(CarriesOn, ModalScreen[None]):
    """F1: every key of the screen below, what it does, and why it does nothing now if it does not."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape,f1", "close", "关闭", key_display="Esc")]

    def __init__(self, below: Screen) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        app: Any = self.app
        own = screen_bindings(app)
        # A grid, not one text: a reason too long for the line wraps in its own column, under itself.
        keys = Table.grid(padding=(0, 1))
        keys.add_column(no_wrap=True, style="bold")
        keys.add_column(no_wrap=True)
        keys.add_column(overflow="fold", style="dim")
        for binding in [*screen_bindings(self.below), *own]:
            on_app = binding in own or binding.action.startswith("app.")
            target = app if on_app else self.below
            why = getattr(target, "why_not", None)
            reason = why(binding.action.removeprefix("app.")) if callable(why) else ""
            keys.add_row(app.key_label(binding), binding.description, f"现在不可用：{reason}" if reason else "")
        # A screen may add what its words mean (the supervisor's figures and short headers): after its keys.
        notes_of = getattr(self.below, "key_list_notes", None)
        notes = notes_of() if callable(notes_of) else []
        with Vertical():
            yield Static(Text("本屏按键（Esc 关闭；↑↓ 翻看；Ctrl+P 可按名称查找操作）", style="bold"))
            with VerticalScroll():
                yield Static(keys, id="key-list")
                if notes:
                    glossary = Table.grid(padding=(0, 1))
                    glossary.add_column(no_wrap=True, style="bold")
                    glossary.add_column(overflow="fold")
                    for term, text in notes:
                        glossary.add_row(term, text)
                    yield Static(Text("说明", style="bold"), classes="key-notes-title")
                    yield Static(glossary, id="key-notes")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
