"""The desk through a real database outage (issue 15 point 4): the PostgreSQL server under a running
desk is stopped and started again. The desk says so in one line, keeps what was typed, probes by
itself and carries on when the server is back, without a restart: a scan waiting in the field is
looked up, a case form is sent once (one case, whatever the retries), checklist ticks are saved."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from textual.widgets import Static

from hallterm.config import load_settings
from hallterm.services.context import Services
from hallterm.services.reference import load_reference
from hallterm.services.staff import set_pin, sign_in
from hallterm.storage.tables import cases, material_checks
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.case_form import CaseFormScreen
from hallterm.tui.desk.checklist_screen import ChecklistScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.widgets.message_line import MessageLine
from hallterm.tui.widgets.scan_field import ScanField
from tests.outage.conftest import PgCluster
from tests.storage.conftest import cards_for  # noqa: F401 - fixture
from tests.tui.pilot_helpers import settle, type_text, until

pytestmark = pytest.mark.postgres


def _notice(app: DeskApp) -> str:
    return str(app.screen.query_one("#notice", Static).render())


def _received(svc: Services) -> int:
    with svc.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(material_checks)
                                .where(material_checks.c.received.is_(True))).scalar_one())


def _case_count(svc: Services) -> int:
    with svc.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(cases)).scalar_one())


async def test_the_desk_rides_out_a_server_restart(pg_cluster: PgCluster, restartable_pg: str,
                                                   clock: list[dt.datetime], cards_for) -> None:  # noqa: F811
    settings = load_settings(environ={"HALLTERM_DB_URL": restartable_pg, "HALLTERM_DB_RETRY_MS": "200"})
    svc = Services.open(settings, clock=lambda: clock[0])
    try:
        load_reference(svc)
        set_pin(svc, "S1401", "2468")
        session = sign_in(svc, "S1401", "2468")
        card_no = cards_for(svc)
        app = DeskApp(settings, services=svc, session=session)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, DeskScreen)

            # A scan while the server is down: one line, the card number kept, the app probing.
            pg_cluster.stop()
            await type_text(pilot, card_no, "enter")
            await until(pilot, lambda: "无法连接数据库" in _notice(app), "the outage on the message line")
            assert app.screen.query_one(ScanField).value == card_no
            assert app.outage.down
            assert any("正在自动重试" in str(n.message) for n in app._notifications)

            # Back: the waiting scan is looked up without a key press.
            pg_cluster.start()
            await until(pilot, lambda: app.screen.query_one(HolderPanel).check is not None, "the holder looked up")
            assert not app.outage.down
            assert app.screen.query_one(HolderPanel).check.ok

            # A case form sent while the server is down waits, and is sent once when it is back.
            await pilot.press("f3")
            await settle(pilot)
            assert isinstance(app.screen, CaseFormScreen)
            await pilot.press("enter")  # tick the highlighted item
            pg_cluster.stop()
            await pilot.press("f10")
            await settle(pilot)
            await until(pilot, lambda: "数据库恢复后自动提交" in _notice(app), "the form parked")
            assert app.screen.last_case is None
            pg_cluster.start()
            await until(pilot, lambda: app.screen.last_case is not None, "the case opened after the outage")
            await settle(pilot)
            assert "已开办件" in _notice(app)
            assert _case_count(svc) == 1

            # A checklist tick made while the server is down is saved when it is back, once.
            await pilot.press("f12")
            await settle(pilot)
            checklist = app.screen
            assert isinstance(checklist, ChecklistScreen) and checklist.sheet is not None
            await pilot.press("down")  # the item's first material
            pg_cluster.stop()
            await pilot.press("space")
            line = checklist.query_one(MessageLine)
            await until(pilot, lambda: "数据库恢复后自动保存" in line.text, "the tick parked")
            pg_cluster.start()
            await until(pilot, lambda: _received(svc) == 1, "the tick saved after the outage")
            await settle(pilot)
            assert not app.outage.down
    finally:
        svc.close()
