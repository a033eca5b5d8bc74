"""The supervisor's screen (issue 14 point 3): figures for today, this week and this month, their charts,
the drill-down from a figure to its cases and from a case to its history, refreshes that never overlap.

One demo-like database for the module (the days before FIXED_NOW played by ``build_demo``); each test
gets a byte copy of it, so a test that signs someone in never changes another's figures.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from textual.widgets import DataTable, Static

from hallterm.config import load_settings, sqlite_url
from hallterm.domain.report import FIGURE_BY_KEY, FIGURES, Period
from hallterm.services import report as report_service
from hallterm.services import report_drilldown
from hallterm.services.context import Services
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.coordinator import CoordinatorScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.history import HistoryScreen
from hallterm.tui.desk.keys import KeyListScreen
from hallterm.tui.desk.supervision import SupervisionScreen
from hallterm.tui.desk.supervision_cases import CasesBehindScreen
from hallterm.tui.desk.supervision_figures import NOW_HEADING, PERIOD_HEADING, figure_value
from hallterm.tui.desk.supervision_tables import SCREEN_COLUMNS, ScopeTable
from tests.conftest import FIXED_NOW
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import settle, text_of
from tests.tui.test_no_silent_keys import key_list_text

TODAY = FIXED_NOW.astimezone(dt.timezone(dt.timedelta(hours=8))).date()  # Thursday 2026-11-26 in Anshan


@pytest.fixture(scope="module")
def demo_hall(tmp_path_factory: pytest.TempPathFactory, _sqlite_templates: dict[str, Path]) -> Path:
    """Four days of the hall before FIXED_NOW (a Sunday and three working days), made once for the module
    by the demo's own use cases."""
    # lazy: only this module's set-up plays the demo
    from hallterm.services.demo import build_demo

    path = tmp_path_factory.mktemp("supervision") / "hall.sqlite3"
    shutil.copyfile(_sqlite_templates["loaded"], path)
    svc = Services.open(load_settings(environ={"HALLTERM_DB_URL": sqlite_url(path)}), clock=lambda: FIXED_NOW)
    build_demo(svc, 60, days=3)
    svc.close()
    return path


@pytest.fixture
def db_file(tmp_path: Path, demo_hall: Path) -> Path:
    """The test's own copy of the module's demo hall (``services`` opens it instead of an empty one)."""
    path = tmp_path / "hall.sqlite3"
    shutil.copyfile(demo_hall, path)
    return path


class Gate:
    """build_report, counted, and held back while the gate is closed (a refresh still running)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[Period] = []
        self.open = threading.Event()
        self.open.set()
        real = report_service.build_report

        def held(svc: Services, period: Period, **kwargs: object) -> report_service.Report:
            self.calls.append(period)
            self.open.wait(10)
            return real(svc, period, **kwargs)

        monkeypatch.setattr(report_service, "build_report", held)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    g = Gate(monkeypatch)
    yield g
    g.open.set()


def shown(app: DeskApp, key: str) -> str:
    table = app.screen.query_one("#figures", DataTable)
    return str(table.get_cell(key, "value"))


def assert_whole(grid: DataTable) -> None:
    """Every cell whole on screen: the table needs no sideways scrolling (a number cut at the edge reads as
    another: 83.3% as .3%) and no value is wider than its column."""
    assert grid.virtual_size.width <= grid.scrollable_content_region.width, (grid.id, grid.virtual_size)
    for column in grid.columns.values():
        for cell in grid.get_column(column.key):
            assert cell_len(str(cell)) <= column.get_render_width(grid) - 2, (grid.id, column.label, str(cell))


async def test_supervisor_reads_each_period_drills_to_cases_and_history(
    loaded: Services, desk_app: DeskAppFactory, gate: Gate
) -> None:
    app = desk_app("supervisor")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f9")  # the hall overview a supervisor sees the whole hall in
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        # A supervisor's footer names both keys a supervisor comes here for, even at 80 columns.
        in_footer = {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"supervision", "duties"} <= in_footer, in_footer
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisionScreen)

        # Today first, then P: this week, 3: last week, 4: this month; each figure as build_report counts it.
        for press, period in ((None, Period.day(TODAY)), ("p", Period.week_of(TODAY)),
                              ("3", Period.week_of(TODAY - dt.timedelta(days=7))), ("4", Period.month_of(TODAY))):
            if press:
                await pilot.press(press)
                await settle(pilot)
            expected = report_service.build_report(loaded, period)
            for key in ("cases_opened", "cases_closed", "on_time_rate", "wait_p50_min"):
                assert shown(app, key) == figure_value(FIGURE_BY_KEY[key], expected.figures[key]), (period, key)
            bar = text_of(app, "#period-bar")
            assert period.label() in bar and "计算于 10:00" in bar
            happened = any(expected.figures[k] for k in ("cases_opened", "tickets_issued", "ratings_total"))
            assert ("本期没有数据" in bar) != happened, (period, bar)
        month = report_service.build_report(loaded, Period.month_of(TODAY))
        assert month.figures["cases_opened"], "the demo's month opened cases"
        assert "件" in shown(app, "cases_opened")
        # Every value whole with its unit at 80 columns; the figures counted as things stand now apart,
        # under their own heading, and the highlighted figure's definition under the list.
        figures = screen.query_one("#figures", DataTable)
        assert_whole(figures)
        rows = [key.value for key in figures.rows]
        assert rows[1:rows.index(PERIOD_HEADING)] == [f.key for f in FIGURES if f.as_of_now]
        assert rows[rows.index(PERIOD_HEADING) + 1:] == [f.key for f in FIGURES if not f.as_of_now]
        assert str(figures.get_cell(NOW_HEADING, "label")) == "当前（截至 10:00）"
        assert text_of(app, "#figure-explain").startswith("受理案件")
        # The per-section table: its first columns whole at 80 columns, short headers, none cut.
        for grid in screen.query(ScopeTable):
            assert_whole(grid)
            assert [str(c.label) for c in grid.columns.values()][-1] in SCREEN_COLUMNS.values()

        # A refresh asked for while one runs is not started beside it: it runs once, after.
        gate.open.clear()
        before = len(gate.calls)
        await pilot.press("r")
        await pilot.press("r")
        await pilot.press("r")
        await pilot.pause()
        assert len(gate.calls) == before + 1
        assert "统计中" in text_of(app, "#period-bar")
        at = screen.query_one("#figures", DataTable).cursor_row
        await pilot.press("down")  # keys still act while the report is computed
        assert screen.query_one("#figures", DataTable).cursor_row == at + 1
        await pilot.press("up")
        gate.open.set()
        await settle(pilot)
        await settle(pilot)
        assert len(gate.calls) == before + 2 and "统计中" not in text_of(app, "#period-bar")

        # Tab to the per-section table: Enter on a section's 受理案件 cell lists that section's cases.
        await pilot.press("tab", "tab")
        grid = screen.focused
        assert isinstance(grid, ScopeTable) and grid.report_table == "by_section"
        await pilot.press("right", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CasesBehindScreen)
        section = str(month.table("by_section").rows[0][0])
        assert section in text_of(app, "#cases-title")
        in_section = report_drilldown.cases_behind(loaded, Period.month_of(TODAY), "cases_opened", section=section)
        assert app.screen.query_one("#cases-behind", DataTable).row_count == len(in_section) > 0
        assert {line.section for line in in_section} == {section}
        computed = len(gate.calls)
        screen._tick()  # the minute's refresh, while the drill-down covers the figures: not computed
        await settle(pilot)
        assert len(gate.calls) == computed
        await pilot.press("escape")
        await settle(pilot)
        assert len(gate.calls) == computed + 1  # back on top: computed afresh
        await pilot.press("shift+tab", "shift+tab")
        assert screen.focused is screen.query_one("#figures", DataTable)

        # Enter on 受理案件: the month's cases behind it, holders' names masked.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CasesBehindScreen)
        behind = report_drilldown.cases_behind(loaded, Period.month_of(TODAY), "cases_opened")
        cases = app.screen.query_one("#cases-behind", DataTable)
        assert cases.row_count == len(behind) == month.figures["cases_opened"]
        first = [str(cell) for cell in cases.get_row_at(0)]
        assert behind[0].case_no in first
        assert behind[0].holder in first and any("*" in cell for cell in first)
        labels = [str(c.label) for c in cases.columns.values()]
        assert "说明" in labels and "开办时间" in labels
        assert behind[0].note in first and "：" in behind[0].note  # what the case is: its 五办 mode and items

        # Enter on a case: its history; Esc back up, one screen at a time.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen) and app.screen.case_no == behind[0].case_no
        title = text_of(app, "#history-title")
        assert title.startswith(behind[0].holder + "　") and "*" in title  # masked here too
        assert app.screen.query_one("#history-table", DataTable).row_count > 0
        for below in (CasesBehindScreen, SupervisionScreen, CoordinatorScreen):
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, below)
        await pilot.press("ctrl+s")  # as on a supervisor's desk
        await settle(pilot)
        assert isinstance(app.screen, SupervisionScreen)


async def test_who_may_not_is_told_why_and_an_empty_period_says_so(
    loaded: Services, desk_app: DeskAppFactory, clock: list[dt.datetime]
) -> None:
    clerk = desk_app()
    async with clerk.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(clerk.screen, DeskScreen)
        assert "前台账号不能查看督查考核：须由督查、管理员办理" in text_of(clerk, "#notice").replace("\n", "")
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(clerk.screen, KeyListScreen)
        assert "现在不可用：前台账号不能查看督查考核" in key_list_text(clerk.screen)

    # A month before the hall opened its green channel: every period says so, and a rate is 无数据, never 0.
    clock[0] = dt.datetime(2026, 10, 15, 2, 0, tzinfo=dt.UTC)
    supervisor = desk_app("supervisor")
    async with supervisor.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")  # straight from a supervisor's desk
        await settle(pilot)
        assert isinstance(supervisor.screen, SupervisionScreen)
        for key, name in (("1", "今日"), ("2", "本周"), ("3", "上周"), ("4", "本月"), ("5", "上月")):
            await pilot.press(key)
            await settle(pilot)
            assert f"【{name}】" in text_of(supervisor, "#period-bar")
            assert "本期没有数据" in text_of(supervisor, "#period-bar")
            assert "本期没有数据" in text_of(supervisor, "#empty-period")
            assert shown(supervisor, "on_time_rate") == "无数据"
            assert shown(supervisor, "cases_opened") == "0 件"  # nothing happened: 0, not 无数据
        # At 120 columns every short-headed column of the tables is on screen whole.
        for grid in supervisor.screen.query(ScopeTable):
            assert_whole(grid)
            assert set(SCREEN_COLUMNS) <= set(grid.shown_columns), grid.shown_columns
        await pilot.press("up")  # its heading: nothing to list
        await pilot.press("down")
        await pilot.press("enter")  # 受理案件 0: nothing to list, and it says so
        await settle(pilot)
        assert isinstance(supervisor.screen, SupervisionScreen)
        notice = str(supervisor.screen.query_one("#supervision-notice", Static).render())
        assert "没有可列出的办件" in notice
        await pilot.press("f1")  # every key of the screen, those the footer has no room for too
        await settle(pilot)
        assert isinstance(supervisor.screen, KeyListScreen)
        listed = key_list_text(supervisor.screen)
        for line in ("Enter  明细", "P      今日/本周/上周/本月/上月", "R      刷新", "1      今日", "3      上周",
                     "5      上月", "Esc    返回"):
            assert line in listed, (line, listed)
        console = Console(width=400, file=io.StringIO(), record=True, color_system=None)  # no wrapping
        console.print(supervisor.screen.query_one("#key-notes", Static).content)
        notes = console.export_text()
        assert "表头「按时率」" in notes and "按时办结率" in notes
        for figure in FIGURES:  # every definition the model has (figfix fills them in)
            if figure.explain:
                assert figure.explain[:10] in notes.replace("\n", ""), figure.key
