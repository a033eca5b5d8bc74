"""The desk finds a card holder: Pilot-driven, on a real SQLite file (issue 2, point 8)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import events
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.widgets.scan_field import ScanField
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import scan, settle


def notice(app: DeskApp) -> str:
    return str(app.screen.query_one("#notice").render())


def panel(app: DeskApp) -> str:
    widget = app.screen.query_one(HolderPanel)
    if not widget.display:
        return ""
    return (
        "\n".join(line.text for line in widget.render_lines(widget.region.reset_offset)) if widget.region.area else ""
    )


async def test_scan_field_has_focus_at_start(desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.focused, ScanField)


async def test_valid_card_shows_the_holder(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, cards["valid"])
        check = app.screen.query_one(HolderPanel).check
        assert check is not None and check.ok
        shown = panel(app)
        assert "王喆" in shown
        assert "A类" in shown
        assert "可走绿色通道" in shown
        assert "2029-11-25" in shown  # validity end date
        assert "210*************" in shown  # the ID number is masked
        assert app.screen.query_one(ScanField).value == ""  # ready for the next card


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("expired", "过期"),
        ("expired_status", "过期"),
        ("revoked", "注销"),
        ("tier_e", "不在绿色通道服务范围"),
        ("future", "起生效"),
    ],
)
async def test_refused_cards_say_why_and_what_to_do(
    cards: dict[str, str], label: str, expected: str, desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, cards[label])
        check = app.screen.query_one(HolderPanel).check
        assert check is not None and not check.ok
        assert expected in check.message
        assert "综合受理窗口" in check.message  # what to do: refer to the ordinary windows
        assert expected in panel(app)
        assert app.screen.query_one(HolderPanel).has_class("-refused")


async def test_unknown_card_is_refused(loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    unknown = loaded.card_format.make("GD2024C12345")
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, unknown)
        assert "不在人才名册中" in panel(app)


async def test_mistyped_check_character_keeps_the_text_selected(desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "GD2022A000168")
        assert "校验位不对" in notice(app)
        field = app.screen.query_one(ScanField)
        assert field.value == "GD2022A000168"  # nothing typed is lost
        assert field.selected_text == "GD2022A000168"  # the next scan replaces it
        assert not app.screen.query_one(HolderPanel).display


async def test_next_scan_after_a_typo_replaces_it(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "GD2022A000168")
        await scan(pilot, cards["valid"])
        assert "王喆" in panel(app)


@pytest.mark.parametrize("suffix", ["enter", "ctrl+j", "tab"])
async def test_every_scanner_suffix_submits(cards: dict[str, str], suffix: str, desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, cards["valid"], suffix)
        assert "王喆" in panel(app)


async def test_lower_case_and_full_width_input_are_understood(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in cards["valid"].lower())
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, " " + full_width + " ")
        assert "王喆" in panel(app)


async def test_garbage_from_a_scanner_gets_a_message(desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "%%##@@!!")
        assert "无法识别" in notice(app)
        assert app.screen.query_one(ScanField).value == "%%##@@!!"


async def test_a_name_with_markup_is_shown_literally(cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, cards["markup"])
        assert "[b]郑[/b]" in panel(app)


async def test_each_scan_is_logged(loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, cards["valid"])
        await scan(pilot, cards["revoked"])
    with loaded.db.read() as conn:
        rows = conn.execute(
            select(events.c.card_no, events.c.details).where(events.c.kind == "card_scanned").order_by(events.c.id)
        ).all()
    assert [(r.card_no, r.details["verdict"]) for r in rows] == [(cards["valid"], "ok"), (cards["revoked"], "revoked")]


async def test_a_locked_database_keeps_the_scan_for_retry(
    tmp_path, cards: dict[str, str], loaded: Services, desk_session: StaffSession, db_file
) -> None:
    import sqlite3

    from hallterm.config import load_settings, sqlite_url

    impatient = load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file), "HALLTERM_DB_BUSY_TIMEOUT_MS": "100"})
    svc = Services.open(impatient, clock=loaded.clock)
    blocker = sqlite3.connect(db_file, isolation_level=None)
    app = DeskApp(impatient, services=svc, session=desk_session)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            blocker.execute("BEGIN IMMEDIATE")  # another terminal is writing
            await scan(pilot, cards["valid"])
            assert "占用" in notice(app) and "重试" in notice(app)
            assert app.screen.query_one(ScanField).value == cards["valid"]
            blocker.execute("ROLLBACK")
            await pilot.press("enter")  # the same text, submitted again
            await settle(pilot)
            assert "王喆" in panel(app)
    finally:
        blocker.close()
        svc.close()


async def test_an_over_long_paste_gets_a_message_not_silence(desk_app: DeskAppFactory) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.query_one(ScanField).value = "GD2022A000178" * 50  # a stuck key or a pasted document
        await pilot.press("enter")
        await settle(pilot)
        assert "输入过长" in notice(app)
