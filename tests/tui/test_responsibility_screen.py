"""责任清单 on screen (issue 14 point 2, S10), driven by keys at 80×24: a supervisor opens it from the hall
overview (F9, then L), reads the late and unheld rows first, in words (逾3工作日); 责任人 and 期限 are on screen
at 80 columns; Enter opens a case's history with the holder's name masked; F picks a section, the catalog's
departments too, and the heading says what the filter matches; P prints the A4 sheet through the print path and
says where it went. A coordinator sees their own section's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList, Static

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.domain.responsibility import Duty, DutyKind, timing
from hallterm.domain.workdays import WorkCalendar
from hallterm.services.context import Services
from hallterm.services.responsibility import DutyBoard
from hallterm.tui.desk.coordinator import CoordinatorScreen
from hallterm.tui.desk.history import HistoryScreen
from hallterm.tui.desk.responsibility import DutiesLoaded, ResponsibilityScreen
from hallterm.tui.widgets.choice import ChoiceScreen
from tests.services.duties_flow import build_small_hall
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import settle


@pytest.fixture
def settings(tmp_path: Path, db_file: Path) -> Settings:
    """Overrides the root fixture: the spool folder in the test's own folder."""
    return load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file),
                                  "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
                                  "HALLTERM_PRINTING_SPOOL_DIR": str(tmp_path / "spool")})


def line(app: object, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


def cells(table: DataTable, row: int) -> list[str]:
    return [str(c) for c in table.get_row_at(row)]


async def test_a_supervisor_opens_the_list_reads_it_opens_a_history_filters_and_prints(
    loaded: Services, cards: dict[str, str], clock: list[dt.datetime], desk_app: DeskAppFactory, tmp_path: Path
) -> None:
    hall = build_small_hall(loaded, clock, cards["valid"])
    app = desk_app("supervisor")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, ResponsibilityScreen)
        summary = line(app, "#duties-summary")
        assert "全部科室" in summary and "共 10 项，逾期或未指定责任人 5 项" in summary
        table = app.screen.query_one("#duties-table", DataTable)
        assert table.row_count == 10 and table.virtual_size.width <= table.size.width  # fits 80 columns
        assert [str(c.label) for c in table.ordered_columns] == ["状态", "事项", "责任人", "期限", "办件号"]
        short_c = hall.c.split("-", 1)[1]  # 20261126-0003: the hall's region code left off, the number whole
        assert cells(table, 0)[0] == "逾3工作日" and cells(table, 0)[4] == short_c  # late first, said in words
        assert cells(table, 0)[3] == "11-27" and cells(table, 0)[2]  # 期限 and 责任人 on screen
        assert cells(table, 4)[0] == "剩1工作日" and cells(table, 4)[2] == "未指定"
        assert "王喆" not in " ".join(" ".join(cells(table, n)) for n in range(table.row_count))
        await pilot.press("down")
        assert cells(table, 1)[4] == hall.a.split("-", 1)[1]
        detail = line(app, "#duties-detail").replace("\n", "")
        assert "申请人 王*" in detail and "责任部门 业务协调科" in detail and hall.coordinator_a in detail
        assert hall.a in detail and "逾期1个工作日" in detail  # the full number and the state in full here

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen) and app.screen.case_no == hall.a
        title = line(app, "#history-title")
        assert "王*" in title and "王喆" not in title  # the holder masked, as in the supervisor's drill-down
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ResponsibilityScreen)

        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)
        options = app.screen.query_one(OptionList)
        offered = {options.get_option_at_index(n).id for n in range(options.option_count)}
        assert {"市政公用审批科", "生态环境审批科", "企业登记科"} <= offered  # every 责任部门 the list can show
        wanted = next(n for n in range(options.option_count)
                      if options.get_option_at_index(n).id == "政务服务中心帮办代办部")
        for _ in range(wanted):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResponsibilityScreen)
        assert table.row_count == 1 and cells(table, 0)[4] == hall.d.split("-", 1)[1]
        summary = line(app, "#duties-summary").replace("\n", "")
        assert "按科室筛选：政务服务中心帮办代办部（责任部门或责任人所在科室）" in summary

        await pilot.press("p")
        await settle(pilot)
        said = line(app, "#duties-notice")
        spool = tmp_path / "spool"
        printed = list(spool.rglob("*.pdf"))
        assert len(printed) == 1 and "责任清单" in said and str(printed[0]) in said.replace("\n", "")


async def test_a_coordinator_sees_their_own_sections_list(
    loaded: Services, cards: dict[str, str], clock: list[dt.datetime], desk_app: DeskAppFactory
) -> None:
    hall = build_small_hall(loaded, clock, cards["valid"])
    app = desk_app(hall.coordinator_a)  # a coordinator of 业务协调科 lands on the coordinators' view
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        await pilot.press("l")
        await settle(pilot)
        assert "业务协调科" in line(app, "#duties-summary")
        table = app.screen.query_one("#duties-table", DataTable)
        # the proxy department's unheld task is not this section's; everything else is held by 业务协调科
        assert table.row_count == 9 and hall.d not in cells(table, 0)


async def test_the_widest_rows_still_show_who_and_when_at_80_columns(
    loaded: Services, desk_app: DeskAppFactory
) -> None:
    """The longest cells a hall has (an unheld duty late over a hundred working days, estimated past the holiday
    data; a long item name; a long staff name) cut 事项 with …, never a number, and keep 责任人 and 期限 on screen."""
    cal = WorkCalendar()
    today = dt.date(2031, 12, 1)  # past the holiday data: the count is estimated
    due = dt.date(2031, 5, 6)
    what = "建设工程规划许可证核发（含临时建设工程规划许可和乡村建设规划许可）（审查中，暂停计时）"
    rows = tuple(
        Duty(DutyKind.ITEM, what, n + 1, f"210300-20310506-{n + 1:04d}", "王*", "工程建设审批科",
             None if n % 2 else "S1001", "" if n % 2 else "阿卜杜热合曼·买买提", "业务协调科", due,
             timing(cal, due, today))
        for n in range(4))
    board = DutyBoard(rows, None, ("业务协调科",), dt.datetime(2031, 12, 1, 9, 0, tzinfo=dt.UTC))
    app = desk_app("supervisor")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ResponsibilityScreen)
        screen.post_message(DutiesLoaded(result=board))
        await settle(pilot)
        table = screen.query_one("#duties-table", DataTable)
        assert table.row_count == 4
        assert table.virtual_size.width <= table.size.width  # every column on screen, nothing scrolled off
        first, second = cells(table, 0), cells(table, 1)
        assert first[0].startswith("逾") and first[0].endswith("工作日(估)") and first[1].endswith("…")
        assert first[2].endswith("…") and second[2] == "未指定" and first[3] == "05-06"
        assert first[4] == "20310506-0001"  # whole, never cut in the middle
