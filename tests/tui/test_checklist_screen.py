"""Ticking materials at the desk and watching the decision change (issue 4, Pilot)."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from hallterm.domain.checklist import MaterialKind
from hallterm.services import cases, checklist, checklist_sheet
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.checklist_screen import ChecklistScreen
from hallterm.tui.widgets.choice import ChoiceScreen
from hallterm.tui.widgets.confirm import ConfirmScreen
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_form, settle


def decision(app: DeskApp) -> str:
    return str(app.screen.query_one("#ck-decision", Static).render())


def notice(app: DeskApp) -> str:
    return str(app.screen.query_one("#ck-notice", Static).render())


async def open_checklist(pilot, cards: dict[str, str]) -> ChecklistScreen:  # type: ignore[no-untyped-def]
    """Scan, open the case with the form's defaults, F12: as the clerk does."""
    await open_form(pilot, cards["valid"])
    await pilot.press("enter", "f10")
    await settle(pilot)
    await pilot.press("f12")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ChecklistScreen) and screen.sheet is not None
    return screen


async def go_to_row(pilot, screen: ChecklistScreen, row: int) -> None:  # type: ignore[no-untyped-def]
    table = screen.query_one(DataTable)
    step = "down" if row > table.cursor_row else "up"
    await pilot.press(*[step] * abs(row - table.cursor_row))
    assert table.cursor_row == row


async def tick_kinds(pilot, screen: ChecklistScreen, *kinds: MaterialKind) -> None:  # type: ignore[no-untyped-def]
    """Space on every missing material of these kinds (first item; its materials follow row 0)."""
    assert screen.sheet is not None
    for row, material in enumerate(screen.sheet.items[0].materials, start=1):
        if material.kind in kinds and not material.received:
            await go_to_row(pilot, screen, row)
            await pilot.press("space")
            await settle(pilot)


def row_state(screen: ChecklistScreen, row: int) -> str:
    return str(screen.query_one(DataTable).get_row_at(row)[2])


async def test_ticking_materials_changes_the_decision_live(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
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
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")  # the first choice: the applicant will sign
        await settle(pilot)
        assert "容缺补正期限：2026-12-01" in decision(app)
        notice = str(app.screen.query_one("#ck-notice", Static).render())
        assert "容缺受理承诺书" in notice and "容缺受理通知书" in notice
        await pilot.press("escape")
        await settle(pilot)
        assert "F12" in str(app.screen.query_one("#notice", Static).render()) or app.screen.last_case
    final = checklist_sheet.load(loaded, sheet.case.id)
    assert final.items[0].status == "conditional"


async def test_the_desk_counts_overdue_items_and_warns_of_missing_holiday_data(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock, desk_app: DeskAppFactory
) -> None:
    import datetime as dt

    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind

    view = cases.open_case(
        loaded,
        desk_session,
        CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-WZSL",), EnterpriseKind.FOREIGN, "鞍山昊鑫科技有限公司"),
    )
    sheet = checklist_sheet.load(loaded, view.id)
    item = sheet.items[0]
    for m in item.materials:
        if m.kind is not MaterialKind.CONDITIONAL:
            checklist.tick(loaded, desk_session, item.case_item_id, m.material_id, received=True)
    checklist.decide_item(loaded, desk_session, item.case_item_id)
    clock[0] = dt.datetime(2026, 12, 9, 2, 0, tzinfo=dt.UTC)
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        bar = str(app.screen.query_one("#deadline-bar", Static).render())
        assert "已超期 1 件" in bar
        assert "2027年" in bar and "节假日" in bar


async def test_the_coordinator_list_shows_overdue_items(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock, desk_app: DeskAppFactory
) -> None:
    import datetime as dt

    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
    from hallterm.services.staff import set_pin, sign_in

    view = cases.open_case(loaded, desk_session, CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-WZSL",),
                                                           EnterpriseKind.FOREIGN, "鞍山昊鑫科技有限公司"))
    item = checklist_sheet.load(loaded, view.id).items[0]
    for m in item.materials:
        if m.kind is not MaterialKind.CONDITIONAL:
            checklist.tick(loaded, desk_session, item.case_item_id, m.material_id, received=True)
    checklist.decide_item(loaded, desk_session, item.case_item_id)
    assert view.coordinator is not None
    set_pin(loaded, view.coordinator.staff_id, "1357")
    coordinator = sign_in(loaded, view.coordinator.staff_id, "1357")
    cases.mark_met(loaded, coordinator, view.id)
    clock[0] = dt.datetime(2026, 12, 9, 2, 0, tzinfo=dt.UTC)
    app = desk_app(coordinator)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#open-cases", DataTable)
        assert table.row_count == 1
        due = table.get_row_at(0)[5]
        assert "已超期" in str(due) and "red" in str(due.style)


async def test_an_applicant_who_will_not_sign_gets_the_one_time_notice(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_checklist(pilot, cards)
        await tick_kinds(pilot, screen, MaterialKind.CORE)
        await pilot.press("f")
        await settle(pilot)
        assert "可容缺受理（待签承诺书）" in decision(app)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)
        question = str(app.screen.query_one(Static).render())
        # The 承诺书 is printed for signing after this answer: not "has the applicant signed".
        assert "愿意签署《容缺受理承诺书》吗" in question and "打印承诺书供签字" in question
        await pilot.press("down", "enter")  # 不愿签署：出具一次性告知书
        await settle(pilot)
        assert app.screen is screen
        assert "已出具：一次性告知书" in notice(app)
        assert "已出具一次性告知书" in decision(app)
        sheet = screen.sheet
        assert sheet is not None and sheet.items[0].status == "not_accepted"
        missing = [m.name for m in sheet.items[0].materials if m.kind is MaterialKind.SECONDARY]
        issued = [d for d in checklist.case_documents(loaded, sheet.case.id) if d.title == "一次性告知书"]
        assert len(issued) == 1
        from hallterm.services.printables import issued_documents

        listed = [m.name for m in issued_documents(loaded, sheet.case.id)[-1].missing]  # type: ignore[union-attr]
        assert listed == missing


async def test_cancelling_the_choice_decides_nothing(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_checklist(pilot, cards)
        await tick_kinds(pilot, screen, MaterialKind.CORE)
        await pilot.press("f")  # fees paid: stored before F10 decides
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # 取消
        await settle(pilot)
        assert app.screen is screen and "按 F10 重新选择" in notice(app)
        assert screen.sheet is not None and screen.sheet.items[0].status == "received"
        await pilot.press("f10")  # and F10 offers the same three ways again
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)


async def test_an_accepted_item_refuses_an_untick(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_checklist(pilot, cards)
        await tick_kinds(pilot, screen, MaterialKind.CORE, MaterialKind.SECONDARY)
        await pilot.press("f10")
        await settle(pilot)
        assert "已受理（2026-11-26）" in decision(app)
        await go_to_row(pilot, screen, 1)
        assert "已收" in row_state(screen, 1)
        await pilot.press("space")
        await settle(pilot)
        assert "不能改为未收" in notice(app) and "操作失败" not in notice(app)
        assert "已收" in row_state(screen, 1)
        assert "已受理（2026-11-26）" in decision(app) and "容缺" not in decision(app)


async def test_after_a_one_time_notice_an_untick_asks_and_is_recorded(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:

    app = desk_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_checklist(pilot, cards)
        await tick_kinds(pilot, screen, MaterialKind.SECONDARY)
        await pilot.press("f10")  # core materials missing: the one-time notice
        await settle(pilot)
        assert screen.sheet is not None
        row = next(n for n, m in enumerate(screen.sheet.items[0].materials, 1) if m.received)
        await go_to_row(pilot, screen, row)
        await pilot.press("space")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert "已收" in row_state(screen, row)
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "缺" in row_state(screen, row)
        assert cases.history(loaded, screen.sheet.case.id)[-1].kind == "material_corrected"


async def test_the_last_supplement_clears_the_conditional_messages(
    cards: dict[str, str], clock, desk_app: DeskAppFactory
) -> None:
    import datetime as dt

    app = desk_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_checklist(pilot, cards)
        await tick_kinds(pilot, screen, MaterialKind.CORE)
        await pilot.press("f")  # fees paid: stored before F10 decides
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("enter")  # will sign: 容缺受理
        await settle(pilot)
        assert "已出具：容缺受理承诺书" in notice(app) and "容缺补正期限" in decision(app)
        clock[0] += dt.timedelta(days=1)  # the supplement comes the next day
        await tick_kinds(pilot, screen, MaterialKind.SECONDARY)
        assert "已补正，已受理（2026-11-27）" in notice(app)
        panel = decision(app)
        assert "已补正，已受理（2026-11-27）" in panel
        assert "容缺补正期限" not in panel and "已出具" not in notice(app)


async def test_space_ticks_a_paper_and_moves_to_the_next(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_checklist(pilot, cards)
        assert screen.query_one(DataTable).cursor_row == 1  # on the first paper, not the item's heading
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert screen.query_one(DataTable).cursor_row == 3  # two papers, two keys
        assert "✓" in row_state(screen, 1) and "✓" in row_state(screen, 2) and "✗" in row_state(screen, 3)
        await go_to_row(pilot, screen, 2)
        await pilot.press("space")  # taking a tick back stays on the row, to look at it
        await settle(pilot)
        assert screen.query_one(DataTable).cursor_row == 2 and "✗" in row_state(screen, 2)
        await pilot.press("f")
        await settle(pilot)
        assert "法定费用、税款已缴纳" in notice(app)
        await pilot.press("f10")  # core papers missing: the one-time notice, to be printed for the applicant
        await settle(pilot)
        assert "一次性告知书" in notice(app) and "F10 打印" in notice(app)


async def test_a_conditional_deadline_past_the_schedule_skips_new_years_day(
    loaded: Services, cards: dict[str, str], clock, desk_app: DeskAppFactory
) -> None:
    """Opened on 2026-12-29, before the 2027 schedule is published: the item's 3 working days skip 元旦
    (12-30, 12-31, then 01-04; it was 2027-01-01 before issue 11 point 8), and the date says 估算."""
    import datetime as dt

    clock[0] = dt.datetime(2026, 12, 29, 2, 0, tzinfo=dt.UTC)  # Tuesday, 10:00 in the hall
    app = desk_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_checklist(pilot, cards)
        await tick_kinds(pilot, screen, MaterialKind.CORE)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("enter")  # will sign: 容缺受理
        await settle(pilot)
        panel = decision(app)
        assert "容缺补正期限：2027-01-04（估算" in panel and "承诺办结 2027-01-04" in panel, panel
        assert screen.sheet is not None
        case_id = screen.sheet.case.id
    item = checklist_sheet.load(loaded, case_id).items[0]
    assert item.supplement_due_on == dt.date(2027, 1, 4) and item.supplement_estimated
    # What the applicant signs says the date is an estimate too, not only the notice.
    from hallterm.services import printables

    commitment = next(p for p in printables.printables_for_case(loaded, cases.get_case(loaded, case_id))
                      if "容缺受理承诺书" in p.title)
    assert "于2027年1月4日前（估算" in commitment.preview.replace("\n", ""), commitment.preview


async def test_on_an_80_column_terminal_every_column_is_on_screen(
    cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    """At 80×24 (a counter's terminal) 形式 and 备注 ran off the screen and 状态 read "✓ 已" (issue 11)."""
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checklist(pilot, cards)
        table = screen.query_one(DataTable)
        widths = [column.get_render_width(table) for column in table.columns.values()]
        assert len(widths) == 5 and sum(widths) <= table.size.width, (widths, table.size.width)
        await pilot.press("space")  # tick the first paper: its state must be readable whole
        await settle(pilot)
        assert row_state(screen, 1) == "✓ 已收"
        assert table.columns[table.ordered_columns[2].key].get_render_width(table) >= 8
