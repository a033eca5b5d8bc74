"""A hall on a disk that fills up (issue 15 point 4), run by test_full_disk.py on a small private tmpfs.

``python full_disk_script.py DIR``: DIR is an empty, small file system of its own. The hall's SQLite
database, spool folder and log file live in it. Tickets and a case are saved, the disk is filled to
the last byte, and then a ticket, a case and a slip are tried; the filler is removed and the same are
tried again. What happened is printed as one JSON object on the last line of stdout, for the test to
judge; nothing here asserts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from hallterm import logfile
from hallterm.config import load_settings, sqlite_url
from hallterm.domain.cases import CaseDraft, CaseKind, EnterpriseKind
from hallterm.domain.holders import CardStatus
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.roster import RosterRow
from hallterm.printing.backends import PrintFailed, Spool
from hallterm.services import cases, queue
from hallterm.services.context import Services
from hallterm.services.errors import explain, is_outage
from hallterm.services.print_jobs import print_slip, render_slip
from hallterm.services.reference import load_reference
from hallterm.services.slip_builders import ticket_slip
from hallterm.services.staff import set_pin, sign_in
from hallterm.storage import holders
from hallterm.storage.tables import cases as cases_table
from hallterm.storage.tables import events, slips, tickets

NOW = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)  # a Thursday morning in Anshan
PAGE = 4096


def fill(path: Path) -> int:
    """Write ``path`` until the disk is full; return its size (the last byte that fitted)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for chunk in (1 << 16, PAGE, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * chunk)
            except OSError:
                continue
    finally:
        os.close(fd)
    return path.stat().st_size


def attempt(fn: Any) -> dict[str, Any]:
    """What a call came to: its result, or the line a clerk reads and what kind of failure it was."""
    try:
        return {"ok": True, "result": fn()}
    except Exception as exc:
        return {"ok": False, "type": type(exc).__name__, "line": explain(exc), "outage": is_outage(exc)}


def counts(svc: Services) -> dict[str, int]:
    with svc.db.read() as conn:
        return {table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for table in (tickets, cases_table, events, slips)}


def hallterm(db: Path, *args: str, log_dir: Path | None = None) -> dict[str, Any]:
    """Run the CLI; with ``log_dir`` its log file is a new one there (on a full disk: not a byte fits)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    if log_dir is not None:
        env["HALLTERM_LOG_DIR"] = str(log_dir)
    done = subprocess.run([sys.executable, "-m", "hallterm", "--db", str(db), *args], capture_output=True,
                          text=True, timeout=120, env=env)
    return {"rc": done.returncode, "out": done.stdout, "err": done.stderr}


def main(root: Path) -> dict[str, Any]:
    db = root / "hall.sqlite3"
    spool = root / "spool"
    settings = load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db), "HALLTERM_PRINTING_SPOOL_DIR": str(spool)})
    report: dict[str, Any] = {}
    svc = Services.open(settings, clock=lambda: NOW)
    load_reference(svc)
    set_pin(svc, "S1401", "246813")
    session = sign_in(svc, "S1401", "246813")
    body = "21030219800101001"
    holder = RosterRow(2, svc.card_format.make("GD2022A00017"), "王喆", body + resident_id_check_char(body), "A",
                       dt.date(2024, 11, 26), dt.date(2029, 11, 26), CardStatus.ACTIVE, "13812345678",
                       "鞍钢集团有限公司")
    with svc.db.write() as conn:
        holders.upsert_rows(conn, [holder], svc.now())

    def draft() -> CaseDraft:
        return CaseDraft(holder.card_no, CaseKind.ENTERPRISE, ("QY-GSSL",), EnterpriseKind.FOREIGN,
                         "鞍山喆玥科技有限公司")

    def new_case() -> str:
        return cases.open_case(svc, session, draft()).case_no

    issued = [queue.issue_walkin(svc, session) for _ in range(3)]
    report["saved_tickets"] = [t.number for t in issued]
    report["saved_case"] = new_case()
    report["first_slip"] = print_slip(svc, ticket_slip(svc, issued[0]), ticket_id=issued[0].id, session=session).status
    logfile.setup("cli", settings)  # beside the database, as in the hall: it fills up with it
    report["before"] = counts(svc)

    # The disk fills up under a running terminal: nothing is written, each says so in one line.
    filler = root / "filler"
    fill(filler)
    report["free_when_full"] = os.statvfs(root).f_bavail
    report["full_ticket"] = attempt(lambda: queue.issue_walkin(svc, session).number)
    report["full_case"] = attempt(new_case)
    report["full_slip"] = attempt(lambda: print_slip(svc, ticket_slip(svc, issued[1]), ticket_id=issued[1].id,
                                                   session=session).status)
    report["full_counts"] = counts(svc)
    report["full_spool_files"] = sorted(p.name for p in spool.rglob("*") if p.is_file())
    report["full_cli_check"] = hallterm(db, "db", "check", log_dir=root / "cli-logs")  # while the terminal runs
    report["full_print_test"] = hallterm(db, "print", "test", "--to", str(root / "test-prints"),
                                         log_dir=root / "cli-logs")

    # The disk is freed: everything saved before is there, and numbering carries on without a gap.
    filler.unlink()
    report["after_cli_check"] = hallterm(db, "db", "check")
    report["after_counts"] = counts(svc)
    report["next_ticket"] = attempt(lambda: queue.issue_walkin(svc, session).number)
    report["next_case"] = attempt(new_case)
    report["next_slip"] = attempt(lambda: print_slip(svc, ticket_slip(svc, issued[1]), ticket_id=issued[1].id,
                                                   session=session).status)

    # A slip job whose first file fits and whose second does not: none of it may stay in the spool.
    job = render_slip(svc, ticket_slip(svc, issued[2]))
    sizes = {ext: len(data) for ext, data in job.files().items()}
    first = next(iter(sizes.values()))
    size = fill(filler)
    os.truncate(filler, max(0, size - (-(-first // PAGE) + 1) * PAGE))  # room for the first file and a page
    report["partial_sizes"] = sizes
    report["partial_room"] = os.statvfs(root).f_bavail * os.statvfs(root).f_frsize
    try:
        Spool(spool).write(job, NOW.date())
        report["partial"] = {"ok": True}
    except PrintFailed as exc:
        report["partial"] = {"ok": False, "line": str(exc)}
    report["partial_files"] = sorted(p.name for p in spool.rglob(f"*{job.name}*"))
    filler.unlink()
    report["saved_before_close"] = counts(svc)

    # The last terminal closes on a full disk: its checkpoint cannot grow the database file, so SQLite
    # keeps the WAL, and what it holds is read again at the next start.
    fill(filler)
    svc.close()
    report["wal_kept"] = db.with_name(db.name + "-wal").stat().st_size if db.with_name(db.name + "-wal").exists() else 0
    filler.unlink()
    svc = Services.open(settings, clock=lambda: NOW)
    report["after_full_close"] = counts(svc)
    svc.close()  # with room: the WAL is checkpointed into the file and removed
    report["wal_after_clean_close"] = db.with_name(db.name + "-wal").exists()

    # Every terminal closed (the WAL and -shm files are gone), then the disk fills: opening the
    # database fails creating its -shm file, a different error from SQLite than a full write.
    fill(filler)
    report["closed_open"] = attempt(lambda: Services.open(settings, clock=lambda: NOW).close())
    report["closed_cli_check"] = hallterm(db, "db", "check", log_dir=root / "cli-logs")
    filler.unlink()
    report["reopened_check"] = hallterm(db, "db", "check")
    svc = Services.open(settings, clock=lambda: NOW)
    report["reopened_counts"] = counts(svc)
    report["reopened_ticket"] = attempt(lambda: queue.issue_walkin(svc, session).number)
    svc.close()
    logfile.close()
    return report


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), ensure_ascii=False, default=str))
