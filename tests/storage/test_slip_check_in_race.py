"""An appointment slip checks in the appointment as it is when it is checked in, on SQLite and PostgreSQL.

Two terminals on one database. The desk scans a visitor's slip; another terminal reschedules or cancels
the same appointment at the moment the desk has first read it. Checking the slip against the appointment
and checking in must be one write transaction with the row locked: the other terminal's change waits for
it (and is then refused, the visitor having checked in), never slips in between so that the visitor is
checked in to a slot the slip does not name, or to a cancelled appointment.

The moment is caught without timing: a hook on the desk's engine runs after the first statement that reads
the appointments table, starts the other terminal's change in a thread and waits until that change has
either finished or is seen waiting for the desk's lock (PostgreSQL: a backend waiting on a lock in
pg_stat_activity; SQLite: the other terminal, opened with no busy timeout, is told the database is locked
and keeps retrying, as a desk does). Before the fix the desk read the slip's appointment in a transaction
of its own and checked in in another, so the reschedule finished in between and the visitor was checked in
at 14:00 with a slip for 10:30.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from hallterm.domain.appointments import AppointmentError
from hallterm.domain.cards import ScanError
from hallterm.domain.queue import AppointmentStatus
from hallterm.services import appointments, signing
from hallterm.services.check_in import SlipScan, check_scan
from hallterm.services.context import Services
from hallterm.storage.engine import DatabaseUnavailable
from hallterm.storage.tickets import AppointmentRow, get_appointment
from tests.conftest import TODAY
from tests.sessions import DESK

SECRET = "slip-race-test-secret-0123456789abcdef"  # both terminals sign and verify with the hall's one key
WAIT_S = 60  # a guard against hanging, never a measurement: every wait below ends on an event


@dataclass
class OtherTerminal:
    """The other terminal's change, run in a thread: its result, its refusal, or what went wrong."""

    change: Callable[[], object]
    finished: threading.Event = field(default_factory=threading.Event)
    held_off: threading.Event = field(default_factory=threading.Event)  # told "locked" at least once
    refused: AppointmentError | None = None
    failed: BaseException | None = None
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        deadline = time.monotonic() + WAIT_S
        try:
            while True:
                try:
                    self.change()
                    return
                except DatabaseUnavailable:  # SQLite, no busy timeout: the desk's write lock is held
                    self.held_off.set()
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.005)  # and again, as the desk retries what the database refused
        except AppointmentError as exc:
            self.refused = exc
        except BaseException as exc:  # reported by join(), in the test's thread
            self.failed = exc
        finally:
            self.finished.set()

    def join(self) -> None:
        assert self.thread is not None and self.finished.wait(WAIT_S), "the other terminal never finished"
        self.thread.join()
        assert self.failed is None, repr(self.failed)


@pytest.fixture
def desk_and_other(any_hall: Services, db_url: str, backend: str,
                   services_factory: Callable[..., Services]) -> tuple[Services, Services]:
    """The desk, and another terminal on the same database (SQLite: told at once when the desk holds the lock)."""
    desk = services_factory(db_url, signing_secret=SECRET)
    other = services_factory(db_url, signing_secret=SECRET,
                             **({"db_busy_timeout_ms": "0"} if backend == "sqlite" else {}))
    return desk, other


@pytest.fixture
def observer(db_url: str, backend: str) -> Iterator[Callable[[], bool]]:
    """True when some connection to this database waits for a lock (PostgreSQL); SQLite says so itself."""
    if backend != "postgresql":
        yield lambda: False
        return
    engine = create_engine(db_url, poolclass=NullPool)

    def someone_waits() -> bool:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                          "AND wait_event_type = 'Lock'")).scalar_one())

    yield someone_waits
    engine.dispose()


def _after_first_read_of_appointments(desk: Services, other: OtherTerminal, waits: Callable[[], bool]) -> list[str]:
    """Run ``other`` the first time the desk has read the appointments table, until it is done or held off;
    the list returned then says which ("finished", or "held off" by the desk's lock)."""
    seen: list[str] = []

    @event.listens_for(desk.db.engine, "after_cursor_execute")
    def _hook(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if seen or "FROM appointments" not in statement:
            return
        other.start()
        deadline = time.monotonic() + WAIT_S
        while not (other.finished.is_set() or other.held_off.is_set() or waits()):
            assert time.monotonic() < deadline, "the other terminal neither finished nor waited for the desk"
            time.sleep(0.005)
        seen.append("finished" if other.finished.is_set() else "held off")

    return seen


def _booked_at_1030(desk: Services, cards_for: Callable[[Services], str]) -> tuple[int, str]:
    booked = appointments.book(desk, DESK, cards_for(desk), TODAY, "10:30")  # the clock: 10:00 that day
    return booked.id, signing.appointment_payload(desk, booked.id, TODAY, "10:30")


def _row(svc: Services, appointment_id: int) -> AppointmentRow:
    with svc.db.read() as conn:
        row = get_appointment(conn, appointment_id)
    assert row is not None
    return row


def test_a_reschedule_at_the_moment_of_the_scan_never_checks_in_another_slot(
        desk_and_other: tuple[Services, Services], observer: Callable[[], bool],
        cards_for: Callable[[Services], str]) -> None:
    desk, other_svc = desk_and_other
    appointment_id, slip = _booked_at_1030(desk, cards_for)
    other = OtherTerminal(lambda: appointments.reschedule(other_svc, DESK, appointment_id, TODAY, "14:00",
                                                          reason="来电改期"))
    seen = _after_first_read_of_appointments(desk, other, observer)
    try:
        scanned: SlipScan | ScanError = check_scan(desk, slip, session=DESK)  # type: ignore[assignment]
    except ScanError as exc:
        scanned = exc
    other.join()
    row = _row(desk, appointment_id)
    # Whatever the order, the slip and the appointment agree: checked in at the slip's 10:30, or moved to
    # 14:00 and the slip refused as outdated. Never checked in at 14:00 on a 10:30 slip.
    if row.status == AppointmentStatus.CHECKED_IN:
        assert row.slot_start == "10:30", f"checked in at {row.slot_start} with a slip for 10:30"
    # The desk had the appointment first and held it: the reschedule waited, and was refused after the check-in.
    assert seen == ["held off"]
    assert isinstance(scanned, SlipScan) and scanned.checked_in, scanned
    assert (row.status, row.slot_start) == (AppointmentStatus.CHECKED_IN, "10:30")
    assert other.refused is not None and "已签到，不能改期" in str(other.refused)


def test_a_cancel_at_the_moment_of_the_scan_waits_and_is_refused(
        desk_and_other: tuple[Services, Services], observer: Callable[[], bool],
        cards_for: Callable[[Services], str]) -> None:
    desk, other_svc = desk_and_other
    appointment_id, slip = _booked_at_1030(desk, cards_for)
    other = OtherTerminal(lambda: appointments.cancel(other_svc, DESK, appointment_id, reason="来电取消"))
    seen = _after_first_read_of_appointments(desk, other, observer)
    scanned = check_scan(desk, slip, session=DESK)
    other.join()
    row = _row(desk, appointment_id)
    assert seen == ["held off"]  # the cancel waited for the desk's check-in
    assert isinstance(scanned, SlipScan) and scanned.checked_in and scanned.ticket is not None
    assert row.status == AppointmentStatus.CHECKED_IN and row.ticket_id == scanned.ticket.id
    assert other.refused is not None and "已签到，不能取消" in str(other.refused)


def test_a_reschedule_committed_before_the_scan_refuses_the_slip(
        desk_and_other: tuple[Services, Services], cards_for: Callable[[Services], str]) -> None:
    desk, other_svc = desk_and_other
    appointment_id, slip = _booked_at_1030(desk, cards_for)
    appointments.reschedule(other_svc, DESK, appointment_id, TODAY, "14:00", reason="来电改期")
    with pytest.raises(ScanError, match=r"回执已过时：预约 \d{6} 已改到 今天 14:00"):
        check_scan(desk, slip, session=DESK)
    row = _row(desk, appointment_id)
    assert (row.status, row.slot_start, row.ticket_id) == (AppointmentStatus.BOOKED, "14:00", None)
