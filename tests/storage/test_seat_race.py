"""Two terminals giving out lounge seats at the same moment (issue 17 point 5, found by ``hallterm
simulate`` with 50 desks on PostgreSQL): one has read the lounges and seen a seat free; the other seats
the head of the queue there and commits; the first must not then seat the same visitor again. Seats
are given out one transaction at a time (``storage.cases.lock_seats``), so the second waits.

The moment is caught without timing: a hook pauses the first terminal right after it read the lounges,
and the second runs until it has either finished or is seen waiting for a lock in pg_stat_activity.
SQLite lets one writer in at a time, so the race cannot happen there: PostgreSQL only."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from hallterm.domain.cases import CaseDraft
from hallterm.domain.events import EventKind
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services import cases as case_service
from hallterm.services.context import Services
from hallterm.services.staff import set_pin, sign_in
from hallterm.storage import cases as case_store
from hallterm.storage.tables import events, lounges
from tests.storage.conftest import settings_for

WAIT_S = 60  # a guard against hanging; every wait ends on an event


def test_two_terminals_never_seat_one_visitor_twice(any_hall: Services, cards_for, backend: str,
                                                    clock: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite's single writer cannot interleave two seatings")
    set_pin(any_hall, "S1401", "2468")
    desk = sign_in(any_hall, "S1401", "2468")
    with any_hall.db.write() as conn:
        conn.execute(update(lounges).values(capacity=0))  # every lounge full: the visitor queues
    draft = CaseDraft(cards_for(any_hall), CaseKind.ENTERPRISE, ("QY-WZSL",), EnterpriseKind.FOREIGN, "鞍山测试公司")
    queued = case_service.open_case(any_hall, desk, draft)
    assert queued.status == "queued"
    with any_hall.db.write() as conn:
        conn.execute(update(lounges).where(lounges.c.code == "L1").values(capacity=1))  # one seat frees

    other = Services.open(settings_for(any_hall.settings.db.url), upgrade=False, clock=any_hall.clock)
    first_read, go_on = threading.Event(), threading.Event()
    original = case_store.lounge_loads
    first: list[threading.Thread] = []

    def pause_the_first_terminal(conn: Any) -> Any:
        loads = original(conn)
        if first and threading.current_thread() is first[0] and not first_read.is_set():
            first_read.set()  # it has seen the free seat
            assert go_on.wait(WAIT_S)
        return loads

    monkeypatch.setattr(case_store, "lounge_loads", pause_the_first_terminal)
    failures: list[BaseException] = []

    def route(svc: Services) -> None:
        try:
            case_service._route_waiting(svc, "S1401")
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    first.append(threading.Thread(target=route, args=(any_hall,), daemon=True))
    second = threading.Thread(target=route, args=(other,), daemon=True)
    try:
        first[0].start()
        assert first_read.wait(WAIT_S)
        second.start()
        deadline = time.monotonic() + WAIT_S
        while second.is_alive() and not _waits_for_a_lock(any_hall) and time.monotonic() < deadline:
            time.sleep(0.01)
        go_on.set()
        first[0].join(WAIT_S)
        second.join(WAIT_S)
    finally:
        go_on.set()
        other.close()
    assert not failures
    with any_hall.db.read() as conn:
        routed = conn.execute(select(func.count()).where(events.c.case_id == queued.id,
                                                         events.c.kind == EventKind.CASE_ROUTED.value)).scalar_one()
    assert routed == 1
    assert case_service.get_case(any_hall, queued.id).lounge_code == "L1"


def _waits_for_a_lock(svc: Services) -> bool:
    with svc.db.read() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND wait_event_type = 'Lock'")).scalar_one() > 0
