"""Tickets under load, with real processes (issue 5, points 1, 2 and 5), on SQLite and PostgreSQL.

- 8 processes issue 250 tickets each at once: no number is given twice and none is skipped.
- 4 counters call next at once until the queue is empty: no ticket is called by two counters.

Each process is a terminal of its own (its own interpreter, engine and connections); they start
together on a file flag so that the work really overlaps.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from sqlalchemy import insert, select

from hallterm.services import queue
from hallterm.services.context import Services
from hallterm.services.reference import load_reference
from hallterm.services.staff import set_pin
from hallterm.storage.tables import counters, events, tickets
from tests.storage.conftest import run_together

ISSUERS = 8
# Issue 5 point 1 on both databases; `hallterm bench` runs the full 8 × 2,000. Here 250 each: the 8
# processes still issue at the same moments, ~2,000 tickets on one counter row, so a duplicate or a gap
# would show as it did at 1,000 each (37 s on SQLite and 21 s on PostgreSQL of the suite's time).
TICKETS_EACH = 250
CALLERS = 4
TICKETS_TO_CALL = 80

ISSUER = """
import pathlib, sys, time
from hallterm.config import load_settings
from hallterm.services.context import Services
from hallterm.services.queue import issue_walkin
ready, go = map(pathlib.Path, sys.argv[1:3])
count = int(sys.argv[3])
svc = Services.open(load_settings(), upgrade=False)
issue_walkin(svc, count_ahead=False)  # connect and warm up before the start line
ready.touch()
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.002)
print("\\n".join(issue_walkin(svc, count_ahead=False).number for _ in range(count - 1)))
"""

CALLER = """
import pathlib, sys, time
from hallterm.config import load_settings
from hallterm.domain.queue import QueueError
from hallterm.services.context import Services
from hallterm.services.queue import call_next, finish
from hallterm.services.staff import sign_in
ready, go = map(pathlib.Path, sys.argv[1:3])
counter = sys.argv[3]
svc = Services.open(load_settings(), upgrade=False)
session = sign_in(svc, "S1401", "2468")
ready.touch()
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.002)
while True:
    try:
        ticket = call_next(svc, session, counter)
    except QueueError as exc:
        if "暂无" in str(exc):
            break
        continue  # "other counters are calling at the same moment": press again
    print(ticket.number, flush=True)
    finish(svc, session, counter, ticket.id)
"""



def _no_commit_flush(svc: Services) -> None:
    """Commits on this throw-away database return before their WAL record reaches the disk.

    Locking and visibility are unchanged (the counter row stays locked until each commit), so what
    the test checks, no duplicate and no gap, is as exposed as before; only durability across a
    server crash is given up, which no test here can check anyway. Each ticket waits for the one
    before it to commit, so the flush was most of the 50 s the 16,000 tickets took on 2 cores.
    """
    with svc.db.write() as conn:
        name = conn.exec_driver_sql("SELECT current_database()").scalar_one()
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')


def test_eight_processes_issuing_at_once_give_no_duplicate_and_no_gap(any_db: Services, tmp_path: Path,
                                                                      backend: str) -> None:
    each = TICKETS_EACH
    load_reference(any_db)
    if backend == "postgresql":
        _no_commit_flush(any_db)
    # SQLite's busy handler is not fair: under 8 writers flat out on 2 cores one of them can wait longer
    # than the 5 s default, which at a real counter (a ticket every few seconds) never happens.
    printed = run_together(tmp_path, any_db.db.url, ISSUER, [[str(each)]] * ISSUERS,
                           HALLTERM_DB_BUSY_TIMEOUT_MS="30000")

    with any_db.db.read() as conn:
        stored = conn.execute(select(tickets.c.ticket_no, tickets.c.seq)).all()
        issued_events = conn.execute(select(events.c.ticket_id).where(events.c.kind == "ticket_issued")).all()
    total = ISSUERS * each
    assert len(stored) == total == len(issued_events)
    numbers = [no for no, _ in stored]
    assert len(set(numbers)) == total, [n for n, c in Counter(numbers).items() if c > 1][:10]  # no duplicate
    assert sorted(seq for _, seq in stored) == list(range(1, total + 1))  # no gap
    # What the processes were handed (all but each one's unprinted warm-up ticket) is what was stored.
    assert len(printed) == len(set(printed)) == total - ISSUERS
    assert set(printed) <= set(numbers)
    assert all(n.startswith("A") and len(n) >= 4 for n in numbers)


def test_counters_calling_at_once_never_call_the_same_ticket(any_db: Services, tmp_path: Path,
                                                            clock: list[dt.datetime]) -> None:
    clock[0] = dt.datetime.now(dt.UTC)  # the calling processes read the real clock: same hall-local day
    load_reference(any_db)
    set_pin(any_db, "S1401", "2468")
    with any_db.db.write() as conn:  # two more green-channel counters: four desks call at once
        conn.execute(insert(counters), [{"code": f"G{n}", "name": f"绿色通道{n}号窗口", "kind": "green", "floor": 1}
                                        for n in (3, 4)])
    issued = [queue.issue_walkin(any_db).number for _ in range(TICKETS_TO_CALL)]

    called = run_together(tmp_path, any_db.db.url, CALLER, [[f"G{n}"] for n in range(1, CALLERS + 1)])

    repeated = [n for n, c in Counter(called).items() if c > 1]
    assert repeated == []  # no ticket called by two counters
    assert sorted(called) == sorted(issued)  # and every ticket was called once
    with any_db.db.read() as conn:
        statuses = set(conn.execute(select(tickets.c.status)).scalars())
        call_events = conn.execute(select(events.c.ticket_id).where(events.c.kind == "ticket_called")).scalars().all()
    assert statuses == {"finished"}
    assert len(call_events) == len(set(call_events)) == TICKETS_TO_CALL
