"""Durable before printed (issue 15 point 3): a number reaches paper only once its record is committed
with SQLite's synchronous=FULL, so a power cut cannot take back a ticket whose number was printed."""

from __future__ import annotations

import dataclasses
import socket
import sqlite3
import threading
from pathlib import Path

import pytest

from hallterm.config import PrintingSettings
from hallterm.services import queue
from hallterm.services.context import Services
from hallterm.services.print_jobs import print_slip
from hallterm.services.slip_builders import ticket_slip
from tests.sessions import DESK

pytestmark = pytest.mark.durable_commits


class WitnessPrinter:
    """A network printer on 127.0.0.1 that, as the first bytes of a slip arrive, reads the tickets
    table through a connection of its own, as another terminal would at that instant."""

    def __init__(self, db_file: Path) -> None:
        self.db_file = db_file
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(10)
        self.port = self.sock.getsockname()[1]
        self.seen: list[str] = []
        self.received = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            first = True
            while chunk := conn.recv(65536):
                if first:
                    with sqlite3.connect(self.db_file) as other:
                        self.seen = [r[0] for r in other.execute("SELECT ticket_no FROM tickets")]
                    other.close()
                    first = False
                self.received += len(chunk)

    def close(self) -> None:
        self.thread.join(timeout=10)
        self.sock.close()


def _with_printer(svc: Services, port: int) -> Services:
    printing = PrintingSettings(backend="escpos", escpos_connection="network", escpos_host="127.0.0.1",
                                escpos_port=port, escpos_timeout_s=2,
                                spool_dir=svc.settings.printing.spool_dir)
    return dataclasses.replace(svc, settings=dataclasses.replace(svc.settings, printing=printing))


def test_the_hall_commits_with_synchronous_full(loaded: Services) -> None:
    with loaded.db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
        assert str(conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()).lower() == "wal"


def test_the_ticket_is_committed_when_the_printer_receives_it(loaded: Services, db_file: Path) -> None:
    printer = WitnessPrinter(db_file)
    svc = _with_printer(loaded, printer.port)
    view = queue.issue_walkin(svc, DESK, count_ahead=False)
    outcome = print_slip(svc, ticket_slip(svc, view), ticket_id=view.id, session=DESK)
    printer.close()
    assert outcome.status == "printed", outcome.message
    assert printer.received > 0
    assert view.number in printer.seen  # another connection saw the ticket before the paper came out


def test_printing_inside_a_write_transaction_is_refused_and_sends_nothing(loaded: Services, db_file: Path) -> None:
    printer = WitnessPrinter(db_file)
    svc = _with_printer(loaded, printer.port)
    view = queue.issue_walkin(svc, DESK, count_ahead=False)
    slip = ticket_slip(svc, view)
    with pytest.raises(RuntimeError, match="write transaction"), svc.db.write():
        print_slip(svc, slip, ticket_id=view.id, session=DESK)
    printer.sock.shutdown(socket.SHUT_RDWR)  # nobody connected: wake the accept
    printer.close()
    assert printer.received == 0
