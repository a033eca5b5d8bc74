"""What the Pilot tests do again and again: type, wait for the database workers, wait for a screen, read text.

Typing goes through the app's driver one key event at a time, as a keyboard or a card scanner sends
them, but without Pilot.press's two idle waits after every character (see ``_quick_frames`` in
conftest.py): between characters we wait until the screen and its widgets have handled what is
pending, and after the last one for the app to go idle, as press does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static


async def settle(pilot: Pilot[object]) -> None:
    """Wait for the database workers and the messages they post, instead of sleeping."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot: Pilot[object], text: str, *then: str) -> None:
    """Type ``text`` key by key into whatever has the focus, then press the keys ``then`` (e.g. "enter")."""
    app = pilot.app
    driver = app._driver
    assert driver is not None, "type_text needs a running app (inside run_test)"
    for char in text:
        key = events.Key(char if char.isalnum() else _key_name(char), char)
        key.set_sender(app)
        driver.send_message(key)
        # The app forwards the key to the focused widget: two rounds see both handle it.
        await pilot._wait_for_screen()
        await pilot._wait_for_screen()
    await pilot.pause()
    if then:
        await pilot.press(*then)


def _key_name(char: str) -> str:
    from textual.keys import _character_to_key

    return _character_to_key(char)


async def until(pilot: Pilot[object], condition: Callable[[], bool], what: str, limit_s: float = 20.0) -> None:
    """Let the app work (timers, polls) until ``condition`` holds; the limit only stops a broken test from hanging."""
    waited = 0.0
    while not condition():
        assert waited < limit_s, f"never happened: {what}"
        await pilot.pause(0.05)
        waited += 0.05


def text_of(node: App[object] | Widget, selector: str) -> str:
    """The rendered text of the Static ``selector`` on ``node``; for an app, on the screen it shows now
    (``App.query_one`` would search the screen at the bottom of the stack: the desk's is sign-in)."""
    where = node.screen if isinstance(node, App) else node
    return str(where.query_one(selector, Static).render())


async def scan(pilot: Pilot[object], text: str, suffix: str = "enter") -> None:
    """Scan (type) ``text`` into the focused field, ended by the scanner's ``suffix`` key; wait for the result."""
    await type_text(pilot, text, suffix)
    await settle(pilot)


async def open_form(pilot: Pilot[object], card_no: str) -> None:
    """At the desk: wait for the catalog, scan a card, open the case form (F3) — as staff do."""
    await settle(pilot)
    await type_text(pilot, card_no, "enter")
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)


async def open_and_route(pilot: Pilot[object], card_no: str) -> None:
    """Scan, open the case form, tick the first item and open the case (F10): routed to a coordinator."""
    await open_form(pilot, card_no)
    await pilot.press("enter", "f10")
    await settle(pilot)


async def open_calling(pilot: Pilot[object], counter_down: int = 0) -> None:
    """F11 from the desk, then pick the counter (G1, or the one ``counter_down`` rows below)."""
    from hallterm.tui.desk.calling import CallingScreen, PickScreen

    await settle(pilot)
    await pilot.press("f11")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PickScreen)
    await pilot.press(*["down"] * counter_down, "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CallingScreen)


def hold_lookups(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """The desk's card look-ups wait for the second event; the first is set once one is under way."""
    from hallterm.services import check_in

    held, go, checks = threading.Event(), threading.Event(), check_in.check_scan

    def slow_check(*args: object, **kwargs: object) -> object:
        held.set()
        go.wait(timeout=10)
        return checks(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(check_in, "check_scan", slow_check)
    return held, go
