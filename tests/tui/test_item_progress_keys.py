"""The coordinator moves an item on with one key per step, up to the 统一发证窗口 (issue 13, S9)."""

from __future__ import annotations

from hallterm.domain.checklist import ItemStatus
from hallterm.services import progress
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.tui.desk.coordinator import CoordinatorScreen
from hallterm.tui.widgets.reason import ReasonScreen
from tests.services.test_item_progress import accepted_case
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import settle, text_of, type_text


async def test_the_coordinator_moves_an_item_to_ready_at_the_issuing_window(
        loaded: Services, desk_session: StaffSession, cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    sheet = accepted_case(loaded, desk_session, cards["valid"])
    assert sheet.case.coordinator is not None
    app = desk_app(sheet.case.coordinator.staff_id)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        await pilot.press("g")  # not approved yet: the step is refused, with the reason
        await settle(pilot)
        assert "只有已准予许可的事项" in text_of(app, "#coord-notice")
        await pilot.press("a")  # not in review: refused at once, before a dialog asks for the number
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen) and "请先转入审查" in text_of(app, "#coord-notice")
        await pilot.press("v")
        await settle(pilot)
        assert "现为“审查中”" in text_of(app, "#coord-notice")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("enter")  # nothing typed: said in the dialog, which stays open
        assert "决定文书号" in text_of(app, "#reason-error") and isinstance(app.screen, ReasonScreen)
        await type_text(pilot, "abc", "enter")  # filled, but no number: said what a number looks like
        assert "不像决定文书号" in text_of(app, "#reason-error") and isinstance(app.screen, ReasonScreen)
        await pilot.press("backspace", "backspace", "backspace")
        await type_text(pilot, "鞍审批准字〔2026〕第0012号", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        assert "准予许可" in text_of(app, "#coord-notice") and "第0012号" in text_of(app, "#coord-notice")
        await pilot.press("n")  # decided already: no reason asked for, and not "请先转入审查"
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        assert "已准予许可，不能再不予许可" in text_of(app, "#coord-notice")
        await pilot.press("g")
        await settle(pilot)
        assert "现为“待领取”" in text_of(app, "#coord-notice")
    item = progress.items_of_case(loaded, sheet.case.id)[0]
    assert item.status is ItemStatus.READY and item.decision_no == "鞍审批准字〔2026〕第0012号"
