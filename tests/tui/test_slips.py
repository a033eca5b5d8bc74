"""Slips at the desk, driven with Pilot: scanning slips back, preview before printing, the reprint list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList, Static

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.services import print_jobs, queue, signing
from hallterm.services.context import Services
from hallterm.storage import events
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.print_screens import PrintPreviewScreen, ReprintScreen
from tests.sessions import DESK
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_form, scan, settle

TODAY = dt.date(2026, 11, 26)


def environ(tmp_path: Path, db_file: Path, **extra: str) -> dict[str, str]:
    return {"HALLTERM_DB_URL": sqlite_url(db_file), "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
            "HALLTERM_PRINTING_SPOOL_DIR": str(tmp_path / "spool"), **extra}


@pytest.fixture
def settings(tmp_path: Path, db_file: Path) -> Settings:
    """Overrides the root fixture: the spool folder and the signing key in the test's own folder."""
    return load_settings(environ=environ(tmp_path, db_file))


def notice(app: DeskApp) -> str:
    return str(app.screen.query_one("#notice", Static).render())


def preview_text(app: DeskApp) -> str:
    return str(app.screen.query_one("#pv-text", Static).render())


async def test_a_forged_slip_is_refused_at_the_scan_field(loaded: Services, desk_app: DeskAppFactory) -> None:
    forged = signing.ticket_payload(loaded, TODAY, "A017")[:-16] + "A" * 16
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await scan(pilot, forged)
        assert "签名校验失败" in notice(app) and "伪造" in notice(app)
        assert app.screen.query_one("#notice").has_class("-error")
    with loaded.db.read() as conn:
        assert events.recent(conn, kind="slip_refused")[0].details["reason"] == "bad_signature"


async def test_an_appointment_slip_checks_in_and_its_ticket_prints_after_a_preview(
    loaded: Services, settings: Settings, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    appointment_id = queue.book_appointment(loaded, DESK, cards["valid"], TODAY, "10:30", "11:00")
    payload = signing.appointment_payload(loaded, appointment_id, TODAY, "10:30")
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await scan(pilot, payload.lower())  # Caps Lock on: still the same slip
        assert "已签到" in notice(app) and "按 F10 打印排队票" in notice(app)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, PrintPreviewScreen)
        shown = preview_text(app)
        assert "预约签到" in shown and "10:30–11:00" in shown and "王*" in shown and "王喆" not in shown
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert notice(app).startswith("已保存：排队票 B")
        assert "未连接打印机，已保存到" in notice(app)
    assert len(list(Path(settings.printing.spool_path).rglob("*.png"))) == 1


async def test_after_a_case_is_opened_f10_previews_its_visit_slip(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await scan(pilot, cards["valid"])
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("enter", "f10")  # tick the first item, open and route the case
        await settle(pilot)
        case = app.screen.last_case
        assert case is not None
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, PrintPreviewScreen)
        assert app.screen.sub_title == f"打印预览　王喆　{case.case_no}"  # whose papers these are
        options = app.screen.query_one(OptionList)
        assert options.option_count == 1 and "引导单" in str(options.get_option_at_index(0).prompt)
        assert case.case_no in preview_text(app) and case.lounge_name in preview_text(app)
        assert "Please" not in preview_text(app)
        await pilot.press("b")  # a foreign visitor: English too, for this slip
        await settle(pilot)
        assert "Green Channel Visit Slip" in preview_text(app) and "中英双语" in str(
            app.screen.query_one("#pv-notice", Static).render())
        await pilot.press("escape")  # back without printing
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert print_jobs.recent_slips(loaded) == []
        said = str(app.screen.query_one("#notice", Static).render())
        assert "正在准备" not in said and "未打印" in said  # no busy line left from before the preview


def printing_fails(tmp_path: Path, db_file: Path, loaded: Services, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Slips go to a CUPS queue on a machine without CUPS: every print fails (the slip stays spooled)."""
    failing = load_settings(environ=environ(tmp_path, db_file, HALLTERM_PRINTING_BACKEND="cups",
                                            HALLTERM_PRINTING_CUPS_PRINTER="thermal80"))
    monkeypatch.setenv("PATH", str(tmp_path / "no-cups-here"))  # lp is not installed
    loaded.settings = failing
    return failing


async def test_a_failed_print_says_so_and_the_reprint_list_sends_it_again(
    tmp_path: Path, db_file: Path, loaded: Services, cards: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    desk_app: DeskAppFactory,
) -> None:
    failing = printing_fails(tmp_path, db_file, loaded, monkeypatch)
    appointment_id = queue.book_appointment(loaded, DESK, cards["valid"], TODAY, "10:30", "11:00")
    payload = signing.appointment_payload(loaded, appointment_id, TODAY, "10:30")
    app = desk_app(settings=failing)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await scan(pilot, payload)
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert "请联系管理员" in notice(app) and "Ctrl+R" in notice(app)
        assert "cups-client" not in notice(app)  # the technician's words go to the log (issue 11 point 9)
        assert app.screen.query_one("#notice").has_class("-error")

        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ReprintScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert "打印失败" in str(table.get_row_at(0)[2])
        loaded.settings = load_settings(environ=environ(tmp_path, db_file))  # switch to the spool
        await pilot.press("enter")
        await settle(pilot)
        assert "已保存：排队票 B" in str(app.screen.query_one("#rp-notice", Static).render())
        assert "已存入暂存目录" in str(table.get_row_at(0)[2]) and table.get_row_at(0)[3] == "2"
        await pilot.press("f")  # only the failed ones: none left
        await settle(pilot)
        assert table.row_count == 0
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)


async def test_ctrl_r_in_the_preview_opens_the_reprint_list_and_comes_back(
    tmp_path: Path, db_file: Path, loaded: Services, cards: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    desk_app: DeskAppFactory,
) -> None:
    failing = printing_fails(tmp_path, db_file, loaded, monkeypatch)
    appointment_id = queue.book_appointment(loaded, DESK, cards["valid"], TODAY, "10:30", "11:00")
    app = desk_app(settings=failing)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await scan(pilot, signing.appointment_payload(loaded, appointment_id, TODAY, "10:30"))
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("f10")  # prints, fails: the desk says so and points at Ctrl+R
        await settle(pilot)
        assert "Ctrl+R" in notice(app)
        await pilot.press("f10")  # the preview again, and from there the reprint list
        await settle(pilot)
        assert isinstance(app.screen, PrintPreviewScreen)
        shown = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert "补打" in shown
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ReprintScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1 and "打印失败" in str(table.get_row_at(0)[2])
        loaded.settings = load_settings(environ=environ(tmp_path, db_file))  # the printer is back (spool)
        await pilot.press("enter")
        await settle(pilot)
        assert "已存入暂存目录" in str(table.get_row_at(0)[2])
        await pilot.press("escape")  # back to the preview it was opened from
        await settle(pilot)
        assert isinstance(app.screen, PrintPreviewScreen)
        assert "预约签到" in preview_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
    assert [r.status for r in print_jobs.recent_slips(loaded)] == ["spooled"]


async def test_the_visit_slip_of_a_waiting_visitor_gives_the_real_reason(
    loaded: Services, cards: dict[str, str], clock: list[dt.datetime], desk_app: DeskAppFactory
) -> None:
    clock[0] = dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC)  # 07:30 in Anshan: rooms free, nobody on duty yet
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot, cards["valid"])
        await pilot.press("enter", "f10")  # tick the first item, open the case: it has to wait
        await settle(pilot)
        assert app.screen.last_case is not None and app.screen.last_case.status == "queued"
        assert "08:30 到岗" in app.screen.last_case.queue_reason  # what the routing panel shows staff
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, PrintPreviewScreen)
        shown = preview_text(app)
        assert "请稍候" in shown and "协调员均不在岗，预计 08:30 回岗" in shown
        assert "洽谈室或协调员暂满" not in shown  # the rooms are not full: the slip must not say so
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
    (printed,) = print_jobs.recent_slips(loaded)
    with loaded.db.read() as conn:
        from sqlalchemy import select

        from hallterm.storage.tables import slips

        content = conn.execute(select(slips.c.content).where(slips.c.id == printed.id)).scalar_one()
    assert content["waiting_reason"] == "协调员均不在岗，预计 08:30 回岗"  # a reprint renders it the same


async def test_after_a_conditional_decision_f10_f10_prints_the_commitment(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    """Issue 11, point 3: the message says 按 F10 打印承诺书, and F10 then F10 prints the 承诺书 — from the
    checklist, and from the desk after Esc (the preview opens on the notice named, not the visit slip)."""
    from hallterm.domain.checklist import MaterialKind
    from hallterm.tui.desk.checklist_screen import ChecklistScreen
    from hallterm.tui.widgets.choice import ChoiceScreen
    from tests.tui.test_checklist_screen import notice as checklist_notice
    from tests.tui.test_checklist_screen import open_checklist, tick_kinds

    app = desk_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_checklist(pilot, cards)
        await pilot.press("p")  # point 9 too: the special-procedure question cites no clause code
        assert isinstance(app.screen, ChoiceScreen) and "S6" not in app.screen.title_text
        await pilot.press("escape")
        await pilot.press("up", "n")  # point 5 too: on the item's heading N has no paper to note, and says so
        assert "请把光标移到一项材料上" in checklist_notice(app)
        await tick_kinds(pilot, screen, MaterialKind.CORE)
        await pilot.press("f")  # fees paid: only secondary papers missing, 容缺 possible
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")  # 愿意签署：容缺受理
        await settle(pilot)
        assert app.screen is screen and "按 F10 打印承诺书" in checklist_notice(app)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, PrintPreviewScreen)
        assert app.screen.selected.title.startswith("容缺受理承诺书")
        await pilot.press("f10")
        await settle(pilot)
        assert app.screen is screen
        printed = [r.title for r in print_jobs.recent_slips(loaded)]
        assert len(printed) == 1 and printed[0].startswith("容缺受理承诺书")
        assert "按 F10 打印容缺受理通知书" in checklist_notice(app)  # the applicant's copy is next

        await pilot.press("escape")  # back on the desk, F10 F10 prints the notice still owed
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and "容缺受理通知书" in notice(app)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, PrintPreviewScreen)
        assert app.screen.selected.title.startswith("容缺受理通知书")
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        printed = [r.title for r in print_jobs.recent_slips(loaded)]
        assert len(printed) == 2 and printed[0].startswith("容缺受理通知书")
        await pilot.press("f12", "escape")  # nothing owed any more: F10 opens on the visit slip again
        await settle(pilot)
        assert not isinstance(app.screen, ChecklistScreen)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, PrintPreviewScreen) and "引导单" in app.screen.selected.title
