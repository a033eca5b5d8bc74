"""Sign-in: staff ID and PIN, lock-out after five wrong PINs, and a desk that connects by itself."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from textual.widgets import Input, Static

from hallterm.config import load_settings, sqlite_url
from hallterm.services.context import Services
from hallterm.services.staff import set_pin, wrong_id_or_pin
from hallterm.storage.tables import events, items, staff
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.coordinator import CoordinatorScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.desk.sign_in import SignInScreen
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import settle


def message(app: DeskApp) -> str:
    return str(app.screen.query_one("#sign-in-message", Static).render())


async def sign_in(pilot, staff_id: str, pin: str) -> None:
    await pilot.press(*staff_id, "enter", *pin, "enter")
    await settle(pilot)


async def test_desk_staff_sign_in_lands_on_the_scan_screen(loaded: Services, desk_app: DeskAppFactory) -> None:
    set_pin(loaded, "S1401", "2468")
    app = desk_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        assert app.screen.query_one("#pin", Input).password  # the PIN is never shown
        await sign_in(pilot, "s1401", "2468")  # a badge or a person may type lower case
        assert isinstance(app.screen, DeskScreen)
        assert app.session is not None and app.session.role == "desk"
        assert "林晓雯" in app.screen.sub_title


async def test_a_coordinator_lands_on_the_coordinator_view(loaded: Services, desk_app: DeskAppFactory) -> None:
    set_pin(loaded, "S1001", "1357")
    app = desk_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "S1001", "1357")
        assert isinstance(app.screen, CoordinatorScreen)


async def test_wrong_pin_says_so_without_telling_a_guesser_the_id_exists_and_keeps_the_id(
    loaded: Services, desk_app: DeskAppFactory
) -> None:
    set_pin(loaded, "S1401", "2468")
    app = desk_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "S1401", "1111")
        assert isinstance(app.screen, SignInScreen)
        assert message(app) == wrong_id_or_pin(5)  # issue 16 point 8: the same words as an unknown staff ID
        assert app.screen.query_one("#staff-id", Input).value == "S1401"
        assert app.screen.query_one("#pin", Input).value == ""
        assert app.screen.focused is app.screen.query_one("#pin", Input)


async def test_letters_in_the_pin_field_are_explained_and_not_counted(
    loaded: Services, desk_app: DeskAppFactory
) -> None:
    set_pin(loaded, "S1401", "2468")
    app = desk_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "S1401", "abcd")
        for _ in range(5):  # six in all: more than the five that lock a real guesser out
            assert app.screen.focused is app.screen.query_one("#pin", Input)
            await pilot.press(*"abcd", "enter")
            await settle(pilot)
        assert "4–8 位数字" in message(app) and "不计入" in message(app)
        await pilot.press(*"1111", "enter")
        await settle(pilot)
        assert message(app) == wrong_id_or_pin(5)  # the first wrong real PIN is the first that counts
    with loaded.db.read() as conn:
        failed = conn.execute(select(staff.c.failed_pins).where(staff.c.staff_id == "S1401")).scalar_one()
    assert failed == 1


async def test_five_wrong_pins_lock_the_account_for_fifteen_minutes(
    loaded: Services, clock: list[dt.datetime], desk_app: DeskAppFactory
) -> None:
    set_pin(loaded, "S1401", "2468")
    app = desk_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "S1401", "1111")
        for _ in range(4):
            await pilot.press(*"1111", "enter")
            await settle(pilot)
        assert "已锁定 15 分钟" in message(app)
        await pilot.press(*"2468", "enter")  # even the right PIN is refused while locked
        await settle(pilot)
        assert "锁定" in message(app) and isinstance(app.screen, SignInScreen)
        clock[0] += dt.timedelta(minutes=16)
        await pilot.press(*"2468", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
    with loaded.db.read() as conn:
        kinds = list(conn.execute(select(events.c.kind).where(events.c.staff_id == "S1401")
                                  .order_by(events.c.id)).scalars())
    assert kinds.count("sign_in_refused") == 4
    assert "account_locked" in kinds and kinds[-1] == "signed_in"


async def test_an_unknown_staff_id_reads_as_a_wrong_pin_and_a_missing_pin_is_explained(
    desk_app: DeskAppFactory
) -> None:
    app = desk_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "S9999", "1234")
        assert message(app) == wrong_id_or_pin(5) and "S9999" not in message(app)  # issue 16 point 8
        app.screen.query_one("#staff-id", Input).value = "S1402"
        await pilot.press(*"1234", "enter")
        await settle(pilot)
        assert "尚未设置 PIN" in message(app) and "hallterm staff set-pin S1402" in message(app)


async def test_sign_out_returns_to_sign_in(loaded: Services, desk_app: DeskAppFactory) -> None:
    set_pin(loaded, "S1401", "2468")
    app = desk_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "S1401", "2468")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.session is None


async def test_typing_before_the_database_is_open_is_kept(db_file, loaded: Services, cards: dict[str, str]) -> None:
    """The desk opens its own database in a worker; sign-in and a scan typed meanwhile are not lost."""
    set_pin(loaded, "S1401", "2468")
    app = DeskApp(load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file)}))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"S1401", "enter", *"2468", "enter")
        for _ in range(3):
            await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        await pilot.press(*cards["valid"], "enter")
        await settle(pilot)
        check = app.screen.query_one(HolderPanel).check
        assert check is not None and check.holder is not None and check.holder.name == "王喆"


async def test_first_run_creates_and_fills_a_new_database(tmp_path) -> None:
    path = tmp_path / "new" / "hall.sqlite3"
    app = DeskApp(load_settings(environ={"HALLTERM_DB_URL": sqlite_url(path)}))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert "首次运行" in message(app)
        assert app.services is not None
        with app.services.db.read() as conn:
            assert conn.execute(select(func.count()).select_from(items)).scalar_one() >= 10
    assert path.exists()


async def test_the_desk_records_the_rule_settings_it_starts_with(tmp_path) -> None:
    """Issue 15 point 6: the first start on a database records the rule settings in force (the baseline),
    by the OS user; the next start with the same settings records nothing."""
    import getpass

    from hallterm.domain.events import EventKind

    settings = load_settings(environ={"HALLTERM_DB_URL": sqlite_url(tmp_path / "hall.sqlite3")})
    for _start in range(2):
        app = DeskApp(settings)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await settle(pilot)
            assert app.services is not None
            with app.services.db.read() as conn:
                recorded = conn.execute(select(events.c.staff_id, events.c.details)
                                        .where(events.c.kind == EventKind.RULE_SETTINGS_CHANGED)).all()
    assert len(recorded) == 1
    staff_id, details = recorded[0]
    assert staff_id is None and details["by"] == getpass.getuser() and details["program"] == "hallterm desk"
    assert details["baseline"] is True and details["values"]["auth.lockout_minutes"] == 15


async def test_an_unreachable_database_is_reported_and_input_kept(tmp_path) -> None:
    settings = load_settings(environ={"HALLTERM_DB_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    app = DeskApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert "无法连接数据库" in message(app)
        assert "F5" in message(app)
        await pilot.press(*"S1401", "enter", *"1234", "enter")
        await pilot.pause()
        assert "连接后自动登录" in message(app)
        assert app.screen.query_one("#staff-id", Input).value == "S1401"
        assert app.services is None


async def test_the_demo_shows_its_logins_and_sample_cards_on_screen(
    loaded: Services, desk_app: DeskAppFactory
) -> None:
    set_pin(loaded, "S1401", "2468")
    note = "演示数据\n登录工号：前台 S1401；演示 PIN 均为 2468\n可试的卡号：有效 GD2024A000017"
    app = desk_app(None, demo_note=note)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "前台 S1401" in str(app.screen.query_one("#demo-note", Static).render())
        await sign_in(pilot, "S1401", "2468")
        assert isinstance(app.screen, DeskScreen)
        assert "GD2024A000017" in str(app.screen.query_one("#notice", Static).render())
    plain = desk_app(None)
    async with plain.run_test(size=(100, 30)):
        assert not plain.screen.query("#demo-note")  # a real hall's desk has no demo box


async def test_at_80_by_24_the_demo_note_is_whole_above_the_footer(desk_app: DeskAppFactory) -> None:
    """The staff IDs and sample cards were below the fold on a counter's 80×24 terminal (issue 11)."""
    note = ("演示数据\n登录工号：前台 S1401，协调员 S1001，督查 S1601，延时值班 S1501；演示 PIN 均为 1234\n"
            "可试的卡号：E类（非绿色通道） GD2025E000021，有效A类 GD2025A00003V，有效B类 GD2023B000017，"
            "有效C类 GD2022C000017，有效D类 GD2022D00002F，注销 GD2023A00003U，过期 GD2025E000013")  # as `demo` says
    app = desk_app(None, demo_note=note)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#demo-note", Static).region
        footer = app.screen.query_one("Footer").region
        assert box.height >= note.count("\n") + 3 and box.bottom <= footer.y, (box, footer)
        assert app.screen.scroll_offset.y == 0 and not app.screen.show_vertical_scrollbar


async def test_a_pin_typed_in_the_staff_id_field_is_neither_shown_nor_kept(
    loaded: Services, desk_app: DeskAppFactory
) -> None:
    """Issue 16 point 3: the PIN typed in the wrong field is not read back to whoever stands behind the clerk,
    and the append-only events log records only that something other than a staff ID was typed."""
    set_pin(loaded, "S1401", "2468")
    app = desk_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "975310", "2468")
        assert isinstance(app.screen, SignInScreen)
        assert "975310" not in message(app) and "不是工号" in message(app)
    with loaded.db.read() as conn:
        details = list(conn.execute(select(events.c.details).where(events.c.kind == "sign_in_refused")).scalars())
    assert details == [{"typed": "not_a_staff_id", "reason": "unknown"}]
