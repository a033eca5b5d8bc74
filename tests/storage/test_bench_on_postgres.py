"""``hallterm bench --db URL`` (issue 17 point 6): the synthetic hall is built in the empty database given,
every figure is measured there, the JSON names the backend; a database that holds anything is refused
before a row is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from hallterm import bench
from hallterm.bench import scan
from hallterm.bench.target import BenchDatabaseRefused
from hallterm.config import sqlite_url
from hallterm.services.context import Services
from hallterm.storage.tables import card_holders, cases
from tests.cli.test_demo_and_staff import hallterm
from tests.storage.conftest import settings_for

SMALL = bench.BenchPlan(holders=200, cases=500, lookup_samples=5, insert_samples=5)


def test_the_bench_builds_and_measures_in_the_empty_postgresql_database_given(pg_empty_url: str) -> None:
    figures = bench.collect(SMALL, measurements=scan.MEASUREMENTS, db_url=pg_empty_url)

    assert figures["database"] == "postgresql"
    assert figures["postgresql_version"].split(".")[0].isdigit()
    assert figures["db_size_mb"] > 0
    # The scan family looked holders up and opened new cases there: after the bulk rows went in with
    # their ids, the serial counters stood past them (else the first new case would clash with id 1).
    assert figures["cards_lookup_samples"] == 5 and figures["case_insert_samples"] == 5
    svc = Services.open(settings_for(pg_empty_url), upgrade=False)
    try:
        with svc.db.read() as conn:
            assert conn.execute(select(func.count()).select_from(card_holders)).scalar_one() == 200
            assert conn.execute(select(func.count()).select_from(cases)).scalar_one() > 500
    finally:
        svc.close()


def test_a_postgresql_database_that_holds_anything_is_refused_untouched(pg_empty_url: str) -> None:
    engine = create_engine(pg_empty_url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE visitors_of_the_hall (id integer)"))

    with pytest.raises(BenchDatabaseRefused, match=r"不是空的.*visitors_of_the_hall.*空数据库"):
        bench.collect(SMALL, measurements=[], db_url=pg_empty_url)

    with engine.connect() as conn:
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
    engine.dispose()
    assert tables == ["visitors_of_the_hall"]  # nothing migrated, nothing written


def test_the_cli_refuses_a_sqlite_file_with_data_and_says_what_to_do(tmp_path: Path) -> None:
    full = tmp_path / "hall.sqlite3"
    with sqlite3.connect(full) as conn:
        conn.execute("CREATE TABLE card_holders (id integer)")
    run = hallterm("bench", "--quick", "--json", "--db", str(full), db=tmp_path / "unused.sqlite3")
    assert run.returncode == 1
    assert "不是空的" in run.stderr and "card_holders" in run.stderr and "createdb" in run.stderr
    assert "{" not in run.stdout  # no figures
    with sqlite3.connect(full) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["card_holders"]


def test_the_default_is_a_temporary_sqlite_file_named_in_the_json(tmp_path: Path) -> None:
    given = tmp_path / "bench.sqlite3"  # a new file, given: built and measured there, and kept
    figures = bench.collect(SMALL, measurements=[bench.MEASUREMENTS[0]], db_url=sqlite_url(given))
    assert figures["database"] == "sqlite" and given.is_file() and figures["db_size_mb"] > 0
    assert "sqlite_version" in figures and "postgresql_version" not in figures
    figures = bench.collect(SMALL, measurements=[])
    assert figures["database"] == "sqlite"
