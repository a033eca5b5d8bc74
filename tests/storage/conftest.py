"""Storage fixtures: every storage test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``HALLTERM_TEST_PG_URL`` (``bash .ci/bootstrap test`` finds or starts a
server and sets it; it fails in CI without one). The URL names a maintenance database on which the
role may ``CREATE DATABASE``. Each test gets a fresh, uniquely named database of its own, dropped
afterwards; measured on the CI machine, creating one from a migrated template costs about 60 ms
and dropping it about 70 ms, against about 230 ms for running the migrations, so isolation per
test is cheap. Names carry the xdist worker id and the process id, so parallel workers and
parallel runs on one server never collide.

Without ``HALLTERM_TEST_PG_URL`` the PostgreSQL cases are skipped with a reason. The variable is
read when this file is imported: the autouse fixture in tests/conftest.py removes every
``HALLTERM_*`` variable from the environment of each test.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.config_locations import PROJECT_ROOT
from hallterm.services.context import Services
from tests.storage import processes

PG_ENV = "HALLTERM_TEST_PG_URL"
PG_BASE_URL = os.environ.get(PG_ENV, "")
SKIP_NO_PG = (f"{PG_ENV} is not set: PostgreSQL tests skipped "
              "(`bash .ci/bootstrap test` finds or starts a server and sets it)")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


class PgServer:
    """Creates and drops uniquely named databases on the test server."""

    def __init__(self, base_url: str) -> None:
        self.base = make_url(base_url)
        if self.base.get_backend_name() != "postgresql":
            pytest.fail(f"{PG_ENV} must be a postgresql:// URL, not {self.base.drivername}", pytrace=False)
        if self.base.drivername == "postgresql":
            self.base = self.base.set(drivername="postgresql+psycopg")
        self.admin: Engine = create_engine(self.base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.prefix = f"hallterm_t_{worker}_{os.getpid()}"
        self._template: str | None = None
        self._loaded: str | None = None
        self.live: set[str] = set()

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str = "template0") -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        self.live.add(name)
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.live.discard(name)

    def migrated_template(self) -> str:
        """A database at the head revision, made once per session; tests get copies of it."""
        if self._template is None:
            from hallterm.storage import migrate
            from hallterm.storage.engine import Database

            name = self.create()
            db = Database(self.url(name))
            try:
                migrate.upgrade(db)
            finally:
                db.dispose()  # CREATE DATABASE … TEMPLATE needs it to have no connection
            self._template = name
        return self._template

    def loaded_template(self) -> str:
        """A copy of the migrated template holding the reference data, loaded at FIXED_NOW; made once per session."""
        if self._loaded is None:
            from hallterm.services.reference import load_reference
            from tests.conftest import FIXED_NOW

            name = self.create(template=self.migrated_template())
            svc = Services.open(settings_for(self.url(name)), upgrade=False, clock=lambda: FIXED_NOW)
            try:
                load_reference(svc)
            finally:
                svc.close()  # no connection may stay open on a template
            self._loaded = name
        return self._loaded

    def close(self) -> None:
        for name in sorted(self.live):
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The PostgreSQL server of ``HALLTERM_TEST_PG_URL``; skips when it is not set, fails when it is
    set but unusable (a broken server must not pass for a skipped one)."""
    if not PG_BASE_URL:
        pytest.skip(SKIP_NO_PG)
    server = PgServer(PG_BASE_URL)
    try:
        with server.admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.fail(f"{PG_ENV} is set but the server cannot be reached: {exc}", pytrace=False)
    yield server
    server.close()


@pytest.fixture
def pg_url(pg_server: PgServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database of this test's own, migrated to the head revision (and holding the reference data
    when the test asks for ``any_hall``); dropped afterwards."""
    with_reference = "any_hall" in request.fixturenames
    name = pg_server.create(template=pg_server.loaded_template() if with_reference else pg_server.migrated_template())
    yield pg_server.url(name)
    pg_server.drop(name)


@pytest.fixture
def pg_empty_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database (no tables, no alembic_version); dropped afterwards."""
    name = pg_server.create()
    yield pg_server.url(name)
    pg_server.drop(name)


def settings_for(url: str, **extra: str) -> Settings:
    env = {"HALLTERM_DB_URL": url}
    env.update({f"HALLTERM_{k.upper()}": v for k, v in extra.items()})
    return load_settings(environ=env)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL on the backend under test: migrated (PostgreSQL) or to be created (SQLite)."""
    if backend == "sqlite":
        return sqlite_url(tmp_path / "hall.sqlite3")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database (no schema) on the backend under test."""
    if backend == "sqlite":
        return sqlite_url(tmp_path / "empty.sqlite3")
    return str(request.getfixturevalue("pg_empty_url"))


@pytest.fixture
def any_db(db_url: str, clock: list[dt.datetime], backend: str, tmp_path: Path, request: pytest.FixtureRequest,
           _sqlite_templates: dict[str, Path]) -> Iterator[Services]:
    """Services on a migrated database, once on SQLite (a file in tmp_path) and once on PostgreSQL."""
    sqlite_file = tmp_path / "hall.sqlite3"
    if backend == "sqlite" and db_url == sqlite_url(sqlite_file) and not sqlite_file.exists():
        template = "loaded" if "any_hall" in request.fixturenames else "migrated"
        shutil.copyfile(_sqlite_templates[template], sqlite_file)  # made once per worker (tests/conftest.py)
    svc = Services.open(settings_for(db_url), clock=lambda: clock[0])
    yield svc
    svc.close()


@pytest.fixture
def any_hall(any_db: Services) -> Services:
    """``any_db`` holding the hall's reference data (assets/*.toml): a copy of a template, not a load per test."""
    return any_db


@pytest.fixture
def services_factory(clock: list[dt.datetime]) -> Iterator[Callable[..., Services]]:
    """Open more Services (other terminals) on a URL; all are closed at the end of the test."""
    opened: list[Services] = []

    def make(url: str, **settings: str) -> Services:
        svc = Services.open(settings_for(url, **settings), clock=lambda: clock[0])
        opened.append(svc)
        return svc

    yield make
    for svc in opened:
        svc.close()


@pytest.fixture
def cards_for() -> Callable[[Services], str]:
    """Put one valid green-channel holder into a database; returns the card number."""
    def make(svc: Services) -> str:
        import datetime as _dt

        from hallterm.domain.holders import CardStatus
        from hallterm.domain.ids import resident_id_check_char
        from hallterm.domain.roster import RosterRow
        from hallterm.storage import holders

        body = "21030219800101001"
        today = svc.today()
        row = RosterRow(2, svc.card_format.make("GD2022A00017"), "王喆", body + resident_id_check_char(body), "A",
                        today - _dt.timedelta(days=700), today + _dt.timedelta(days=1000), CardStatus.ACTIVE,
                        "13812345678", "鞍钢集团有限公司")
        with svc.db.write() as conn:
            holders.upsert_rows(conn, [row], svc.now())
        return row.card_no

    return make


def run_each_together(tmp_path: Path, url: str, script: str, args: list[list[str]],
                      **settings: str) -> list[tuple[int | None, str, str]]:
    """Start one process per argument list, release them at once; each one's exit code, stdout and stderr.

    Each process runs ``script`` as ``python -c script READY GO *args`` would (its own environment with
    ``HALLTERM_DB_URL``, its own engine and connections), forked from a server that has imported
    hallterm already (tests/storage/processes.py). The script touches READY when it is set and waits
    for the GO file, so that the work really overlaps.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["HALLTERM_DB_URL"] = url
    env.update(settings)
    go = tmp_path / "go"
    ctx = processes.context()
    procs = []
    for n, extra in enumerate(args):
        ready, out, err = (tmp_path / f"{name}{n}" for name in ("ready", "out", "err"))
        proc = ctx.Process(target=processes.run_script,
                           args=(script, [str(ready), str(go), *extra], env, str(PROJECT_ROOT), str(out), str(err)))
        proc.start()
        procs.append((ready, out, err, proc))
    deadline = time.monotonic() + 90
    while not all(ready.exists() for ready, *_ in procs):
        assert time.monotonic() < deadline, "the processes did not start"
        for _ready, out, err, proc in procs:
            assert proc.exitcode is None, (processes.output(out), processes.output(err))
        time.sleep(0.01)
    go.touch()
    results: list[tuple[int | None, str, str]] = []
    for _ready, out, err, proc in procs:
        proc.join(timeout=300)
        if proc.exitcode is None:
            proc.kill()  # hung: fails below with what it said
        results.append((proc.exitcode, processes.output(out), processes.output(err)))
    return results


def run_together(tmp_path: Path, url: str, script: str, args: list[list[str]], **settings: str) -> list[str]:
    """``run_each_together``, each process ending well; everything they printed, split on white space."""
    printed: list[str] = []
    for code, out, err in run_each_together(tmp_path, url, script, args, **settings):
        assert code == 0, f"exit {code}\nstdout: {out}\nstderr: {err}"
        printed += out.split()
    return printed
