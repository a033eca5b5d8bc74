"""A real outage on PostgreSQL: the display's database stops taking connections and its connections
are cut; the display shows "连接中断，正在重试" and recovers by itself when the server is back
(issue 5, point 3). Skipped without HALLTERM_TEST_PG_URL, like the storage tests."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from hallterm.config import load_settings
from hallterm.services import queue
from hallterm.services.context import Services
from hallterm.services.reference import load_reference
from hallterm.services.staff import set_pin, sign_in
from hallterm.tui.display.app import OUTAGE, BigNumber, DisplayApp
from tests.sessions import DESK
from tests.storage.conftest import PgServer, pg_server, pg_url  # noqa: F401 - fixtures
from tests.tui.pilot_helpers import until

pytestmark = pytest.mark.postgres


def cut_off(server: PgServer, name: str, allow: bool) -> None:
    with server.admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allow else "false"}'))
        if not allow:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})


async def test_the_display_rides_out_a_database_outage(pg_server: PgServer, pg_url: str,  # noqa: F811
                                                       clock: list[dt.datetime]) -> None:
    settings = load_settings(environ={"HALLTERM_DB_URL": pg_url, "HALLTERM_QUEUE_DISPLAY_POLL_MS": "100",
                                      "HALLTERM_QUEUE_SPEECH": "false"})
    desk = Services.open(settings, clock=lambda: clock[0])
    shown = Services.open(settings, upgrade=False, clock=lambda: clock[0])
    name = make_url(pg_url).database
    assert name
    try:
        load_reference(desk)
        set_pin(desk, "S1401", "2468")
        session = sign_in(desk, "S1401", "2468")
        queue.issue_walkin(desk, DESK)
        app = DisplayApp(settings, services=shown)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.snapshot is not None, "its first picture")
            banner = app.query_one("#banner")
            cut_off(pg_server, name, allow=False)
            await until(pilot, lambda: banner.has_class("-shown"), "the outage banner")
            assert OUTAGE in str(banner.render())
            cut_off(pg_server, name, allow=True)
            queue.call_next(desk, session, "G1")
            await until(pilot, lambda: app.query_one(BigNumber).text == "A001", "the call after the outage")
            assert not banner.has_class("-shown")
    finally:
        cut_off(pg_server, name, allow=True)
        shown.close()
        desk.close()


async def test_a_call_is_pushed_by_notify_and_a_dropped_listener_is_made_good(
        pg_server: PgServer, pg_url: str, clock: list[dt.datetime]) -> None:  # noqa: F811
    """Issue 17 point 2 on PostgreSQL: the safety poll is an hour away, so the call comes by NOTIFY; the
    listening connection is then cut, a call made meanwhile is caught when the watcher is back."""
    settings = load_settings(environ={"HALLTERM_DB_URL": pg_url, "HALLTERM_QUEUE_DISPLAY_POLL_MS": "3600000",
                                      "HALLTERM_QUEUE_DISPLAY_HOLD_MS": "0", "HALLTERM_QUEUE_SPEECH": "false"})
    desk = Services.open(settings, clock=lambda: clock[0])
    shown = Services.open(settings, upgrade=False, clock=lambda: clock[0])
    name = make_url(pg_url).database
    try:
        load_reference(desk)
        set_pin(desk, "S1401", "2468")
        session = sign_in(desk, "S1401", "2468")
        queue.issue_walkin(desk, DESK)
        queue.issue_walkin(desk, DESK)
        app = DisplayApp(settings, services=shown)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.snapshot is not None, "its first picture")
            await until(pilot, lambda: listeners(pg_server, name) == 1, "the display listening")
            queue.call_next(desk, session, "G1")
            await until(pilot, lambda: app.query_one(BigNumber).text == "A001", "the call, by NOTIFY")
            with pg_server.admin.connect() as conn:  # the listening connection drops
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :name AND query LIKE 'LISTEN%'"), {"name": name})
            queue.call_next(desk, session, "G2")  # its NOTIFY may reach no one
            await until(pilot, lambda: app.query_one(BigNumber).text == "A002", "the call made while it was cut")
            assert app.turns == ["A001", "A002"]
    finally:
        shown.close()
        desk.close()


def listeners(server: PgServer, name: str | None) -> int:
    with server.admin.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name "
                                     "AND query LIKE 'LISTEN%'"), {"name": name}).scalar_one())
