"""Importing the talent office's roster and looking card holders up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hallterm.domain.events import EventKind
from hallterm.domain.roster import MAX_FILE_BYTES, RosterCheck, check_roster, file_too_big
from hallterm.services.context import Services
from hallterm.services.who import actor
from hallterm.storage import events, holders


@dataclass(frozen=True)
class ImportResult:
    check: RosterCheck
    inserted: int = 0
    updated: int = 0
    off_roster: int = 0  # holders this roster no longer lists, marked now (purged later, issue 16 point 12)

    @property
    def ok(self) -> bool:
        return self.check.ok


def import_roster(svc: Services, path: Path, *, staff_id: str | None = None) -> ImportResult:
    """Check every row; write nothing unless all rows are good, then upsert them in one transaction.

    Raises RosterFileError when the file as a whole is unreadable.
    """
    with path.open("rb") as handle:  # never more than the limit in memory, whatever the file claims
        refused = file_too_big(os.fstat(handle.fileno()).st_size)
        data = handle.read(MAX_FILE_BYTES + 1) if refused is None else b""
    refused = refused or file_too_big(len(data))  # grew while being read
    if refused is not None:
        raise refused
    check = check_roster(data, svc.card_format, today=svc.today())
    if not check.ok:
        return ImportResult(check)
    card_nos = [r.card_no for r in check.rows]
    with svc.db.write() as conn:
        holders.lock_for_import(conn)
        existing = holders.existing_card_numbers(conn, card_nos)
        holders.upsert_rows(conn, check.rows, svc.now())
        # The office's file is the whole roster: whoever it leaves out is off it from now (issue 16 point 12).
        off = holders.mark_off_roster(conn, svc.now())
        inserted = len(card_nos) - len(existing)
        # Issue 15 point 6: who (the signed-in staff member, or the OS user at the command line) and
        # what — the file and the counts, never a holder's data.
        events.append(conn, EventKind.ROSTER_IMPORTED, svc.now(), file=path.name, encoding=check.encoding,
                      rows=len(card_nos), inserted=inserted, updated=len(existing), off_roster=off,
                      **actor(staff_id))
    return ImportResult(check, inserted, len(existing), off)
