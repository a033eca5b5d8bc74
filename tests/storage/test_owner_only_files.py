"""Issue 16 point 5: the files that hold the hall's personal data are readable by their owner only, whatever
the umask: the SQLite database (and its -wal and -shm), the folder it is created in, the spool and the log;
a signing key file others can read is refused, saying the command that fixes it."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from hallterm import logfile
from hallterm.config import load_settings, sqlite_url
from hallterm.printing.backends import PrintJob, Spool
from hallterm.services import signing
from hallterm.services.context import Services


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most open umask there is: nothing is taken away from the modes the program asks for."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_sqlite_database_its_wal_shm_and_folder_are_the_owners_only(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "data" / "hall.sqlite3"
    svc = Services.open(load_settings(environ={"HALLTERM_DB_URL": sqlite_url(path)}))
    try:
        with svc.db.write() as conn:  # the WAL and the shared-memory file exist while a connection is open
            conn.exec_driver_sql("SELECT 1")
        assert mode(path) == 0o600
        assert mode(path.with_name("hall.sqlite3-wal")) == 0o600
        assert mode(path.with_name("hall.sqlite3-shm")) == 0o600
        assert mode(path.parent) == 0o700
    finally:
        svc.close()


def test_the_spool_its_day_folders_and_every_slip_are_the_owners_only(tmp_path: Path, open_umask: None) -> None:
    root = tmp_path / "spool"
    job = PrintJob("ticket-A001", "排队号 A001", "slip", b"%PDF-1.4", b"\x89PNG", b"\x1b@")
    spooled = Spool(root).write(job, dt.date(2026, 11, 26))
    assert mode(root) == 0o700 and mode(spooled.base.parent) == 0o700
    assert [mode(p) for p in spooled.paths] == [0o600] * 3


def test_the_log_and_its_folder_are_the_owners_only(tmp_path: Path, open_umask: None) -> None:
    """Done on main before issue 16 (issue 15 point 7): kept here with the others, under an open umask."""
    settings = load_settings(environ={"HALLTERM_DB_URL": sqlite_url(tmp_path / "hall.sqlite3"),
                                      "HALLTERM_LOG_DIR": str(tmp_path / "logs")})
    path = logfile.setup("cli", settings)
    assert path is not None
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


@pytest.mark.parametrize("loose", [0o644, 0o640, 0o604])
def test_a_signing_key_file_others_can_read_is_refused_with_the_fix(tmp_path: Path, loose: int) -> None:
    settings = load_settings(environ={"HALLTERM_DB_URL": sqlite_url(tmp_path / "hall.sqlite3"),
                                      "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "signing.key")})
    assert signing.load_keyring(settings.signing, region=settings.hall.region_code) is not None  # made 0600
    key = settings.signing.key_path
    key.chmod(loose)
    for create in (True, False):  # the desk, and `hallterm scan`
        with pytest.raises(signing.SigningKeyError) as refused:
            signing.load_keyring(settings.signing, region=settings.hall.region_code, create=create)
        assert f"chmod 600 {key}" in str(refused.value) and "其他用户" in str(refused.value)
    key.chmod(0o600)
    assert signing.load_keyring(settings.signing, region=settings.hall.region_code, create=False) is not None
