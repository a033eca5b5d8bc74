"""Shared fixtures: real SQLite files in a temporary folder, settings that ignore the developer's own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.services.context import Services

# A fixed instant inside a working week: Thursday 2026-11-26 10:00 in Anshan.
FIXED_NOW = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's HALLTERM_* variables must never leak into a test."""
    import os

    for name in list(os.environ):
        if name.startswith("HALLTERM_"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "hall.sqlite3"


@pytest.fixture
def settings(db_file: Path) -> Settings:
    return load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file)})


@pytest.fixture
def clock() -> list[dt.datetime]:
    """A movable clock: tests set ``clock[0]``."""
    return [FIXED_NOW]


@pytest.fixture
def services(settings: Settings, clock: list[dt.datetime]) -> Iterator[Services]:
    svc = Services.open(settings, clock=lambda: clock[0])
    yield svc
    svc.close()


@pytest.fixture
def loaded(services: Services) -> Services:
    """Services on a database holding the hall's reference data (assets/*.toml)."""
    from hallterm.services.reference import load_reference

    load_reference(services)
    return services
