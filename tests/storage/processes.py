"""Separate processes for the concurrency tests, started from a fork server that has imported hallterm.

Each process of ``run_together`` (tests/storage/conftest.py) is a terminal of its own: its own OS
process and interpreter state, its own settings read from its own environment, its own engine and
connections (made after the fork: the server never opens a database). What the fork server saves is
the import: started with ``python -c``, each process spent about a second of CPU importing
SQLAlchemy, Alembic and hallterm before its first statement, some 50 processes per run of the suite.
The server imports them once per pytest worker; each process is forked from it, single-threaded.

This module is imported by the fork server, so it imports nothing of pytest.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

# What the processes' scripts import, loaded once in the fork server.
PRELOAD = [
    "tests.storage.processes",
    "hallterm.config",
    "hallterm.services.context",
    "hallterm.services.queue",
    "hallterm.services.cases",
    "hallterm.services.appointments",
    "hallterm.services.staff",
    "hallterm.services.roster",
    "hallterm.storage.migrate",
    "hallterm.cli",
    "psycopg",
]


def context() -> Any:
    """The fork-server context (the server starts on first use, with ``PRELOAD`` imported)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def run_script(script: str, argv: list[str], env: dict[str, str], cwd: str, out: str, err: str) -> None:
    """In the forked process: the environment, folder, arguments and output files a ``python -c`` would have."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115  # the process's own stdout
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.argv = ["-c", *argv]
    try:
        exec(compile(script, "<script>", "exec"), {"__name__": "__main__"})
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def output(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""
