"""Several terminals at once, as real processes: `hallterm cards import` of one roster, four times
concurrently, into one database, on SQLite (busy timeout + BEGIN IMMEDIATE) and on PostgreSQL.

"fresh": the database does not exist yet (SQLite) or is empty (PostgreSQL), so the four processes
also race to create the schema, as the terminals of a hall do on the first morning after an upgrade.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from hallterm.config import sqlite_url
from hallterm.domain.roster import COLUMNS
from hallterm.services.context import Services
from hallterm.services.demo import demo_rows
from hallterm.storage import events, holders, migrate
from hallterm.storage.engine import Database
from hallterm.storage.tables import events as events_table
from tests.storage.conftest import run_each_together, settings_for

PROCESSES = 4
HOLDERS = 400

# Each process imports everything first, says it is ready, and waits for the go file, so that the
# four really hit the database at the same moment.
RUNNER = """
import pathlib, sys, time
import hallterm.cli, hallterm.services.roster, hallterm.storage.migrate  # noqa: F401  (import cost first)
ready, go, roster = map(pathlib.Path, sys.argv[1:4])
ready.touch()
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.002)
sys.exit(hallterm.cli.main(["cards", "import", str(roster)]))
"""


def write_roster(path: Path, url: str, now: dt.datetime) -> None:
    svc = Services(settings_for(url), db=None, clock=lambda: now)  # type: ignore[arg-type]  # no database needed
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        for r in demo_rows(svc, HOLDERS):
            out.writerow([r.card_no, r.name, r.id_number, r.tier, r.issued_on.isoformat(), r.expires_on.isoformat(),
                          r.status.value, r.phone, r.employer])


def run_concurrently(url: str, roster: Path, work: Path) -> list[tuple[int | None, str, str]]:
    return run_each_together(work, url, RUNNER, [[str(roster)]] * PROCESSES)


@pytest.mark.parametrize("fresh", [True, False], ids=["fresh", "migrated"])
def test_four_processes_import_one_roster_at_once(backend: str, fresh: bool, request: pytest.FixtureRequest,
                                                  tmp_path: Path, clock: list[dt.datetime]) -> None:
    if backend == "sqlite":
        url = sqlite_url(tmp_path / "hall.sqlite3")
        if not fresh:
            db = Database(url)
            migrate.upgrade(db)
            db.dispose()
    else:
        url = str(request.getfixturevalue("pg_empty_url" if fresh else "pg_url"))
    roster = tmp_path / "roster.csv"
    write_roster(roster, url, clock[0])

    results = run_concurrently(url, roster, tmp_path)

    for code, out, err in results:
        assert code == 0, f"exit {code}\nstdout: {out}\nstderr: {err}"
        assert err == "", err
        assert f"共 {HOLDERS} 人" in out
    svc = Services.open(settings_for(url), upgrade=False)
    try:
        with svc.db.read() as conn:
            assert holders.count(conn) == HOLDERS
            imports = events.recent(conn, kind="roster_imported")
            kinds = conn.execute(select(events_table.c.kind)).scalars().all()
            # and the rule settings the four programs started with, recorded once (issue 15 point 6)
            assert sorted(kinds) == ["roster_imported"] * PROCESSES + ["rule_settings_changed"]
        assert migrate.current_revision(svc.db) == migrate.head_revision()
    finally:
        svc.close()
    # The imports ran one after the other: exactly one of them inserted the holders.
    assert sorted((e.details["inserted"], e.details["updated"]) for e in imports) == \
        [(0, HOLDERS)] * (PROCESSES - 1) + [(HOLDERS, 0)]
