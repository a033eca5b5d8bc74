"""The desk while another process holds the SQLite write lock past the busy timeout (issue 15 point 4).

A real second process takes the write lock (``BEGIN IMMEDIATE``, as a terminal stuck in a long write
would) and keeps it until the test lets go. Reads still work in WAL mode; every write waits
``busy_timeout_ms`` and gives up. The desk says so in one line, keeps what was typed, probes every
``retry_ms`` and, once the lock is free, carries on by itself: a scan waiting in the field (a scan
writes its ``card_scanned`` event) is looked up once, a case form sent while locked opens exactly one
case.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from textual.widgets import Static

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import cases, events
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.case_form import CaseFormScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.widgets.scan_field import ScanField
from tests.tui.pilot_helpers import settle, type_text, until

HOLDER = Path(__file__).with_name("lock_holder.py")
LOCKED = "数据库正被其他终端占用（已锁定）"


@pytest.fixture
def settings(db_file: Path) -> Settings:
    """Impatient: a write gives up after 100 ms of waiting for the lock; the desk probes every 200 ms."""
    return load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file), "HALLTERM_DB_BUSY_TIMEOUT_MS": "100",
                                  "HALLTERM_DB_RETRY_MS": "200"})


class LockHolder:
    """Another process holding the database's write lock until ``release()``."""

    def __init__(self, db_file: Path, folder: Path) -> None:
        self.db_file = db_file
        self.folder = folder
        self.rounds = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def take(self) -> None:
        self.rounds += 1
        ready = self.folder / f"ready{self.rounds}"
        self.release_flag = self.folder / f"release{self.rounds}"
        self.proc = subprocess.Popen([sys.executable, str(HOLDER), str(self.db_file), str(ready),
                                      str(self.release_flag)])
        for _ in range(600):  # the lock is held once the flag exists
            if ready.exists() or self.proc.poll() is not None:
                break
            time.sleep(0.05)
        assert ready.exists(), f"the lock holder did not start (exit {self.proc.poll()})"

    def release(self) -> None:
        assert self.proc is not None
        self.release_flag.touch()
        assert self.proc.wait(timeout=30) == 0
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.release_flag.touch()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def lock(db_file: Path, tmp_path: Path) -> Iterator[LockHolder]:
    holder = LockHolder(db_file, tmp_path)
    yield holder
    holder.stop()


def _notice(app: DeskApp) -> str:
    return str(app.screen.query_one("#notice", Static).render())


def _count(svc: Services, table: object, *where: object) -> int:
    with svc.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())  # type: ignore[arg-type]


async def test_the_desk_rides_out_a_write_lock_held_by_another_process(
        loaded: Services, desk_session: StaffSession, cards: dict[str, str], settings: Settings,
        lock: LockHolder) -> None:
    svc = loaded
    card_no = cards["valid"]
    scanned = events.c.kind == "card_scanned"
    app = DeskApp(settings, services=svc, session=desk_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)

        # A scan writes its event: while locked it says so in one line, keeps the card number, and
        # looks it up by itself once the lock is released — once.
        lock.take()
        await type_text(pilot, card_no, "enter")
        await until(pilot, lambda: LOCKED in _notice(app), "the lock on the message line")
        assert app.screen.query_one(ScanField).value == card_no
        assert app.outage.down and app.outage.reason.startswith(LOCKED)
        assert app.screen.query_one(HolderPanel).check is None
        assert _count(svc, events, scanned) == 0  # reads still work while another process writes (WAL)
        lock.release()
        await until(pilot, lambda: app.screen.query_one(HolderPanel).check is not None, "the holder looked up")
        await settle(pilot)
        assert not app.outage.down
        assert app.screen.query_one(HolderPanel).check.ok
        assert _count(svc, events, scanned) == 1

        # A case form sent while locked is parked, and sent once when the lock is released.
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, CaseFormScreen)
        await pilot.press("enter")  # tick the highlighted item
        lock.take()
        await pilot.press("f10")
        await settle(pilot)
        await until(pilot, lambda: "数据库恢复后自动提交" in _notice(app), "the form parked")
        assert LOCKED in _notice(app)
        assert app.outage.down and len(app.outage.parked) == 1
        assert app.screen.last_case is None
        assert _count(svc, cases) == 0
        # Several probes fail while the lock is held (each waits 100 ms every 200 ms): still nothing sent.
        await pilot.pause(0.8)
        assert _count(svc, cases) == 0 and app.outage.down
        lock.release()
        await until(pilot, lambda: app.screen.last_case is not None, "the case opened after the lock")
        await settle(pilot)
        assert "已开办件" in _notice(app)
        assert not app.outage.down and app.outage.parked == []
        assert _count(svc, cases) == 1
        assert _count(svc, events, events.c.kind == "case_opened") == 1
