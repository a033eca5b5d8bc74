"""A 全程代办 case opened when no 帮办代办 staff member is on duty says so and when one comes, and F8
gives it one once someone is on duty (issue 11 point 6, S1/S3)."""

from __future__ import annotations

import datetime as dt

from hallterm.services import cases, slip_builders
from hallterm.services.context import Services
from hallterm.tui.desk.desk_screen import DeskScreen
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_form, settle, text_of, type_text, until
from tests.tui.test_open_case_flow import routing_text

EVENING_19 = dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC)  # Thursday 19:00 in the hall (Asia/Shanghai)
NEXT_MORNING = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # Friday 10:00 there


async def test_a_proxy_case_after_hours_says_when_the_proxy_comes_and_f8_assigns_one(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory, clock: list[dt.datetime]
) -> None:
    clock[0] = EVENING_19
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        await type_text(pilot, "水电气", "enter")
        assert "派帮办代办专人" in text_of(app, "#suggestion")
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        view = app.screen.last_case
        assert view is not None and view.full_proxy and view.coordinator is not None and view.proxy is None
        shown = routing_text(app)
        assert "帮办代办人员已下班，最早 11月27日 08:30 到岗" in shown, shown
        slip = slip_builders.visit_slip(loaded, view)
        assert slip.proxy_note == "今日已下班，最早 11月27日 08:30 到岗后联系您"

        clock[0] = NEXT_MORNING
        await pilot.press("f8")
        await until(pilot, lambda: "帮办代办专人" in text_of(app, "#notice"), "F8's answer")
        assert "已为 1 个办件分派帮办代办专人" in text_of(app, "#notice")
        await until(pilot, lambda: "郑磊" in routing_text(app), "the refreshed routing panel")
        assert "帮办代办  郑磊    分机 8041" in routing_text(app)
    after = cases.get_case(loaded, view.id)
    assert after is not None and after.proxy is not None and after.proxy.name == "郑磊"
    assert after.proxy_reason == "" and slip_builders.visit_slip(loaded, after).proxy_note == ""
    assert [e.label for e in cases.history(loaded, view.id)][-2:] == ["帮办代办待到岗分派", "分派帮办代办"]
