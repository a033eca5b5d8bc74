"""A queued case's view read while another terminal routes it (issue 17 point 5, found by ``hallterm
simulate`` with 50 desks on PostgreSQL): the view reads the case, then the queue; PostgreSQL reads each
statement's committed state, so the case may have left the queue in between. The view then shows the
case as it is now, never fails with "not in list"."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, update
from sqlalchemy.pool import NullPool

from hallterm.domain.cases import CaseDraft
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services.cases import get_case, open_case
from hallterm.services.context import Services
from hallterm.services.staff import set_pin, sign_in
from hallterm.storage import cases as case_store
from hallterm.storage.tables import cases, lounges


def test_a_case_routed_between_the_views_two_reads_is_shown_routed(any_hall: Services, cards_for, backend: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    set_pin(any_hall, "S1401", "2468")
    session = sign_in(any_hall, "S1401", "2468")
    with any_hall.db.write() as conn:
        conn.execute(update(lounges).values(capacity=0))  # every lounge full: the case queues
    draft = CaseDraft(cards_for(any_hall), CaseKind.ENTERPRISE, ("QY-WZSL",), EnterpriseKind.FOREIGN, "鞍山测试公司")
    queued = open_case(any_hall, session, draft)
    assert queued.status == "queued"

    other_terminal = create_engine(any_hall.db.url, poolclass=NullPool)
    original = case_store.queued_case_ids
    routed: list[bool] = []

    def route_then_read(conn: Any) -> list[int]:
        if not routed:  # the other terminal seats the visitor, and commits, between the two statements
            with other_terminal.begin() as other:
                other.execute(update(cases).where(cases.c.id == queued.id).values(status="waiting", lounge_code="L1"))
            routed.append(True)
        return original(conn)

    monkeypatch.setattr(case_store, "queued_case_ids", route_then_read)
    try:
        view = get_case(any_hall, queued.id)
    finally:
        other_terminal.dispose()
    assert routed and view is not None
    if backend == "postgresql":  # each statement sees what was committed before it: the case is routed now
        assert (view.status, view.lounge_code, view.queue_position) == ("waiting", "L1", None)
    else:  # SQLite: the read transaction keeps the state of its first statement, consistently
        assert (view.status, view.queue_position) == ("queued", 1)


def test_each_terminal_keeps_the_connections_its_settings_say(pg_url: str) -> None:
    """Issue 17 point 5: fifty terminals on one server keep one connection each by default, named so that
    pg_stat_activity tells hallterm's from others'."""
    from sqlalchemy import text

    from tests.storage.conftest import settings_for

    svc = Services.open(settings_for(pg_url, db_pool_size="2", db_max_overflow="1"), upgrade=False)
    try:
        with svc.db.read() as conn:
            name = conn.execute(text("SELECT current_setting('application_name')")).scalar_one()
        pool = svc.db.engine.pool
        assert name == "hallterm"
        assert (pool.size(), pool._max_overflow) == (2, 1)  # type: ignore[attr-defined]
    finally:
        svc.close()
