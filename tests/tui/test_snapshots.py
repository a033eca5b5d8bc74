"""Snapshots of the desk at the counter's two terminal sizes: CJK text must stay aligned.

Update deliberately with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and review the
SVGs; they are compared as they are, so a changed layout fails here first.
"""

from __future__ import annotations

import pytest

from hallterm.config import Settings
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.tui.desk.app import DeskApp

SIZES = [(100, 30), (80, 24)]


@pytest.mark.parametrize("size", SIZES, ids=["100x30", "80x24"])
def test_scan_screen(snap_compare, loaded: Services, settings: Settings, desk_session: StaffSession,
                     size: tuple[int, int]) -> None:
    async def ready(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = DeskApp(settings, services=loaded, session=desk_session)
    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=["100x30", "80x24"])
def test_holder_panel(snap_compare, loaded: Services, settings: Settings, desk_session: StaffSession,
                      cards: dict[str, str], size: tuple[int, int]) -> None:
    async def scanned(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.press(*cards["valid"], "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = DeskApp(settings, services=loaded, session=desk_session)
    assert snap_compare(app, terminal_size=size, run_before=scanned)


@pytest.mark.parametrize("size", SIZES, ids=["100x30", "80x24"])
def test_routing_result(snap_compare, loaded: Services, settings: Settings, desk_session: StaffSession,
                        cards: dict[str, str], size: tuple[int, int]) -> None:
    async def routed(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.press(*cards["valid"], "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.press("f3")
        await pilot.app.workers.wait_for_complete()
        await pilot.press("enter", "f10")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = DeskApp(settings, services=loaded, session=desk_session)
    assert snap_compare(app, terminal_size=size, run_before=routed)


@pytest.mark.parametrize("size", SIZES, ids=["100x30", "80x24"])
def test_sign_in_screen(snap_compare, loaded: Services, settings: Settings, size: tuple[int, int]) -> None:
    async def ready(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = DeskApp(settings, services=loaded)
    assert snap_compare(app, terminal_size=size, run_before=ready)
