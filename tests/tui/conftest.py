"""Fixtures for driving the desk with Textual's Pilot on a real SQLite file."""

from __future__ import annotations

import pytest
from textual.widgets import Input


@pytest.fixture(autouse=True)
def _steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking cursor: screens are compared as they are, not mid-blink."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda _self: None)


# The Pilot helpers live in tests/tui/pilot_helpers.py; these names stay importable from here.
from tests.tui.pilot_helpers import open_form, settle  # noqa: E402,F401
