"""Calling and the case as one flow, and a queue that starts clean each day (issue 11 points 4, 7, 11),
driven with Pilot."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, Select, Static

from hallterm.config import Settings
from hallterm.services import cases, queue, queue_views
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.tui.desk import calling
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.calling import CallingScreen
from hallterm.tui.desk.checklist_screen import ChecklistScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.history import HistoryScreen
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.desk.reassign import ReassignScreen
from hallterm.tui.display.app import DisplayApp
from tests.services.test_open_and_route import draft
from tests.sessions import DESK
from tests.tui.conftest import DeskAppFactory, signed_in
from tests.tui.pilot_helpers import open_calling, scan, settle, text_of, until
from tests.tui.test_calling import current
from tests.tui.test_display import display_settings
from tests.tui.test_open_case_flow import routing_text


@pytest.fixture(autouse=True)
def _no_remembered_counter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calling, "_COUNTER_OF", {})


def footer_keys(screen: object) -> set[str]:
    return {b.binding.description for b in screen.active_bindings.values()  # type: ignore[attr-defined]
            if b.binding.show and b.enabled}


async def test_o_opens_the_called_holder_on_the_desk_and_esc_or_f11_comes_back(
    loaded: Services, desk_app: DeskAppFactory, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    case = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    queue.issue_walkin(loaded, desk_session, cards["valid"])
    app = desk_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_calling(pilot)
        await pilot.press("n")
        await settle(pilot)
        await until(pilot, lambda: "正在接待 A001" in current(app), "the call on the board")
        assert "打开持卡人" in footer_keys(app.screen)

        await pilot.press("o")
        await settle(pilot)
        desk = app.screen
        assert isinstance(desk, DeskScreen)
        panel = desk.query_one(HolderPanel)
        await until(pilot, lambda: desk.last_case is not None, "the holder's open case found")
        assert panel.check is not None and panel.check.holder is not None
        assert panel.check.holder.card_no == cards["valid"]
        assert desk.last_case is not None and desk.last_case.id == case.id
        assert "A001" in text_of(desk, "#scan-label") and "返回叫号" in footer_keys(desk)
        await pilot.press("f12")  # the case's checklist and history are in reach
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is desk

        await pilot.press("escape")  # back to calling, the ticket still being served
        await settle(pilot)
        assert isinstance(app.screen, CallingScreen)
        await until(pilot, lambda: "正在接待 A001" in current(app), "the served ticket shown again")

        await pilot.press("o")
        await settle(pilot)
        assert app.screen is desk
        await pilot.press("f11")  # F11 goes back too, to the same counter without asking again
        await settle(pilot)
        assert isinstance(app.screen, CallingScreen)
        await until(pilot, lambda: "正在接待 A001" in current(app), "the served ticket shown again")
        assert desk.calling_ticket is None and "返回叫号" not in footer_keys(desk)


async def test_o_on_a_ticket_without_a_card_says_why(loaded: Services, desk_app: DeskAppFactory) -> None:
    queue.issue_walkin(loaded, DESK)
    app = desk_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_calling(pilot)
        await pilot.press("n")
        await settle(pilot)
        # O is a key of the ticket being served: it acts once the board shows the call.
        await until(pilot, lambda: "正在接待 A001" in current(app), "the call on the board")
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, CallingScreen)
        assert "没有扫描钢都英才卡" in str(app.screen.query_one("#calling-notice", Static).render())


SUNDAY_10 = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)
MONDAY_9 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


@pytest.mark.usefixtures("no_duty_roster")  # with the roster, Sunday's case goes to the duty staff
async def test_f8_says_when_nobody_waits_and_on_a_sunday_that_it_is_a_rest_day(
    loaded: Services, desk_app: DeskAppFactory, desk_session: StaffSession, cards: dict[str, str],
    clock: list[dt.datetime]
) -> None:
    clock[0] = SUNDAY_10
    app = desk_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert "没有排队等候分配的持卡人" in text_of(app, "#notice")
        cases.open_case(loaded, desk_session, draft(cards["valid"]))
        await pilot.press("f8")
        await settle(pilot)
        said = text_of(app, "#notice")
        assert "暂无可分配（1 位等候）" in said and "星期日" in said
        assert "已下班" not in said and "洽谈室已满" not in said
        clock[0] = MONDAY_9  # the Sunday visitor went home: not seated as if in the hall, called back instead
        await pilot.press("f8")
        await settle(pilot)
        said = text_of(app, "#notice")
        assert "前一日未分配的 1 位持卡人已离队，请回访" in said and "王*" in said and "138****5678" in said
        assert "没有排队等候分配的持卡人" in said


async def test_after_f7_the_case_is_named_once_and_the_display_shows_the_visitor_in_the_new_lounge(
    loaded: Services, desk_app: DeskAppFactory, desk_session: StaffSession, cards: dict[str, str],
    settings: Settings
) -> None:
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert view.coordinator is not None and view.lounge_code is not None
    coordinator = signed_in(loaded, view.coordinator.staff_id)
    cases.mark_met(loaded, coordinator, view.id)
    cases.end_visit(loaded, coordinator, view.id)  # back at the desk later: 办理中, no seat
    target = "L3" if view.lounge_code != "L3" else "L4"
    app = desk_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await scan(pilot, cards["valid"])
        await until(pilot, lambda: "在办：" in text_of(app, "#notice"), "the holder's open case named")
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, ReassignScreen)
        await pilot.press("escape")  # changed their mind
        await settle(pilot)
        assert shown_text(app).count(view.case_no) == 1  # named once, on the 在办 line

        await pilot.press("f7")
        await settle(pilot)
        app.screen.query_one("#lounge", Select).value = target
        app.screen.query_one("#reason", Input).value = "补充材料后回洽谈室"
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        said = text_of(app, "#notice")
        assert "已改派" in said and "在办：" not in said
        routed = routing_text(app)
        assert "请到" in routed and "排队等候" not in routed
    display = DisplayApp(display_settings(settings, speech="false"), services=loaded)
    async with display.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: display.snapshot is not None, "its first picture")
        await pilot.pause()
        seats = {x.code: x for x in queue_views.display_snapshot(loaded).lounges}[target]
        assert seats.free == seats.capacity - 1
        assert f"{seats.name.replace('业务', '')} {seats.free}/{seats.capacity}" in text_of(display, "#lounges")


def shown_text(app: DeskApp) -> str:
    """What the desk shows of the visitor: the notice line and the routing panel (when on screen)."""
    return text_of(app, "#notice") + "\n" + routing_text(app)
