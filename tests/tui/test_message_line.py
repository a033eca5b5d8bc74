"""The one message line: a refused use case shows the refusal's own Chinese line, a locked database
one line saying so, each in the error style every screen shares."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from hallterm.config import Settings
from hallterm.services.context import Services
from hallterm.services.staff import set_pin, wrong_id_or_pin
from hallterm.tui.desk.sign_in import SignInScreen
from hallterm.tui.widgets.message_line import Level, MessageLine
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import settle


async def sign_in(pilot, staff_id: str, pin: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*staff_id, "enter", *pin, "enter")
    await settle(pilot)


async def test_a_refused_sign_in_shows_the_refusal_on_the_message_line(loaded: Services,
                                                                     desk_app: DeskAppFactory) -> None:
    set_pin(loaded, "S1401", "2468")
    app = desk_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "S1401", "1111")
        line = app.screen.query_one(MessageLine)
        assert isinstance(app.screen, SignInScreen)
        assert line.text == wrong_id_or_pin(5)  # the refusal's own words, nothing added
        assert line.level is Level.ERROR and line.has_class("-error")
        assert str(line.render()) == line.text


async def test_a_locked_database_says_so_on_the_message_line(loaded: Services, settings: Settings,
                                                            db_file: Path, desk_app: DeskAppFactory) -> None:
    set_pin(loaded, "S1401", "2468")
    quick = dataclasses.replace(settings, db=dataclasses.replace(settings.db, busy_timeout_ms=50))
    svc = Services.open(quick, clock=loaded.clock)
    other = sqlite3.connect(db_file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another terminal is in the middle of a write
    try:
        app = desk_app(None, settings=quick, services=svc)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot, "S1401", "2468")
            line = app.screen.query_one(MessageLine)
            assert isinstance(app.screen, SignInScreen)
            assert "已锁定" in line.text and "操作失败" not in line.text
            assert line.level is Level.ERROR
            other.rollback()
            await pilot.press(*"2468", "enter")  # the PIN field was cleared for retyping
            await settle(pilot)
            assert not isinstance(app.screen, SignInScreen)
    finally:
        other.close()
        svc.close()
