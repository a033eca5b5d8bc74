"""责任清单 on screen (issue 14 point 2, S10), driven by keys at 80×24: a supervisor opens it from the hall
overview (F9, then L), reads the late and unheld rows first, in words; Enter opens a case's history; F picks a
section; P prints the A4 sheet through the print path and says where it went. A coordinator sees their own
section's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList, Static

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.services.context import Services
from hallterm.tui.desk.coordinator import CoordinatorScreen
from hallterm.tui.desk.history import HistoryScreen
from hallterm.tui.desk.responsibility import ResponsibilityScreen
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
        assert cells(table, 0)[:2] == ["逾期3天", hall.c]  # late first, said in words
        assert cells(table, 4)[0] == "未指定责任人，剩1天" and cells(table, 4)[3] == "未指定"
        assert "王喆" not in " ".join(" ".join(cells(table, n)) for n in range(table.row_count))
        await pilot.press("down")
        assert cells(table, 1)[1] == hall.a
        detail = line(app, "#duties-detail").replace("\n", "")
        assert "申请人 王*" in detail and "责任部门 业务协调科" in detail and hall.coordinator_a in detail

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen) and app.screen.case_no == hall.a
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ResponsibilityScreen)

        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)
        options = app.screen.query_one(OptionList)
        wanted = next(n for n in range(options.option_count)
                      if options.get_option_at_index(n).id == "政务服务中心帮办代办部")
        for _ in range(wanted):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResponsibilityScreen)
        assert table.row_count == 1 and cells(table, 0)[1] == hall.d
        assert "政务服务中心帮办代办部" in line(app, "#duties-summary")

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
