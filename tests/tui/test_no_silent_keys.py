"""No silent keys (issue 11, point 5): a key that does not apply now says why in one line, and F1
lists every key of the screen. Textual itself skips such a key without a word."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Static

from hallterm.services import queue
from hallterm.services.context import Services
from hallterm.tui.desk import calling
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.keys import KeyListScreen
from tests.sessions import DESK
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_calling, settle, text_of


def said(app: DeskApp) -> str:
    return text_of(app, "#notice").replace("\n", "")


async def test_every_desk_key_acts_or_says_why_not(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        # Nothing scanned: the case keys name what is missing; keys of other roles name who may.
        expected = {"f3": "屏幕上没有持卡人", "f6": "屏幕上没有办件", "f7": "屏幕上没有办件",
                    "f10": "没有可打印的回执", "f12": "屏幕上没有办件",
                    "f4": "前台账号不能特批放行：须由督查", "f9": "协调员视图供协调员",
                    "f5": "数据库已连接"}
        for key, words in expected.items():
            app.screen.say("")
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, DeskScreen), key
            assert words in said(app), (key, said(app))
        # A refused card: F3 says why it cannot open a case, and the clerk is not sent to F4.
        await pilot.press(*cards["revoked"], "enter")
        await settle(pilot)
        await pilot.press("f3")
        assert "不能开办件" in said(app) and "F4" not in said(app)

        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, KeyListScreen)
        listed = key_list_text(app.screen)
        for line in ("F3", "开办件", "F9", "协调员视图", "Ctrl+P", "全部操作", "现在不可用：前台账号不能特批放行"):
            assert line in listed, line
        await pilot.press("escape")
        assert isinstance(app.screen, DeskScreen)


async def test_n_while_a_ticket_is_served_says_so(
    loaded: Services, desk_app: DeskAppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calling, "_COUNTER_OF", {})
    for _ in range(2):
        queue.issue_walkin(loaded, DESK)
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("n")  # A001 is still at the counter
        await settle(pilot)
        assert "正在接待 A001 号" in text_of(app, "#calling-notice")
        assert queue_status(loaded) == {"A001": "called", "A002": "waiting"}


def key_list_text(screen: KeyListScreen) -> str:
    """The F1 list as drawn (a grid: key, then what it does and why not), 100 cells wide."""
    console = Console(width=100, file=io.StringIO(), record=True, color_system=None)
    console.print(screen.query_one("#key-list", Static).content)
    return console.export_text()


def queue_status(svc: Services) -> dict[str, str]:
    from sqlalchemy import select

    from hallterm.storage.tables import tickets

    with svc.db.read() as conn:
        return dict(conn.execute(select(tickets.c.ticket_no, tickets.c.status)).all())


async def test_esc_on_the_coordinators_home_view_says_there_is_nothing_below(desk_app: DeskAppFactory) -> None:
    from hallterm.tui.desk.coordinator import CoordinatorScreen

    app = desk_app("coordinator")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, CoordinatorScreen)
        assert "Ctrl+O 签退" in text_of(app, "#coord-notice")
