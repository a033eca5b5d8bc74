"""The 统一发证窗口 at the desk (issue 13, S9): scan the card, check the agent, hand out, print the 领证回执."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import DataTable, Input

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.domain.checklist import ItemStatus
from hallterm.services import progress
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import slips
from hallterm.tui.desk.issuing import IssuingScreen
from hallterm.tui.desk.print_screens import PrintPreviewScreen
from tests.services.test_item_progress import AGENT_ID, accepted_case, to_ready
from tests.tui.conftest import DeskAppFactory, signed_in
from tests.tui.pilot_helpers import scan, settle, text_of, type_text


@pytest.fixture
def settings(tmp_path: Path, db_file: Path) -> Settings:
    """Overrides the root fixture: the spool folder and the signing key in the test's own folder."""
    return load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file),
                                  "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
                                  "HALLTERM_PRINTING_SPOOL_DIR": str(tmp_path / "spool")})


async def test_the_window_hands_out_to_an_agent_and_prints_the_receipt(
        loaded: Services, desk_session: StaffSession, cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    sheet = accepted_case(loaded, desk_session, cards["valid"])
    to_ready(loaded, signed_in(loaded, "S1001"), sheet.items[0].case_item_id)
    app = desk_app()
    async with app.run_test(size=(120, 34)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, IssuingScreen)
        await scan(pilot, cards["valid"])
        assert app.screen.query_one("#ho-items", DataTable).row_count == 1
        assert "有 1 项待领取" in text_of(app, "#ho-notice")
        await pilot.press("f6")  # an agent: the name field opens and takes the focus
        await type_text(pilot, "李四", "tab")
        await type_text(pilot, AGENT_ID)
        await pilot.press("f10")
        await settle(pilot)
        assert "授权委托书" in text_of(app, "#ho-notice")  # refused: nothing typed is lost
        assert app.screen.query_one("#ho-id", Input).value == AGENT_ID
        await pilot.press("f7", "f10")
        await settle(pilot)
        assert "已发放 1 项" in text_of(app, "#ho-notice")
        shown = text_of(app, "#ho-holder")
        assert "李四" in shown and AGENT_ID not in shown and AGENT_ID[-2:] in shown  # masked afterwards
        assert app.screen.query_one("#ho-id", Input).value == ""
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, PrintPreviewScreen) and "领证回执" in app.screen.selected.preview
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, IssuingScreen) and "领证回执" in text_of(app, "#ho-notice")
    assert progress.items_of_case(loaded, sheet.case.id)[0].status is ItemStatus.HANDED_OUT
    with loaded.db.read() as conn:
        kinds = list(conn.execute(select(slips.c.kind).where(slips.c.case_id == sheet.case.id)).scalars())
    assert kinds == ["handout"]


async def test_an_agent_id_with_no_such_birth_date_is_refused_and_stays_typed(
        loaded: Services, desk_session: StaffSession, cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    sheet = accepted_case(loaded, desk_session, cards["valid"])
    to_ready(loaded, signed_in(loaded, "S1001"), sheet.items[0].case_item_id)
    no_such_day = "110105203102300024"  # checksum right (hand-verified in tests/unit/test_ids.py), 30 February
    app = desk_app()
    async with app.run_test(size=(120, 34)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await scan(pilot, cards["valid"])
        await pilot.press("f6")
        await type_text(pilot, "李四", "tab")
        await type_text(pilot, no_such_day)
        await pilot.press("f7", "f10")
        await settle(pilot)
        assert "代理人身份证号码中的出生日期 2031-02-30 不存在：请核对证件后重新输入" in text_of(app, "#ho-notice")
        # Nothing typed is lost: the number is corrected in place, not typed again.
        assert app.screen.query_one("#ho-id", Input).value == no_such_day
        assert app.screen.query_one("#ho-name", Input).value == "李四"
        assert app.screen.query_one("#ho-items", DataTable).row_count == 1
    assert progress.items_of_case(loaded, sheet.case.id)[0].status is ItemStatus.READY
