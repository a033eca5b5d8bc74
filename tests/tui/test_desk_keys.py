"""The desk's keys act on the holder on screen; the footer fits; the palette and the dialogs speak
Chinese and name whose case they change. Driven with Pilot as a clerk would."""

from __future__ import annotations

import ast
from pathlib import Path

from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Footer, Input, Static
from textual.widgets._footer import FooterKey

from hallterm.domain.checklist import Decision
from hallterm.domain.events import LABELS, EventKind
from hallterm.services import cases
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage import events
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.case_form import CaseFormScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.history import HistoryScreen
from hallterm.tui.desk.reassign import ReassignScreen
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_and_route, open_form, scan, settle, text_of, until

SERVICES = Path(__file__).parents[2] / "hallterm" / "services"
CASE_KEYS = {"history", "reassign", "checklist", "print_slip"}


def footer_actions(app: DeskApp) -> set[str]:
    return {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}


async def test_case_keys_leave_with_the_holder_they_were_about(
    cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_route(pilot, cards["valid"])
        assert footer_actions(app) >= CASE_KEYS
        await scan(pilot, cards["revoked"])  # the next visitor: 孙昊, refused
        assert not CASE_KEYS & footer_actions(app)
        for key in ("f6", "f7", "f12", "f10"):  # pressed anyway: nothing of 王喆's case opens
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, DeskScreen), key
        await scan(pilot, "X")  # a mistyped scan, and F2, leave nothing in reach either
        assert not CASE_KEYS & footer_actions(app)


async def test_a_returning_holder_brings_back_their_open_case(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_route(pilot, cards["valid"])
        case_no = app.screen.last_case.case_no
        await scan(pilot, cards["revoked"])
        await scan(pilot, cards["valid"])  # 王喆 comes back to the counter
        assert f"在办：{case_no}" in text_of(app, "#notice")
        assert {"history", "reassign", "checklist"} <= footer_actions(app)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        title = text_of(app, "#history-title")
        assert "王喆" in title and case_no in title
        await pilot.press("escape")
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, ReassignScreen)
        title = text_of(app, "#reassign-title")
        assert "王喆" in title and case_no in title


async def test_the_footer_never_clips_a_key(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    for width, height in ((80, 24), (100, 30)):
        app = desk_app()
        async with app.run_test(size=(width, height)) as pilot:
            await open_and_route(pilot, cards["valid"])
            keys = list(app.screen.query_one(Footer).query(FooterKey))
            palette = next(k for k in keys if k.action == "command_palette")
            for key in keys:
                if key is not palette:
                    assert key.region.right <= palette.region.x, (width, key.description)
            shown = {k.description for k in keys}
            assert "退出" not in shown and {"新扫描", "打印", "材料清单", "记录", "改派"} <= shown
            if width == 100:
                assert {"补打", "签退"} <= shown  # room for every desk key at 100 columns
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert {"补打", "签退", "叫号", "退出（Ctrl+Q）"} <= titles  # what the footer drops, the palette keeps


async def test_the_palette_writes_keys_and_no_matches_in_chinese(
    cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, cards["valid"])
        helps = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert helps["补打"] == "快捷键 Ctrl+R"
        assert helps["开办件"] == "快捷键 F3"
        assert helps["新扫描"] == "快捷键 F2"
        # Not the fields' own keys: Textual's "Copy selected text", the scan field's Tab (提交).
        assert [t for t in helps if t.isascii()] == [] and "提交" not in helps
        await pilot.press("ctrl+p")
        await pilot.press(*"qqqq")
        await pilot.pause(1.0)
        assert isinstance(app.screen, CommandPalette)
        options = app.screen.query_one(CommandList)
        prompts = [str(options.get_option_at_index(i).prompt.renderable) for i in range(options.option_count)]
        assert prompts == ["没有匹配的操作"]


async def test_the_theme_choice_is_in_chinese(desk_app: DeskAppFactory) -> None:
    """切换主题 opened Textual's own list: "Search for themes…" and twenty English names (issue 11 point 9)."""
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_change_theme()
        await until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.query(CommandList)
                    and app.screen.query_one(CommandList).option_count > 0, "the theme list")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert "Search" not in str(palette.query_one("CommandInput").placeholder)
        options = palette.query_one(CommandList)
        names = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert names and all(not any(c.isascii() and c.isalpha() for c in n) for n in names), names
        options.highlighted = names.index("浅色（大厅强光下）")
        await pilot.press("enter")
        await until(pilot, lambda: app.theme == "textual-light", "the light scheme chosen")


async def test_the_case_form_drops_an_error_once_it_is_fixed(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        assert isinstance(app.screen, CaseFormScreen)
        await pilot.press("f10")
        assert "请至少选择一个审批事项" in text_of(app, "#form-error")
        await pilot.press("enter")  # tick the highlighted item
        await pilot.pause()
        assert text_of(app, "#form-error") == ""


async def test_the_reassign_error_goes_once_a_reason_is_typed(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    from hallterm.tui.widgets.confirm import ConfirmScreen

    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_route(pilot, cards["valid"])
        await pilot.press("f7")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReassignScreen) and screen.off_duty
        from textual.widgets import Select

        screen.query_one("#coordinator", Select).value = next(iter(screen.off_duty))
        await pilot.press("f10")
        assert "改派须填写理由" in str(screen.query_one("#reassign-error", Static).render())
        assert screen.focused is screen.query_one("#reason", Input)
        await pilot.press(*"持卡人指定")
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert str(screen.query_one("#reassign-error", Static).render()) == ""  # not under the question


async def test_the_history_names_lounges_and_people(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_route(pilot, cards["valid"])
        view = app.screen.last_case
        await pilot.press("f6")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        routed = str(table.get_row_at(1)[3])
        assert view.lounge_name in routed and view.coordinator.name in routed
        assert view.lounge_code not in routed.replace(view.lounge_name, "")
        assert view.coordinator.staff_id not in routed
        # What was done reads in Chinese, from the one table of event names (domain.events).
        assert [str(table.get_row_at(n)[1]) for n in (0, 1)] == ["开办件", "分配洽谈室和协调员"]


async def test_the_history_shows_a_kind_from_a_newer_version_as_stored(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_route(pilot, cards["valid"])
        view = app.screen.last_case
        with loaded.db.write() as conn:  # a newer hallterm on the same database records a kind unknown here
            events.append(conn, "[b]case_teleported", loaded.now(), case_id=view.id)  # type: ignore[arg-type]
        await pilot.press("f6")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        shown = table.get_row_at(table.row_count - 1)[1]
        assert isinstance(shown, Text) and shown.plain == "[b]case_teleported"  # as stored: text, never markup


def _strings(node: ast.expr) -> set[str]:
    """The strings an expression can evaluate to: a constant or an ``EventKind`` member, either branch of
    ``a if c else b``, the values of ``{...}[key]``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "EventKind":
        return {EventKind[node.attr].value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict):
        return set().union(*(_strings(v) for v in node.value.values))
    return set()


def _appended_kinds() -> tuple[set[str], list[str]]:
    """Every event kind the services can append, read from their source: literal kinds, and the values
    a variable kind is given in the same function. What cannot be read so is returned to be explained."""
    kinds: set[str] = set()
    unexplained: list[str] = []
    for path in sorted(SERVICES.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            for call in ast.walk(func):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                        and call.func.attr in {"append", "append_event"} and len(call.args) >= 2):
                    continue
                name = call.func.value.id if isinstance(call.func.value, ast.Name) else ""
                if call.func.attr == "append" and name != "events":
                    continue
                kind = call.args[1]
                if _strings(kind):
                    kinds |= _strings(kind)
                elif isinstance(kind, ast.Name):
                    for node in ast.walk(func):
                        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == kind.id
                                                                for t in node.targets):
                            kinds |= _strings(node.value)
                            if not _strings(node.value):
                                unexplained.append(f"{path.name}:{node.lineno}: {ast.unparse(node.value)}")
                else:
                    unexplained.append(f"{path.name}:{call.lineno}: {ast.unparse(kind)}")
    return kinds, unexplained


def test_every_event_kind_has_a_chinese_name() -> None:
    kinds, unexplained = _appended_kinds()
    # The one computed kind: a checklist decision (services/checklist.py), one kind per decision.
    assert unexplained and all("item_{decision.decision.value}" in u for u in unexplained), unexplained
    kinds |= {f"item_{d.value}" for d in Decision}
    assert {"slip_spooled", "case_routed", "ticket_called"} <= kinds  # the reading finds literal and variable kinds
    assert sorted(k for k in kinds if k not in set(EventKind)) == []  # every kind appended is one of the enum
    assert set(LABELS) == set(EventKind)  # … and every kind of the enum has its Chinese name
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in kind.label) for kind in EventKind)


async def test_desk_staff_are_told_whom_to_tell_of_missing_holidays(
    loaded: Services, desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = text_of(app, "#deadline-bar")
        assert bar == "2027年节假日未导入：跨年期限为估算，请告知管理员"
        assert app.screen.query_one("#deadline-bar").region.height == 1
    app = desk_app("supervisor")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "assets/calendar/2027.toml" in text_of(app, "#deadline-bar")


def test_open_cases_of_a_holder_are_newest_first(loaded: Services, desk_session: StaffSession,
                                                 cards: dict[str, str]) -> None:
    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind

    opened = [cases.open_case(loaded, desk_session, CaseDraft(
        cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",), EnterpriseKind.FOREIGN, f"鞍山睿堃科技{n}有限公司"))
        for n in range(2)]
    assert [c.id for c in cases.open_cases_of_holder(loaded, cards["valid"])] == [opened[1].id, opened[0].id]
    assert cases.open_cases_of_holder(loaded, cards["revoked"]) == []

