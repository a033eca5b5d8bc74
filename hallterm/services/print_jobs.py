"""Printing slips and notices, reprinting them from the spool folder, and the record of each.

Printing a slip is two short transactions around the printer, not one long one: the slip is
rendered and written to the spool folder, recorded (``slips`` row, status ``pending``), then sent
to the printer outside any transaction (a serial thermal printer takes a minute, a CUPS job is
polled for up to ``cups_timeout_s``: holding SQLite's write lock that long would stall every other
terminal), and the outcome is recorded with its event. The case or ticket a slip belongs to was
committed before, so a printer that fails loses nothing: the slip is in the spool, the desk says
so, and ``reprint`` sends it again.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hallterm.config import Settings
from hallterm.domain.documents import Document
from hallterm.domain.events import EventKind
from hallterm.printing import minutes as notices_minutes
from hallterm.printing import notices, samples, slip_layouts
from hallterm.printing.backends import (
    Backend,
    PrintFailed,
    PrintJob,
    Spool,
    Spooled,
    SpoolOnly,
    notice_backend,
    slip_backend,
)
from hallterm.printing.fonts import missing_glyphs
from hallterm.printing.jobs import notice_job, safe_name, slip_job
from hallterm.printing.slip_layouts import Slip
from hallterm.services.context import Services
from hallterm.services.signing import keyring
from hallterm.services.staff import StaffSession
from hallterm.storage import events, slip_records

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintOutcome:
    """What printing did, for the desk's notice line."""

    slip_id: int
    title: str
    status: str  # printed | spooled | failed
    message: str
    spool_base: str
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass(frozen=True)
class SlipRecord:
    """A row of the reprint list."""

    id: int
    kind: str
    title: str
    created_at: dt.datetime
    status: str
    backend: str
    error: str
    attempts: int
    spool_base: str
    case_id: int | None
    ticket_id: int | None

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)


STATUS_NAMES = {"pending": "正在打印", "printed": "已打印", "spooled": "已存入暂存目录", "failed": "打印失败"}


def _local_now(svc: Services) -> dt.datetime:
    return svc.now().astimezone(svc.settings.hall.tz)


def _job_name(svc: Services, kind: str, title: str) -> str:
    return f"{_local_now(svc):%Y%m%d-%H%M%S}-{kind}-{safe_name(title)}-{secrets.token_hex(2)}"


def render_slip(svc: Services, slip: Slip) -> PrintJob:
    """The slip's print job at the configured paper width (no database, no printer)."""
    p = svc.settings.printing
    return slip_job(slip, _job_name(svc, slip.kind, slip.title), width=p.width_px, profile=p.escpos_profile)


def glyph_warning(missing: list[str]) -> tuple[str, ...]:
    if not missing:
        return ()
    return (f"打印字体缺少“{'、'.join(missing)}”，打印件上将显示为方框，请手写补全",)


def print_slip(svc: Services, slip: Slip, *, session: StaffSession, case_id: int | None = None,
               ticket_id: int | None = None) -> PrintOutcome:
    """Render, spool, record and print a queue ticket, appointment slip or visit slip."""
    session.require("print")  # issue 16 point 9: a person, or a system actor granted it
    staff_id = session.staff_id
    job = render_slip(svc, slip)
    warnings = glyph_warning(missing_glyphs(slip_layouts.visible_text(slip)))
    return _print(svc, job, slip.kind, slip_backend(svc.settings.printing), content=slip_layouts.dump(slip),
                  staff_id=staff_id, case_id=case_id, ticket_id=ticket_id, warnings=warnings)


def print_notice(svc: Services, doc: Document, *, session: StaffSession, case_id: int | None = None,
                 bilingual: bool | None = None) -> PrintOutcome:
    """Render a notice (受理通知书 …) as an A4/A5 PDF, spool, record and print it."""
    session.require("print")  # issue 16 point 9: a person, or a system actor granted it
    staff_id = session.staff_id
    p = svc.settings.printing
    bilingual = p.bilingual if bilingual is None else bilingual
    job = notice_job(doc, _job_name(svc, "notice", doc.header.kind.value), paper=p.notice_paper,
                     bilingual=bilingual)
    warnings = glyph_warning(notices.missing_in(doc, bilingual=bilingual))
    return _print(svc, job, "notice", notice_backend(p), content=None, staff_id=staff_id, case_id=case_id,
                  warnings=warnings)


def print_handover(svc: Services, notice: notices.HandoverNotice, *, session: StaffSession) -> PrintOutcome:
    """The after-hours handover list (交接单) as an A4/A5 PDF: spooled, recorded (补打 lists it) and printed."""
    session.require("print")  # issue 16 point 9: a person, or a system actor granted it
    staff_id = session.staff_id
    p = svc.settings.printing
    job = PrintJob(_job_name(svc, "handover", notice.number), notice.title, "notice",
                   notices.render_handover_pdf(notice, p.notice_paper))
    warnings = glyph_warning(missing_glyphs(notices.preview_handover(notice, 10_000)))
    return _print(svc, job, "notice", notice_backend(p), content=None, staff_id=staff_id, warnings=warnings)


def print_minutes(svc: Services, minutes: notices_minutes.Minutes, *, session: StaffSession,
                  case_id: int | None = None) -> PrintOutcome:
    """The record of a joint review (会商纪要, S8) as an A4/A5 PDF: spooled readable by its owner only (it
    holds the departments' opinions on a named applicant's case), recorded (补打 lists it) and printed."""
    session.require("print")  # issue 16 point 9: a person, or a system actor granted it
    staff_id = session.staff_id
    p = svc.settings.printing
    job = PrintJob(_job_name(svc, "minutes", minutes.number), minutes.title, "notice",
                   notices_minutes.render_minutes_pdf(minutes, p.notice_paper))
    warnings = glyph_warning(missing_glyphs(notices_minutes.preview_minutes(minutes, 10_000)))
    return _print(svc, job, "notice", notice_backend(p), content=None, staff_id=staff_id, case_id=case_id,
                  warnings=warnings, mode=0o600)


def print_sheet(svc: Services, kind: str, number: str, title: str, pdf: bytes, *, session: StaffSession,
                warnings: tuple[str, ...] = (), mode: int = 0o600) -> PrintOutcome:
    """An A4 sheet already rendered as PDF (the responsibility list, issue 14): spooled (readable by its owner
    only by default: it names staff and cases), recorded (补打 lists it) and printed like every notice."""
    session.require("print")  # issue 16 point 9: a person, or a system actor granted it
    staff_id = session.staff_id
    job = PrintJob(_job_name(svc, kind, number), title, "notice", pdf)
    return _print(svc, job, "notice", notice_backend(svc.settings.printing), content=None, staff_id=staff_id,
                  warnings=warnings, mode=mode)


def _print(svc: Services, job: PrintJob, kind: str, backend: Backend, *, content: dict[str, Any] | None,
           staff_id: str | None, case_id: int | None = None, ticket_id: int | None = None,
           warnings: tuple[str, ...] = (), mode: int = 0o600) -> PrintOutcome:
    _require_committed(svc, job)
    spool = Spool(svc.settings.printing.spool_path)
    spooled = spool.write(job, _local_now(svc).date(), mode=mode)  # first of all: the slip cannot be lost after this
    with svc.db.write() as conn:
        slip_id = slip_records.insert_pending(
            conn, kind=kind, title=job.title, day=svc.today(), created_at=svc.now(), staff_id=staff_id,
            case_id=case_id, ticket_id=ticket_id, spool_path=str(spooled.base), files=spooled.extensions,
            backend=backend.name, content=content)
    return _send(svc, slip_id, job, spooled, backend, staff_id=staff_id, case_id=case_id, ticket_id=ticket_id,
                 warnings=warnings, reprint=False)


def _require_committed(svc: Services, job: PrintJob) -> None:
    if svc.db.writing:
        # Durable before printed (issue 15 point 3): a number on paper whose record could still roll back
        # might be issued again. A caller printing inside its own transaction is a bug; fail it loudly.
        raise RuntimeError(f"{job.title}: printing inside a write transaction (print after the commit)")


def _send(svc: Services, slip_id: int, job: PrintJob, spooled: Spooled, backend: Backend, *, staff_id: str | None,
          case_id: int | None, ticket_id: int | None, warnings: tuple[str, ...], reprint: bool) -> PrintOutcome:
    _require_committed(svc, job)
    detail = ""
    try:
        message = backend.send(job, spooled)
        status = "spooled" if backend.name == "spool" else "printed"
        error = ""
    except PrintFailed as exc:
        # The clerk reads the Chinese line (the reprint list shows it too); the technician's detail (the
        # system's English, the setting to check) goes to the log and the event.
        message = error = str(exc)
        detail = exc.detail
        status = "failed"
        log.warning("printing %s failed: %s (%s)", job.title, error, detail)
    except Exception as exc:  # an unexpected printer-library error must not lose the record either
        message = error = (f"打印机出错，未能打印。{job.title} 已保存到 {spooled.base.parent}，可稍后补打；"
                           "仍不行请联系管理员")
        detail = f"{type(exc).__name__}: {exc}"
        status = "failed"
        log.error("printing %s failed", job.title, exc_info=exc)
    now = svc.now()
    with svc.db.write() as conn:
        slip_records.record_attempt(conn, slip_id, status=status, error=error[:500], backend=backend.name,
                                    printed_at=now if status == "printed" else None)
        kind = {"printed": EventKind.SLIP_PRINTED, "spooled": EventKind.SLIP_SPOOLED,
                "failed": EventKind.SLIP_PRINT_FAILED}[status]
        events.append(conn, kind, now, staff_id=staff_id, case_id=case_id, ticket_id=ticket_id, slip_id=slip_id,
                      title=job.title, backend=backend.name, spool=str(spooled.base), reprint=reprint,
                      error=error[:300] or None, detail=detail[:300] or None)
    return PrintOutcome(slip_id, job.title, status, message, str(spooled.base), warnings)


def reprint(svc: Services, slip_id: int, *, session: StaffSession) -> PrintOutcome:
    """Send a slip again from the spool (rendering it again from its content if its files are gone)."""
    session.require("reprint")
    staff_id = session.staff_id
    with svc.db.read() as conn:
        row = slip_records.get(conn, slip_id)
    if row is None:
        raise PrintFailed(f"找不到第 {slip_id} 号打印记录")
    spooled = Spooled(Path(row.spool_path), row.files)
    if spooled.exists():
        files = {ext: spooled.read(ext) for ext in spooled.extensions}
        job = PrintJob(spooled.base.name, row.title, "notice" if row.kind == "notice" else "slip", files["pdf"],
                       files.get("png"), files.get("escpos"))
    elif row.content:
        job = render_slip(svc, slip_layouts.load(row.content))
        spooled = Spool(svc.settings.printing.spool_path).write(job, _local_now(svc).date())
        with svc.db.write() as conn:
            slip_records.set_spool_path(conn, slip_id, str(spooled.base))
    else:
        raise PrintFailed(f"{row.title} 的文件已不在暂存目录（{spooled.base.parent}）中，无法补打；"
                          "请从办件重新生成文书")
    p = svc.settings.printing
    backend = notice_backend(p) if row.kind == "notice" else slip_backend(p)
    return _send(svc, slip_id, job, spooled, backend, staff_id=staff_id, case_id=row.case_id,
                 ticket_id=row.ticket_id, warnings=(), reprint=True)


def prune_spool(svc: Services) -> tuple[int, int]:
    """The nightly clean-up of the spool: day folders older than ``printing.spool_keep_days``.

    Returns (folders, bytes) removed; nothing when the setting is 0.
    """
    keep = svc.settings.printing.spool_keep_days
    if keep <= 0:
        return 0, 0
    oldest_kept = _local_now(svc).date() - dt.timedelta(days=keep - 1)
    return Spool(svc.settings.printing.spool_path).prune(oldest_kept)


def recent_slips(svc: Services, *, limit: int = 100, failed_only: bool = False) -> list[SlipRecord]:
    """The reprint list: the newest first (today's and anything that failed)."""
    with svc.db.read() as conn:
        rows = slip_records.recent(conn, limit=limit, failed_only=failed_only)
    return [SlipRecord(r.id, r.kind, r.title, r.created_at, r.status, r.backend, r.error, r.attempts, r.spool_path,
                       r.case_id, r.ticket_id) for r in rows]


# --- ``hallterm print test`` -----------------------------------------------------------------------


@dataclass(frozen=True)
class TestPrint:
    title: str
    ok: bool
    message: str
    files: tuple[str, ...]


def print_test(settings: Settings, to: Path | None = None, *, now: dt.datetime | None = None) -> list[TestPrint]:
    """One of each slip and notice with sample data: to the configured printers, or only into ``to``.

    Nothing is written to the database. The slips are signed with the hall's key, so
    ``hallterm scan`` on them reports a valid signature.
    """
    p = settings.printing
    local = (now or dt.datetime.now(dt.UTC)).astimezone(settings.hall.tz)
    ring = keyring(settings)
    spool = Spool(to, dated=False) if to is not None else Spool(p.spool_path)
    jobs: list[tuple[PrintJob, Backend]] = []
    for slip in samples.sample_slips(ring, local, bilingual=p.bilingual):
        name = f"test-{slip.kind}-{p.paper_mm}mm" + ("" if to else f"-{local:%H%M%S}")
        jobs.append((slip_job(slip, name, width=p.width_px, profile=p.escpos_profile),
                     SpoolOnly() if to else slip_backend(p)))
    for doc in samples.sample_notices(local.date()):
        name = f"test-{doc.header.kind.value}-{p.notice_paper}" + ("" if to else f"-{local:%H%M%S}")
        jobs.append((notice_job(doc, name, paper=p.notice_paper, bilingual=p.bilingual),
                     SpoolOnly() if to else notice_backend(p)))
    results = []
    for job, backend in jobs:
        try:
            spooled = spool.write(job, local.date())
        except PrintFailed as exc:
            results.append(TestPrint(job.title, False, str(exc), ()))
            continue
        files = tuple(str(path) for path in spooled.paths)
        try:
            message = "已写入" if to is not None else backend.send(job, spooled)
            results.append(TestPrint(job.title, True, message, files))
        except PrintFailed as exc:  # the technician runs this: the detail too
            results.append(TestPrint(job.title, False, f"{exc}（{exc.detail}）" if exc.detail else str(exc), files))
    return results
