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
from tests.tui.conftest import DeskAppFactory, signed_in
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
        assert "等候的持卡人见上方" in notice(app)  # not "暂无等候的持卡人" while one is listed
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


async def test_the_selected_case_stays_selected_across_refreshes(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    # The board refreshes every 5 s: the cursor once fell back to the first open case each time, so
    # V/A/N/G acted on a case the coordinator had not chosen.
    views = [cases.open_case(loaded, desk_session, CaseDraft(
        cards[label], CaseKind.ENTERPRISE, codes, EnterpriseKind.FOREIGN, "鞍山睿堃科技有限公司"))
        for label, codes in (("valid", ("QY-GSSL",)), ("markup", ("QY-GSSL", "QY-FGSSL", "DB-SDQBZ")))]
    for view in views:
        assert view.coordinator is not None
        cases.mark_met(loaded, signed_in(loaded, view.coordinator.staff_id), view.id)
    app = desk_app("supervisor")  # the whole hall: both cases in one table, whoever coordinates them
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        table = app.screen.query_one("#open-cases", DataTable)
        assert app.screen.focused is table and table.row_count == 2
        await pilot.press("down")
        chosen = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        assert table.cursor_row == 1
        app.screen.action_refresh()
        await settle(pilot)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == chosen
        assert "暂无等候的持卡人；在办件见下方" in notice(app)
        # Three items fit 120 columns (names shortened with …): 洽谈室 and 期限 are on screen, not scrolled off.
        assert table.virtual_size.width <= table.size.width
        assert "…" in str(table.get_row_at(1)[4]) and "·待审核" in str(table.get_row_at(1)[4])
