"""A PostgreSQL server of the tests' own, to stop and start under a running desk or display (issue 15
point 4): initdb into a temporary folder, listening on a free loopback port. The shared server of
HALLTERM_TEST_PG_URL is never stopped. As root, the server runs as the ``postgres`` user (PostgreSQL
refuses to run as root). Without PostgreSQL's server programs the tests are skipped, saying why;
where HALLTERM_TEST_PG_URL is set (CI), their absence fails the tests instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.storage.conftest import PG_BASE_URL


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name), reverse=True)
    return Path(dirs[0]) if dirs else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """One private server: ``stop()`` and ``start()`` it like a hall's server restarting."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        # Not under pytest's tmp folder: as root that is 0700, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="hallterm-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        self.running = False
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
                  "--locale", "C")

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([*self.as_user, str(self.bindir / program), *args], capture_output=True, text=True,
                              timeout=120, cwd=self.root)
        if done.returncode:
            pytest.fail(f"{program} failed ({done.returncode}): {done.stderr or done.stdout}", pytrace=False)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options, "-w", "start")
        self.running = True

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)

    def remove(self) -> None:
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    bindir = _bindir()
    if bindir is None or not (bindir / "initdb").exists():
        reason = "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
        if PG_BASE_URL:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    cluster = PgCluster(bindir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def restartable_pg(pg_cluster: PgCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database on the private server, which is running again when the test ends."""
    url = pg_cluster.create_database(f"outage_{request.node.name[:40].lower().replace('[', '_').replace(']', '')}")
    yield url
    if not pg_cluster.running:
        pg_cluster.start()
