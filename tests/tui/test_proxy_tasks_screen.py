"""Proxy tasks on screen (issue 13 point 3, S3): a 帮办代办 staff member signs in to their own list, sees a
late task in red with its working days late and moves it on; a coordinator adds a 全程代办 case's tasks
with the likely kinds ticked."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable

from hallterm.domain.proxy_tasks import ProxyTaskKind, ProxyTaskState
from hallterm.services import cases
from hallterm.services import proxy_tasks as proxy
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession, set_pin
from hallterm.tui.desk.coordinator import CoordinatorScreen
from hallterm.tui.desk.proxy_tasks import LATE_STYLE, AddTasksScreen, NoteScreen, ProxyTasksScreen
from hallterm.tui.widgets.toggles import SelectionList
from tests.services.test_open_and_route import draft
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import settle, text_of, type_text, until
from tests.tui.test_sign_in import sign_in

K = ProxyTaskKind
TUESDAY_DEC_8 = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)  # 10:00 in the hall


def full_proxy_case(svc: Services, session: StaffSession, card_no: str) -> cases.CaseView:
    view = cases.open_case(svc, session, draft(card_no, full_proxy=True, item_codes=("QY-GSSL", "DB-SDQBZ")))
    assert view.proxy is not None and view.coordinator is not None
    return view


async def test_a_proxy_signs_in_sees_a_late_task_and_moves_it_on(
    loaded: Services, cards: dict[str, str], desk_session: StaffSession, desk_app: DeskAppFactory,
    clock: list[dt.datetime]
) -> None:
    case = full_proxy_case(loaded, desk_session, cards["valid"])
    assert case.proxy is not None
    water, heating = proxy.add_tasks(loaded, desk_session, case.id, [K.WATER, K.HEATING])
    clock[0] = TUESDAY_DEC_8  # water was due Thursday 3 December
    set_pin(loaded, case.proxy.staff_id, "1357")
    app = desk_app(None)
    async with app.run_test(size=(110, 30)) as pilot:
        await sign_in(pilot, case.proxy.staff_id, "1357")
        assert isinstance(app.screen, ProxyTasksScreen)
        await until(pilot, lambda: app.screen.query_one(DataTable).row_count == 2, "the proxy's tasks")
        table = app.screen.query_one(DataTable)
        first = table.get_row_at(0)
        assert (first[0], first[2], first[3], first[4]) == ("12-03", "供水报装", "待办", case.case_no)  # earliest due
        assert str(first[1]) == "超期 3 个工作日" and first[1].style == LATE_STYLE
        assert "超期 1 项" in text_of(app, "#pt-title")

        await pilot.press("space")  # the cursor is on the late one: 待办 → 办理中
        await settle(pilot)
        assert f"{case.case_no} 供水报装：办理中" in text_of(app, "#pt-notice")
        await until(pilot, lambda: table.get_row_at(0)[3] == "办理中", "the refreshed list")

        await pilot.press("n")  # a note: empty is refused on the spot, what is typed then is saved
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("enter")
        assert "备注不能为空" in text_of(app, "#note-error") and isinstance(app.screen, NoteScreen)
        await type_text(pilot, "已约供水公司踏勘", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ProxyTasksScreen)
        await until(pilot, lambda: "已约供水公司踏勘" in text_of(app, "#pt-detail"), "the note under the task")
    tasks = {t.id: t for t in proxy.tasks_of_case(loaded, case.id)}
    assert {i: t.state for i, t in tasks.items()} == {water.id: ProxyTaskState.IN_PROGRESS,
                                                      heating.id: ProxyTaskState.PENDING}
    assert [(n.staff_id, n.text) for n in tasks[water.id].notes] == [(case.proxy.staff_id, "已约供水公司踏勘")]


async def test_a_coordinator_adds_the_tasks_of_a_full_proxy_case(
    loaded: Services, cards: dict[str, str], desk_session: StaffSession, desk_app: DeskAppFactory
) -> None:
    case = full_proxy_case(loaded, desk_session, cards["valid"])
    assert case.coordinator is not None
    app = desk_app(case.coordinator.staff_id)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        await until(pilot, lambda: app.screen.query_one("#waiting", DataTable).row_count == 1, "the waiting visitor")
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, AddTasksScreen)
        kinds = app.screen.query_one(SelectionList)
        # The items (公司设立登记, 水电气报装) suggest market access and water, power, gas; nothing is added yet.
        assert kinds.selected == ["market_access", "water", "power", "gas"]
        assert proxy.tasks_of_case(loaded, case.id) == []
        await pilot.press("down", "down", "down", "down", "space")  # 供气报装: the applicant has no gas
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        assert "已添加代办任务：市场准入和投资审批、供水报装、供电报装" in text_of(app, "#coord-notice")
    added = proxy.tasks_of_case(loaded, case.id)
    assert [t.kind for t in added] == [K.MARKET_ACCESS, K.WATER, K.POWER]
    assert {t.owner_id for t in added} == {case.proxy.staff_id if case.proxy else None}
