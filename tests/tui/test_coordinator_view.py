"""The coordinator's view: what to press when a table is empty, and outcomes that stay readable."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from hallterm.domain.cases import CaseDraft
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services import cases
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.coordinator import CoordinatorScreen
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import settle


def notice(app: DeskApp) -> str:
    return str(app.screen.query_one("#coord-notice", Static).render())


async def test_met_then_left_says_so_and_the_room_is_no_longer_shown(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    view = cases.open_case(loaded, desk_session, CaseDraft(
        cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",), EnterpriseKind.FOREIGN, "鞍山睿堃科技有限公司"))
    assert view.coordinator is not None and view.lounge_name
    app = desk_app(view.coordinator.staff_id)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        await pilot.press("m")
        await settle(pilot)
        assert "已标记接待" in notice(app) and "王喆" in notice(app)
        await pilot.press("e")  # the upper table is empty now: say where to go, don't just refuse
        await settle(pilot)
        assert "Tab" in notice(app)
        await pilot.press("tab", "e")
        await settle(pilot)
        app.screen.action_refresh()  # the periodic refresh must not wipe what just happened
        await settle(pilot)
        assert "已离开洽谈室" in notice(app)
        table = app.screen.query_one("#open-cases", DataTable)
        assert table.row_count == 1 and table.get_row_at(0)[4] == "已离开"
    assert cases.get_case(loaded, view.id).status == "in_progress"
