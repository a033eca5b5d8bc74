"""Snapshots of the desk at the counter's terminal sizes: CJK text must stay aligned.

Update deliberately with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and review the
SVGs; they are compared as they are, so a changed layout fails here first.

Everything on screen is fixed: the clock (FIXED_NOW, tests/conftest.py), the data (the shipped
reference files, the ``cards`` holders) and the signing secret, so slips and their QR codes are
the same on every run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.domain.cases import CaseDraft
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services import cases, queue
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.tui.desk import calling
from hallterm.tui.desk.calling import CallingScreen
from hallterm.tui.desk.checklist_screen import ChecklistScreen
from hallterm.tui.desk.coordinator import CoordinatorScreen
from hallterm.tui.desk.print_screens import PrintPreviewScreen
from hallterm.tui.display.app import DisplayApp
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_and_route, settle, until
from tests.tui.test_display import display_settings

SIZES = [(100, 30), (80, 24)]
# The screens added in issue 10: the smallest terminal a counter has, and a roomy one.
SMALL_AND_LARGE = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])


@pytest.fixture
def settings(tmp_path: Path, db_file: Path) -> Settings:
    """Overrides the root fixture: a fixed signing secret (the same QR codes on every run), the spool in tmp_path."""
    return load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file),
                                  "HALLTERM_SIGNING_SECRET": "snapshot-secret-0123456789-abcdef",
                                  "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
                                  "HALLTERM_PRINTING_SPOOL_DIR": str(tmp_path / "spool")})


@pytest.fixture(autouse=True)
def _no_remembered_counter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calling, "_COUNTER_OF", {})


@pytest.mark.parametrize("size", SIZES, ids=["100x30", "80x24"])
def test_scan_screen(snap_compare, size: tuple[int, int], desk_app: DeskAppFactory) -> None:
    async def ready(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = desk_app()
    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=["100x30", "80x24"])
def test_holder_panel(snap_compare, cards: dict[str, str], size: tuple[int, int], desk_app: DeskAppFactory) -> None:
    async def scanned(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.press(*cards["valid"], "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = desk_app()
    assert snap_compare(app, terminal_size=size, run_before=scanned)


@pytest.mark.parametrize("size", SIZES, ids=["100x30", "80x24"])
def test_routing_result(snap_compare, cards: dict[str, str], size: tuple[int, int], desk_app: DeskAppFactory) -> None:
    async def routed(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.press(*cards["valid"], "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.press("f3")
        await pilot.app.workers.wait_for_complete()
        await pilot.press("enter", "f10")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = desk_app()
    assert snap_compare(app, terminal_size=size, run_before=routed)


@pytest.mark.parametrize("size", SIZES, ids=["100x30", "80x24"])
def test_sign_in_screen(snap_compare, size: tuple[int, int], desk_app: DeskAppFactory) -> None:
    async def ready(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = desk_app(None)
    assert snap_compare(app, terminal_size=size, run_before=ready)


@SMALL_AND_LARGE
def test_checklist_screen(snap_compare, cards: dict[str, str], size: tuple[int, int],
                          desk_app: DeskAppFactory) -> None:
    async def checklist(pilot: Pilot) -> None:
        await open_and_route(pilot, cards["valid"])
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("space")  # the first paper received
        await settle(pilot)
        assert isinstance(pilot.app.screen, ChecklistScreen)

    assert snap_compare(desk_app(), terminal_size=size, run_before=checklist)


@SMALL_AND_LARGE
def test_calling_screen(snap_compare, loaded: Services, cards: dict[str, str], size: tuple[int, int],
                        desk_app: DeskAppFactory) -> None:
    queue.issue_walkin(loaded, card_text=cards["valid"])
    for _ in range(3):
        queue.issue_walkin(loaded)

    async def called(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("f11")
        await settle(pilot)
        await pilot.press("enter")  # at 绿色通道1号窗口
        await settle(pilot)
        await pilot.press("n")  # call the next visitor: A001, 王喆
        await settle(pilot)
        assert isinstance(pilot.app.screen, CallingScreen)

    assert snap_compare(desk_app(), terminal_size=size, run_before=called)


@SMALL_AND_LARGE
def test_coordinator_screen(snap_compare, loaded: Services, desk_session: StaffSession, cards: dict[str, str],
                            size: tuple[int, int], desk_app: DeskAppFactory) -> None:
    view = cases.open_case(loaded, desk_session, CaseDraft(
        cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",), EnterpriseKind.FOREIGN, "鞍山睿堃科技有限公司"))
    assert view.coordinator is not None

    async def ready(pilot: Pilot) -> None:
        await settle(pilot)
        assert isinstance(pilot.app.screen, CoordinatorScreen)
        # The board arrives from a worker: whether the table's header was first drawn before or after its
        # rows varied its padding from run to run. R (刷新) redraws the board as a coordinator would.
        await pilot.press("r")
        await settle(pilot)

    assert snap_compare(desk_app(view.coordinator.staff_id), terminal_size=size, run_before=ready)


@SMALL_AND_LARGE
def test_print_preview_screen(snap_compare, cards: dict[str, str], size: tuple[int, int],
                              desk_app: DeskAppFactory) -> None:
    async def preview(pilot: Pilot) -> None:
        await open_and_route(pilot, cards["valid"])
        await pilot.press("f10")  # preview the visit slip of the case just opened
        await settle(pilot)
        assert isinstance(pilot.app.screen, PrintPreviewScreen)

    assert snap_compare(desk_app(), terminal_size=size, run_before=preview)


@SMALL_AND_LARGE
def test_display_screen(snap_compare, loaded: Services, settings: Settings, desk_session: StaffSession,
                        cards: dict[str, str], size: tuple[int, int]) -> None:
    queue.issue_walkin(loaded, card_text=cards["valid"])  # A001, 王喆
    for _ in range(4):
        queue.issue_walkin(loaded)
    for counter in ("G1", "G2"):
        queue.finish(loaded, desk_session, counter, queue.call_next(loaded, desk_session, counter).id)
    queue.call_next(loaded, desk_session, "G1")  # A003, still at the counter: called before the display started
    app = DisplayApp(display_settings(settings, speech="false"), services=loaded)

    async def shown(pilot: Pilot) -> None:
        await until(pilot, lambda: app.snapshot is not None, "its first picture")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=shown)
