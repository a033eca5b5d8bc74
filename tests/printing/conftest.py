"""Fixtures for slips and printing: the spool folder and the signing key live in the test's own folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.domain.payloads import Keyring

HALL_TZ = dt.timezone(dt.timedelta(hours=8))
NOW_LOCAL = dt.datetime(2026, 11, 26, 10, 5, tzinfo=HALL_TZ)  # the root conftest's FIXED_NOW, in Anshan


def slip_environ(tmp_path: Path, db_file: Path, **extra: str) -> dict[str, str]:
    return {"HALLTERM_DB_URL": sqlite_url(db_file),
            "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "keys" / "signing.key"),
            "HALLTERM_PRINTING_SPOOL_DIR": str(tmp_path / "spool"), **extra}


@pytest.fixture
def settings(tmp_path: Path, db_file: Path) -> Settings:
    """Overrides the root fixture: never the installation's spool/ or db/signing.key."""
    return load_settings(environ=slip_environ(tmp_path, db_file))


@pytest.fixture
def ring() -> Keyring:
    return Keyring("K1", {"K1": b"test-secret-0123456789"})
