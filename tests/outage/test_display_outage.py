"""The display through a real server restart (issue 15 point 4): the PostgreSQL server under a running
display is stopped; the hall reads "连接中断，正在重试" with the last picture kept, and when the server
is back the display carries on by itself: a call made after the restart becomes the big number."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.config import load_settings
from hallterm.services import queue
from hallterm.services.context import Services
from hallterm.services.reference import load_reference
from hallterm.services.staff import set_pin, sign_in
from hallterm.tui.display.app import OUTAGE, BigNumber, DisplayApp
from tests.outage.conftest import PgCluster
from tests.tui.pilot_helpers import until

pytestmark = pytest.mark.postgres


async def test_the_display_rides_out_a_server_restart(pg_cluster: PgCluster, restartable_pg: str,
                                                      clock: list[dt.datetime]) -> None:
    settings = load_settings(environ={"HALLTERM_DB_URL": restartable_pg, "HALLTERM_QUEUE_DISPLAY_POLL_MS": "100",
                                      "HALLTERM_QUEUE_SPEECH": "false"})
    desk = Services.open(settings, clock=lambda: clock[0])
    shown = Services.open(settings, upgrade=False, clock=lambda: clock[0])
    try:
        load_reference(desk)
        set_pin(desk, "S1401", "2468")
        session = sign_in(desk, "S1401", "2468")
        queue.issue_walkin(desk)
        queue.issue_walkin(desk)
        first = queue.call_next(desk, session, "G1")
        app = DisplayApp(settings, services=shown)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.query_one(BigNumber).text == "A001", "the first call")
            banner = app.query_one("#banner")
            pg_cluster.stop()
            await until(pilot, lambda: banner.has_class("-shown"), "the outage banner")
            assert OUTAGE in str(banner.render())
            assert app.query_one(BigNumber).text == "A001"  # the last picture stays for the hall
            pg_cluster.start()
            queue.finish(desk, session, "G1", first.id)  # the desk's pool replaces the connections the restart cut
            queue.call_next(desk, session, "G1")
            await until(pilot, lambda: app.query_one(BigNumber).text == "A002", "the call after the restart")
            assert not banner.has_class("-shown")
    finally:
        shown.close()
        desk.close()
