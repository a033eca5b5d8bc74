"""Fixtures for slips and printing: the spool folder and the signing key live in the test's own folder."""

from __future__ import annotations

import datetime as dt
import socket
import struct
import threading
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
    return Keyring("K1", {"K1": b"test-secret-0123456789-012345678"}, region="210300")


class Printer:
    """A raw printing port (like 9100) on 127.0.0.1 that accepts one connection.

    ``reads`` is how many bytes it takes before it stops reading (None: all of them). Its receive
    buffer is small, as on a printer's embedded TCP stack: loopback's large default buffers would
    swallow a whole slip without the printer reading any of it.
    """

    def __init__(self, reads: int | None = None, reset_after: bool = False) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # inherited by the connection
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(10)
        self.port = self.sock.getsockname()[1]
        self.reads = reads
        self.reset_after = reset_after
        self.received = bytearray()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            limit = self.reads if self.reads is not None else 4 * 2**20
            while len(self.received) < limit:
                chunk = conn.recv(min(65536, limit - len(self.received)))
                if not chunk:
                    break
                self.received.extend(chunk)
            if self.reset_after:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if self.reads is not None:
                self.done.wait(10)  # connected, not reading, until the test is over

    def close(self) -> bytes:
        self.done.set()
        self.thread.join(timeout=10)
        self.sock.close()
        return bytes(self.received)
