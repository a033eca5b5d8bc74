"""The case form as a clerk meets it (issue 11, points 1, 2 and 6), driven with Pilot: the same Tabs
reach the same field whatever the kinds, a value in the wrong field is caught before the case opens,
the 3-key path claims nothing about the papers, and the form says where the case goes."""

from __future__ import annotations

from textual.widgets import Checkbox, DataTable, Input, Select

from hallterm.domain.checklist import MaterialKind
from hallterm.services import cases
from hallterm.services.context import Services
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.case_form import CaseFormScreen
from hallterm.tui.desk.checklist_screen import ChecklistScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.history import HistoryScreen
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_form, scan, settle, text_of, type_text
from tests.tui.test_checklist_screen import tick_kinds
from tests.tui.test_open_case_flow import routing_text

A_CODE = "91210300MA0QN6QJ4X"  # a credit code's shape (the checksum is not what matters here)


def error(app: DeskApp) -> str:
    return text_of(app, "#form-error")


async def tabs_to(pilot, field: str) -> int:  # type: ignore[no-untyped-def]
    """From the item filter, how many Tabs the clerk presses to reach ``field`` (0: never, it is hidden)."""
    screen = pilot.app.screen
    screen.query_one("#item-filter", Input).focus()
    await pilot.pause()
    for count in range(1, 40):
        await pilot.press("tab")
        if screen.focused is not None and screen.focused.id == field:
            return count
    return 0


async def tab_counts(pilot, *fields: str) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    """``tabs_to`` for several fields in one walk of Tabs from the item filter (the count at which each is
    first reached; 0: never)."""
    screen = pilot.app.screen
    screen.query_one("#item-filter", Input).focus()
    await pilot.pause()
    reached: dict[str, int] = {}
    for count in range(1, 40):
        await pilot.press("tab")
        focused = screen.focused.id if screen.focused is not None else None
        if focused in fields:
            reached.setdefault(focused, count)
            if len(reached) == len(fields):
                break
    return tuple(reached.get(field, 0) for field in fields)


async def test_the_same_tabs_reach_the_same_field_for_every_kind(
    cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        await pilot.press("enter")  # 公司设立登记: its bureau depends on the enterprise kind (S2)
        screen = app.screen
        counts: dict[str, tuple[int, int, int]] = {}
        for kind, uscc in (("limited", ""), ("foreign", ""), ("foreign", "91210300MA0QN6QJ4Y"), ("limited", "12")):
            screen.query_one("#enterprise-kind", Select).value = kind
            screen.query_one("#uscc", Input).value = uscc
            await pilot.pause()
            counts[f"{kind}/{uscc}"] = await tab_counts(pilot, "uscc", "complete", "mode-reason")
        assert len(set(counts.values())) == 1, counts
        assert all(counts["limited/"]), counts  # each field is reached
        # A field that does not apply takes the Tab but no typing, and says so.
        screen.query_one("#enterprise-kind", Select).value = "foreign"
        screen.query_one("#uscc", Input).value = ""
        await pilot.pause()
        await tabs_to(pilot, "uscc-reason")
        await type_text(pilot, "abc")
        assert screen.query_one("#uscc-reason", Input).value == ""
        assert "仅在信用代码校验不通过时填写" in error(app)
        await pilot.press("tab")  # on to the next field: the remark goes
        assert error(app) == ""


async def test_a_value_in_the_wrong_field_is_caught_before_the_case_opens(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        await pilot.press("enter")
        screen = app.screen
        assert not screen.query_one("#name-note").display  # the roster's name, untouched
        # The clerk tabs to the enterprise name (it selects its text on focus) and types the code over it.
        screen.query_one("#enterprise-name", Input).focus()
        await pilot.pause()
        await type_text(pilot, A_CODE)
        assert screen.query_one("#enterprise-name", Input).value == A_CODE
        assert "已改动：名册为 鞍钢集团有限公司" in str(screen.query_one("#name-note").render())
        await pilot.press("f10")
        await settle(pilot)
        assert app.screen is screen and f"企业名称栏填的是信用代码 {A_CODE}" in error(app)
        # Put right: the name back, the code where it belongs; a name typed as the code is caught too.
        screen.query_one("#enterprise-name", Input).value = "鞍钢集团有限公司"
        screen.query_one("#uscc", Input).value = "鞍钢集团"
        await pilot.pause()
        assert not screen.query_one("#name-note").display
        await pilot.press("f10")
        await settle(pilot)
        assert app.screen is screen and "信用代码栏填的是“鞍钢集团”" in error(app)
        assert "企业名称栏" not in error(app)  # the fixed complaint is gone
        screen.query_one("#uscc", Input).value = ""
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        view = app.screen.last_case
        assert view is not None and view.enterprise_name == "鞍钢集团有限公司"


async def test_the_fast_path_claims_nothing_and_the_checklist_sets_the_mode(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        await scan(pilot, cards["valid"])
        await pilot.press("f3")  # 1
        await settle(pilot)
        assert isinstance(app.screen, CaseFormScreen)
        assert app.screen.query_one("#complete", Checkbox).value is False  # nobody has seen the papers
        assert "建议办理方式：待定" in text_of(app, "#suggestion")
        await pilot.press("enter", "f10")  # 2, 3
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        view = app.screen.last_case
        assert view is not None and view.coordinator is not None  # routed in three keys
        assert "办理方式：待定" in routing_text(app)
        await pilot.press("f12")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ChecklistScreen)
        await tick_kinds(pilot, screen, MaterialKind.CORE, MaterialKind.SECONDARY)
        await pilot.press("f10")  # 受理: every material is there
        await settle(pilot)
        assert screen.sheet is not None and screen.sheet.items[0].status == "accepted"
        await pilot.press("escape")
        await settle(pilot)
        assert "办理方式：马上办" in routing_text(app)  # the desk shows the mode the checklist set
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one(DataTable)
        rows = [(str(table.get_row_at(i)[1]), str(table.get_row_at(i)[3])) for i in range(table.row_count)]
        assert ("材料核验定办理方式", "理由：全部事项受理，资料齐全：待定→马上办") in rows
    assert cases.get_case(loaded, view.id).service_mode == "immediate"  # type: ignore[union-attr]


async def test_a_utility_connection_says_it_goes_to_the_proxy_service(
    cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        await type_text(pilot, "水电气", "enter")
        screen = app.screen
        suggestion = text_of(app, "#suggestion")
        assert "承办：帮办代办（公用服务报装）" in suggestion and "派帮办代办专人" in suggestion
        assert screen.query_one("#full-proxy", Checkbox).value is True
        await pilot.click("#full-proxy")  # the item needs it (S3): it stays, and the form says why
        assert screen.query_one("#full-proxy", Checkbox).value is True
        assert "水电气报装由帮办代办部全程代办" in error(app)
        screen.query_one("#item-filter", Input).value = ""
        await pilot.pause()
        await pilot.press("enter")  # and 公司设立登记 beside it: still a proxy, as routing will do
        assert "已勾选全程代办" in text_of(app, "#suggestion")
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        view = app.screen.last_case
        assert view is not None and view.full_proxy and view.proxy is not None
        assert f"帮办代办：{view.proxy.name}" in routing_text(app) or view.proxy.name in routing_text(app)
