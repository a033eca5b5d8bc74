"""Ticking materials at the desk and watching the decision change (issue 4, Pilot)."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from hallterm.config import Settings
from hallterm.domain.checklist import MaterialKind
from hallterm.services import checklist
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.checklist_screen import ChecklistScreen
from hallterm.tui.widgets.confirm import ConfirmScreen
from tests.tui.conftest import open_form, settle


def decision(app: DeskApp) -> str:
    return str(app.screen.query_one("#ck-decision", Static).render())


async def test_ticking_materials_changes_the_decision_live(
    loaded: Services, settings: Settings, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    app = DeskApp(settings, services=loaded, session=desk_session)
    async with app.run_test(size=(110, 34)) as pilot:
        await open_form(pilot, cards["valid"])
        await pilot.press("enter", "f10")
        await settle(pilot)
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        assert "不予受理" in decision(app)
        sheet = app.screen.sheet
        assert sheet is not None
        table = app.screen.query_one(DataTable)
        for row, material in enumerate(sheet.items[0].materials, start=1):
            if material.kind is MaterialKind.CORE:
                table.move_cursor(row=row)
                await pilot.press("space")
                await settle(pilot)
        await pilot.press("f")  # fees and taxes paid
        await settle(pilot)
        assert "可容缺受理（待签承诺书）" in decision(app)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert "容缺补正期限：2026-12-01" in decision(app)
        notice = str(app.screen.query_one("#ck-notice", Static).render())
        assert "容缺受理承诺书" in notice and "容缺受理通知书" in notice
        await pilot.press("escape")
        await settle(pilot)
        assert "F12" in str(app.screen.query_one("#notice", Static).render()) or app.screen.last_case
    final = checklist.load(loaded, sheet.case.id)
    assert final.items[0].status == "conditional"


async def test_the_desk_counts_overdue_items_and_warns_of_missing_holiday_data(
    loaded: Services, settings: Settings, desk_session: StaffSession, cards: dict[str, str], clock
) -> None:
    import datetime as dt

    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
    from hallterm.services import cases

    view = cases.open_case(
        loaded,
        desk_session,
        CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-WZSL",), EnterpriseKind.FOREIGN, "鞍山昊鑫科技有限公司"),
    )
    sheet = checklist.load(loaded, view.id)
    item = sheet.items[0]
    for m in item.materials:
        if m.kind is not MaterialKind.CONDITIONAL:
            checklist.tick(loaded, desk_session, item.case_item_id, m.material_id, received=True)
    checklist.decide_item(loaded, desk_session, item.case_item_id)
    clock[0] = dt.datetime(2026, 12, 9, 2, 0, tzinfo=dt.UTC)
    app = DeskApp(settings, services=loaded, session=desk_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        bar = str(app.screen.query_one("#deadline-bar", Static).render())
        assert "已超期 1 件" in bar
        assert "缺少2027年节假日安排" in bar


async def test_the_coordinator_list_shows_overdue_items(loaded: Services, settings: Settings,
                                                        desk_session: StaffSession, cards: dict[str, str],
                                                        clock) -> None:
    import datetime as dt

    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
    from hallterm.services import cases
    from hallterm.services.staff import set_pin, sign_in

    view = cases.open_case(loaded, desk_session, CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-WZSL",),
                                                           EnterpriseKind.FOREIGN, "鞍山昊鑫科技有限公司"))
    item = checklist.load(loaded, view.id).items[0]
    for m in item.materials:
        if m.kind is not MaterialKind.CONDITIONAL:
            checklist.tick(loaded, desk_session, item.case_item_id, m.material_id, received=True)
    checklist.decide_item(loaded, desk_session, item.case_item_id)
    assert view.coordinator is not None
    set_pin(loaded, view.coordinator.staff_id, "1357")
    coordinator = sign_in(loaded, view.coordinator.staff_id, "1357")
    cases.mark_met(loaded, coordinator, view.id)
    clock[0] = dt.datetime(2026, 12, 9, 2, 0, tzinfo=dt.UTC)
    app = DeskApp(settings, services=loaded, session=coordinator)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#open-cases", DataTable)
        assert table.row_count == 1
        due = table.get_row_at(0)[5]
        assert "已超期" in str(due) and "red" in str(due.style)
