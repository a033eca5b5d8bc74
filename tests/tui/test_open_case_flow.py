"""From a scan to a routed case at the desk, and the coordinator's view — driven with Pilot."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from textual.widgets import DataTable, Input, Select, Static

from hallterm.services import cases
from hallterm.services.case_views import CaseView
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import lounges
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.case_form import CaseFormScreen
from hallterm.tui.desk.coordinator import CoordinatorScreen
from hallterm.tui.desk.desk_cases import CaseRefreshed
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.history import HistoryScreen
from hallterm.tui.desk.reassign import ReassignScreen
from hallterm.tui.desk.routing_panel import RoutingPanel
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_form, scan, settle, type_text, until


def routing_text(app: DeskApp) -> str:
    panel = app.screen.query_one(RoutingPanel)
    return "\n".join(line.text for line in panel.render_lines(panel.region.reset_offset)) if panel.display else ""


def notice(app: DeskApp) -> str:
    return str(app.screen.query_one("#notice", Static).render())


async def test_scan_to_routed_case_in_three_key_presses(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)  # the catalog loads in the background
        await scan(pilot, cards["valid"])
        await pilot.press("f3")  # 1: open the form; the filter has focus, 公司设立登记 is highlighted
        await settle(pilot)
        assert isinstance(app.screen, CaseFormScreen)
        assert app.screen.query_one("#enterprise-name", Input).value == "鞍钢集团有限公司"  # from the roster
        await pilot.press("enter")  # 2: tick the highlighted item
        await pilot.press("f10")  # 3: open and route
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        shown = routing_text(app)
        view = app.screen.last_case
        assert view is not None and view.item_names == ("公司设立登记",)
        assert f"二楼 {view.lounge_name}" in shown
        assert view.coordinator is not None
        assert view.coordinator.name in shown and f"分机 {view.coordinator.extension}" in shown
        assert "210300-20261126-0001" in shown
        # Nobody has looked at the papers yet: no 马上办 claimed, the checklist (F12) decides (S1).
        assert "办理方式：待定" in shown and "马上办" not in shown
        assert "铁东区行政审批局办理（协调办理）" in shown  # the default district (S2)
        assert "首问负责：林晓雯" in shown


async def test_the_form_filters_items_and_refuses_an_empty_choice(
    cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        await pilot.press("f10")
        assert "请至少选择一个审批事项" in str(app.screen.query_one("#form-error", Static).render())
        await type_text(pilot, "施工", "enter")
        await pilot.press("f10")
        await settle(pilot)
        assert app.screen.last_case.item_names == ("建筑工程施工许可",)


async def test_a_closed_form_keeps_what_was_typed(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        await pilot.press("enter")
        app.screen.query_one("#project-name", Input).value = "钢渣综合利用中试线"
        await pilot.press("escape")
        await pilot.press("f3")
        await settle(pilot)
        assert app.screen.query_one("#project-name", Input).value == "钢渣综合利用中试线"
        assert app.screen.chosen == ["QY-GSSL"]


async def test_urgent_case_gets_overtime_mode_and_a_proxy(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        await pilot.press("enter")
        await pilot.click("#urgent")
        assert "加班办" in str(app.screen.query_one("#suggestion", Static).render())
        await pilot.press("f10")
        await settle(pilot)
        shown = routing_text(app)
        assert "加班办" in shown and "帮办代办" in shown


async def test_a_refused_card_can_be_let_through_by_a_supervisor(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app("supervisor")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await scan(pilot, cards["expired"])
        assert "F4 特批放行" in notice(app)
        await pilot.press("f3")  # not offered for a refused card
        assert isinstance(app.screen, DeskScreen)
        await pilot.press("f4")
        await type_text(pilot, "续期申请已受理", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseFormScreen)
        await pilot.press("enter", "f10")
        await settle(pilot)
        view = app.screen.last_case
        assert view is not None
    kinds = {e.kind: e for e in cases.history(loaded, view.id)}
    assert kinds["card_override"].details["reason"] == "续期申请已受理"


async def test_desk_staff_are_not_offered_the_override(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await scan(pilot, cards["revoked"])
        assert "F4" not in notice(app)
        await pilot.press("f4")
        assert isinstance(app.screen, DeskScreen)


async def test_full_lounges_tell_staff_the_visitor_waits(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    with loaded.db.write() as conn:
        conn.execute(update(lounges).values(capacity=0))
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        await pilot.press("enter", "f10")
        await settle(pilot)
        shown = routing_text(app)
        assert "排队等候第 1 位" in shown and "业务洽谈室已满" in shown


async def test_no_coordinator_on_duty_is_said_plainly(
    cards: dict[str, str], clock: list[dt.datetime], desk_app: DeskAppFactory
) -> None:
    clock[0] = dt.datetime(2026, 11, 26, 13, 30, tzinfo=dt.UTC)  # 21:30 local
    app = desk_app(after_hours=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        await pilot.press("enter", "f10")
        await settle(pilot)
        assert "协调员已下班，最早 11月27日 08:30 到岗" in routing_text(app)
        assert "延时服务" in app.screen.sub_title


async def route_then_reassign(pilot, card: str) -> CaseView:
    """Open and route a case for ``card`` with the form's defaults, then press F7; the case as routed."""
    await open_form(pilot, card)
    await pilot.press("enter", "f10")
    await settle(pilot)
    routed = pilot.app.screen.last_case
    await pilot.press("f7")
    await settle(pilot)
    return routed


async def test_reassigning_asks_for_a_reason(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        before = await route_then_reassign(pilot, cards["valid"])
        assert isinstance(app.screen, ReassignScreen)
        lounge = app.screen.query_one("#lounge", Select)
        target = next(value for _label, value in lounge._options if isinstance(value, str))
        lounge.value = target
        await pilot.press("f10")
        assert "理由" in str(app.screen.query_one("#reassign-error", Static).render())
        app.screen.query_one("#reason", Input).value = "原洽谈室设备检修"
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        desk = app.screen
        # The dismiss callback starts the reassignment's worker after the key is handled: wait for its answer.
        await until(pilot, lambda: "已改派" in notice(app), "the reassignment's answer")
        after = desk.last_case
        assert after.lounge_code == target != before.lounge_code
        # A refresh read before the reassignment landed (the desk refreshes its case when the dialog closes)
        # arrives late: it must not put the old lounge back on the case the keys act on.
        desk.post_message(CaseRefreshed((desk._case_generation - 1, before)))
        await settle(pilot)
        assert desk.last_case.lounge_code == target
        assert "已改派" in notice(app) and "F10 重新打印" in notice(app)  # the old visit slip is out of date
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one(DataTable)
        operations = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert operations == ["开办件", "分配洽谈室和协调员", "改派"]
        assert str(table.get_row_at(0)[2]) == "林晓雯"  # names, not staff IDs
        assert "公司设立登记" in str(table.get_row_at(0)[3])  # item names, not codes


async def test_the_coordinator_marks_a_visitor_met(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind

    view = cases.open_case(
        loaded,
        desk_session,
        CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",), EnterpriseKind.FOREIGN, "鞍山睿堃科技有限公司"),
    )
    assert view.coordinator is not None
    app = desk_app(view.coordinator.staff_id)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        waiting = app.screen.query_one("#waiting", DataTable)
        assert waiting.row_count == 1
        assert str(waiting.get_row_at(0)[1]) == "王喆" and waiting.get_row_at(0)[2] == view.case_no
        await pilot.press("m")
        await settle(pilot)
        await settle(pilot)
        assert app.screen.query_one("#waiting", DataTable).row_count == 0
        assert app.screen.query_one("#open-cases", DataTable).row_count == 1
    assert cases.get_case(loaded, view.id).status == "met"


async def test_a_supervisor_sees_every_coordinators_visitors(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind

    opened = [cases.open_case(loaded, desk_session, CaseDraft(
        cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",), EnterpriseKind.FOREIGN, f"鞍山睿堃科技{n}有限公司"))
        for n in range(3)]
    coordinators = {v.coordinator.name for v in opened if v.coordinator is not None}
    assert len(coordinators) > 1  # spread over several coordinators, as routing does
    app = desk_app("supervisor")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        assert "全厅" in app.screen.sub_title
        waiting = app.screen.query_one("#waiting", DataTable)
        assert sorted(waiting.get_row_at(i)[2] for i in range(waiting.row_count)) == sorted(v.case_no for v in opened)
        assert {str(waiting.get_row_at(i)[3]) for i in range(waiting.row_count)} == coordinators


async def test_every_footer_key_is_in_the_command_palette(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await scan(pilot, cards["valid"])
        titles = [c.title for c in app.get_system_commands(app.screen)]
        shown = [b.binding.description for b in app.screen.active_bindings.values()
                 if b.binding.show and b.enabled and b.binding.action != "quit"]
        assert set(shown) <= set(titles)
        assert "开办件" in titles
        await pilot.press("ctrl+p")
        await type_text(pilot, "开办件")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseFormScreen)


@pytest.mark.parametrize(
    ("boxes", "mode", "proxy"),
    [
        ([], "待定", False),  # nobody has checked the papers: the checklist decides (S1)
        (["#complete"], "马上办", False),  # the clerk ticked 材料齐全 after looking at them
        (["#urgent"], "加班办", True),
        (["#special"], "重点办", True),
        (["#major"], "跟踪办", True),
    ],
    ids=["pending", "immediate", "overtime", "focused", "tracked"],
)
async def test_each_service_mode_from_the_form(
    cards: dict[str, str], boxes: list[str], mode: str, proxy: bool, desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        await pilot.press("enter")
        for box in boxes:
            await pilot.click(box)
        assert f"建议办理方式：{mode}" in str(app.screen.query_one("#suggestion", Static).render())
        await pilot.press("f10")
        await settle(pilot)
        shown = routing_text(app)
        assert f"办理方式：{mode}" in shown
        assert ("帮办代办" in shown) is proxy


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("foreign", "市行政审批局办理"), ("limited", "铁东区行政审批局办理（协调办理）")],
    ids=["city", "district"],
)
async def test_both_jurisdictions_from_the_form(
    cards: dict[str, str], kind: str, expected: str, desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        await pilot.press("enter")
        app.screen.query_one("#enterprise-kind", Select).value = kind
        await pilot.pause()
        # The district stays on the form for every kind (the Tabs stay the same); it applies to one.
        assert app.screen.query_one("#district").has_class("not-applicable") is (kind != "limited")
        await pilot.press("f10")
        await settle(pilot)
        assert expected in routing_text(app)


def test_the_enterprise_kind_is_guessed_from_the_name() -> None:
    from hallterm.domain.jurisdiction import EnterpriseKind
    from hallterm.tui.desk.case_form import guess_kind

    assert guess_kind("鞍钢股份有限公司") is EnterpriseKind.JOINT_STOCK  # stays with the city (S2)
    assert guess_kind("鞍山某某科技有限公司铁西分公司") is EnterpriseKind.JOINT_STOCK
    assert guess_kind("鞍山某某科技有限公司") is EnterpriseKind.LIMITED


async def test_items_of_two_bureaus_are_flagged(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        app.screen.query_one("#enterprise-kind", Select).value = "limited"
        await pilot.press("enter")  # 公司设立登记 (by enterprise kind: the district)
        await type_text(pilot, "分公司", "enter")  # 分公司设立登记 (always the city)
        await pilot.pause()
        assert "分公司设立登记由市局办理" in str(app.screen.query_one("#suggestion", Static).render())


async def test_reassigning_to_an_off_duty_coordinator_asks_first(
    cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    from hallterm.tui.widgets.confirm import ConfirmScreen

    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        before = await route_then_reassign(pilot, cards["valid"])
        screen = app.screen
        assert isinstance(screen, ReassignScreen) and screen.off_duty
        away = next(iter(screen.off_duty))
        screen.query_one("#coordinator", Select).value = away
        screen.query_one("#reason", Input).value = "持卡人指定"
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # not after all: back on the form, nothing lost
        await settle(pilot)
        assert app.screen is screen and screen.query_one("#reason", Input).value == "持卡人指定"
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        after = app.screen.last_case
        assert after.coordinator is not None and after.coordinator.staff_id == away
        assert before.coordinator is None or before.coordinator.staff_id != away
