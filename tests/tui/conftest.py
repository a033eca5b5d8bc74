"""Fixtures for driving the desk with Textual's Pilot on a real SQLite file."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input


@pytest.fixture(autouse=True)
def _steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking cursor: screens are compared as they are, not mid-blink."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda _self: None)


async def settle(pilot: Pilot[object]) -> None:
    """Wait for the database workers and the messages they post, instead of sleeping."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_form(pilot: Pilot[object], card_no: str) -> None:
    """At the desk: wait for the catalog, scan a card, open the case form (F3) — as staff do."""
    await settle(pilot)
    await pilot.press(*card_no, "enter")
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
