"""No silent keys, the walkthrough's second look (issue 11, point 5): letters act in capitals too (Shift,
Caps Lock) but never steal typing from a field, F3 after routing says what is true, an F-key with no use on a
screen says so, and the F1 list gives every key a reason, wraps under its text and scrolls at 80×24."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static

from hallterm.services import queue
from hallterm.services.context import Services
from hallterm.tui.desk import calling
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.calling import CallingScreen
from hallterm.tui.desk.checklist_screen import ChecklistScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.keys import KeyListScreen
from hallterm.tui.desk.walkin_ticket import IssueScreen
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_and_route, open_calling, settle, text_of, type_text
from tests.tui.test_no_silent_keys import queue_status


def said(app: DeskApp, where: str = "#notice") -> str:
    return text_of(app, where).replace("\n", "")


def key_list_lines(screen: KeyListScreen, width: int) -> list[str]:
    """The F1 list as it is drawn ``width`` cells wide."""
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(screen.query_one("#key-list", Static).content)
    return console.export_text().splitlines()


async def test_after_routing_f3_names_the_case_and_the_f1_list_reads_at_80x24(
    cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    # 80×24 in a terminal multiplexer with a status line: 80×23 for the app.
    async with app.run_test(size=(80, 23)) as pilot:
        await open_and_route(pilot, cards["valid"])
        assert isinstance(app.screen, DeskScreen) and app.screen.last_case is not None
        case_no = app.screen.last_case.case_no
        # The routing panel names the holder: F3 does not say there is none.
        await pilot.press("f3")
        assert isinstance(app.screen, DeskScreen)
        assert f"已为 王喆 开办件 {case_no}" in said(app) and "没有持卡人" not in said(app), said(app)

        # The checklist's letters act in capitals (Shift or Caps Lock) as the screen writes them.
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen) and app.screen.sheet is not None
        assert not app.screen.sheet.items[0].fees_paid
        await pilot.press("F")
        await settle(pilot)
        assert app.screen.sheet.items[0].fees_paid
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)

        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, KeyListScreen)
        lines = key_list_lines(app.screen, 60)
        # Esc 返回叫号 says why it does nothing now (not opened from the calling screen).
        esc = next(line for line in lines if "返回叫号" in line)
        assert "现在不可用" in esc, esc
        # A long reason wraps under the description, not under the key column.
        f9 = next(i for i, line in enumerate(lines) if line.startswith("F9"))
        assert "现在不可用" in lines[f9] and lines[f9 + 1].startswith(" " * 12), lines[f9:f9 + 2]
        # At 80×23 the list does not fit: it scrolls to its last key instead of being cut off.
        scroll = app.screen.query_one(VerticalScroll)
        assert scroll.max_scroll_y > 0
        await pilot.press("end")
        await settle(pilot)
        assert scroll.scroll_y == scroll.max_scroll_y
        # and no row of it lies below the box, where no scrolling reaches it.
        assert scroll.region.bottom <= app.screen.query_one(Vertical).content_region.bottom
        await pilot.press("escape")
        assert isinstance(app.screen, DeskScreen)


async def test_capital_letters_call_but_do_not_steal_typing_and_unbound_f_keys_say_so(
    loaded: Services, desk_app: DeskAppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calling, "_COUNTER_OF", {})
    for _ in range(2):
        queue.issue_walkin(loaded)
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        await pilot.press("N")  # Caps Lock on: 按 N 叫下一位 still calls
        await settle(pilot)
        assert queue_status(loaded) == {"A001": "called", "A002": "waiting"}
        await pilot.press("N")  # and, while A001 is served, says why not
        await settle(pilot)
        assert "正在接待 A001 号" in said(app, "#calling-notice")

        # F3 has no use here: it says so (the calling screen's old line does not stay).
        await pilot.press("f3")
        assert "F3 在本屏没有用途" in said(app, "#calling-notice") and "F1" in said(app, "#calling-notice")

        # A field takes capital letters as text, not as the screen's keys (H would hold A001).
        await pilot.press("I")
        await settle(pilot)
        assert isinstance(app.screen, IssueScreen)
        await type_text(pilot, "GDHFNO")
        assert app.screen.query_one(Input).value == "GDHFNO"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CallingScreen)
        assert queue_status(loaded) == {"A001": "called", "A002": "waiting"}


async def test_an_unbound_f_key_on_the_coordinators_view_says_so(desk_app: DeskAppFactory) -> None:
    from hallterm.tui.desk.coordinator import CoordinatorScreen

    app = desk_app("coordinator")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        for key in ("f3", "f5", "f12"):
            await pilot.press(key)
            assert f"{key.upper()} 在本屏没有用途" in said(app, "#coord-notice"), key
        for key in ("k", "ctrl+s"):  # the supervisor's keys: a coordinator is told why not, on either
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, CoordinatorScreen), key
            assert "协调员账号不能查看督查考核" in said(app, "#coord-notice"), (key, said(app, "#coord-notice"))


async def test_after_routing_f4_says_the_case_is_open_not_that_no_card_is_on_screen(
    cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app("supervisor")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_route(pilot, cards["valid"])
        assert isinstance(app.screen, DeskScreen) and app.screen.last_case is not None
        await pilot.press("f4")
        assert "无需特批" in said(app) and "没有持卡人" not in said(app), said(app)
