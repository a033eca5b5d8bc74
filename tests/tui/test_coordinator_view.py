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
        # The upper table is empty now: the focus went down with the visitor met (issue 11 point 11),
        # so E acts on them at once instead of on an empty table.
        table = app.screen.query_one("#open-cases", DataTable)
        assert app.screen.focused is table
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == str(view.id)
        await pilot.press("e")
        await settle(pilot)
        app.screen.action_refresh()  # the periodic refresh must not wipe what just happened
        await settle(pilot)
        assert "已离开洽谈室" in notice(app)
        assert table.row_count == 1 and table.get_row_at(0)[4] == "已离开"
    assert cases.get_case(loaded, view.id).status == "in_progress"
