"""Slips and notices: signing their QR payloads, printing and reprinting them, and scanning them back.

Printing a slip is two short transactions around the printer, not one long one: the slip is
rendered and written to the spool folder, recorded (``slips`` row, status ``pending``), then sent
to the printer outside any transaction (a serial thermal printer takes a minute, a CUPS job is
polled for up to ``cups_timeout_s``: holding SQLite's write lock that long would stall every other
terminal), and the outcome is recorded with its event. The case or ticket a slip belongs to was
committed before, so a printer that fails loses nothing: the slip is in the spool, the desk says
so, and ``reprint`` sends it again.

Scanning a slip's QR code (the desk's scan field takes ``HT1:…``): the signature, the key and the
day are checked; a forged, altered, foreign or expired slip is refused with a Chinese message and a
``slip_refused`` event. An appointment slip checks the visitor in (through the queue's own
``check_in``), a ticket slip shows the ticket's state, a visit slip the case's.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import insert, select, update

from hallterm.config import Settings, SigningSettings
from hallterm.domain import payloads
from hallterm.domain.cards import ScanError
from hallterm.domain.documents import Document
from hallterm.domain.errors import Refused
from hallterm.domain.ids import mask_name
from hallterm.domain.payloads import Keyring, Kind, PayloadError, Refusal
from hallterm.services.context import Services
from hallterm.storage import events
from hallterm.storage.tables import card_holders, cases, slips, tickets

KEY_FILE_HEADER = ("# hallterm: keys that sign the QR codes of slips, one \"<key id> <secret>\" per line.\n"
                   "# Keep this file secret (mode 0600) and never commit it; every front-desk computer of the\n"
                   "# hall needs the same file (or HALLTERM_SIGNING_SECRET). Keep retired keys while their\n"
                   "# slips may still be scanned.\n")


class SigningKeyError(Refused):
    """The signing key cannot be read or created; ``str()`` is the Chinese message."""


# --- the signing key -------------------------------------------------------------------------------


def _parse_key_file(text: str) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.lstrip().startswith("#") and parts[0] not in found:
            found[parts[0]] = parts[1].encode("utf-8")
    return found


def load_keyring(signing: SigningSettings, *, create: bool = True) -> Keyring | None:
    """The hall's keys: the key file, plus ``HALLTERM_SIGNING_SECRET`` for the current key id.

    When the current key id has no secret and ``create`` is set, a new random secret is generated
    and appended to the key file (created with mode 0600), under a lock so that two terminals on
    one computer starting at once agree on one key. Without ``create`` (``hallterm scan``), None.
    """
    path = signing.key_path
    found: dict[str, bytes] = {}
    try:
        if path.is_file():
            found = _parse_key_file(path.read_text(encoding="utf-8"))
        if signing.key_id not in found and not signing.secret and create:
            found = _add_key(path, signing.key_id)
    except OSError as exc:
        raise SigningKeyError(f"无法读取或创建签名密钥文件 {path}：{exc.strerror or exc}。"
                              "请检查目录权限，或设置环境变量 HALLTERM_SIGNING_SECRET") from exc
    except UnicodeDecodeError as exc:
        raise SigningKeyError(f"签名密钥文件 {path} 不是文本文件，请检查") from exc
    if signing.secret:
        found[signing.key_id] = signing.secret.encode("utf-8")
    if signing.key_id not in found:
        return None
    try:
        return Keyring(signing.key_id, found)
    except ValueError as exc:
        raise SigningKeyError(f"签名密钥文件 {path} 有误：{exc}") from exc


def _add_key(path: Path, key_id: str) -> dict[str, bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        text = handle.read()
        found = _parse_key_file(text)
        if key_id not in found:  # another terminal may have added it while we waited for the lock
            secret = secrets.token_urlsafe(32)
            handle.write(("" if text else KEY_FILE_HEADER) + f"{key_id} {secret}\n")
            handle.flush()
            os.fsync(handle.fileno())
            found[key_id] = secret.encode("utf-8")
    return found


def keyring(svc: Services | Settings) -> Keyring:
    settings = svc.settings if isinstance(svc, Services) else svc
    ring = load_keyring(settings.signing)
    assert ring is not None
    return ring


def ticket_payload(svc: Services, day: dt.date, number: str) -> str:
    """The signed QR payload of a queue ticket (for ``TicketSlip.payload``)."""
    return payloads.ticket_payload(day, number, keyring(svc))


def appointment_payload(svc: Services, appointment_id: int, day: dt.date, slot_start: str) -> str:
    return payloads.appointment_payload(appointment_id, day, slot_start, keyring(svc))


def visit_payload(svc: Services, case_no: str, day: dt.date) -> str:
    return payloads.visit_payload(case_no, day, keyring(svc))


# --- printing --------------------------------------------------------------------------------------


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
    from hallterm.printing.jobs import safe_name

    return f"{_local_now(svc):%Y%m%d-%H%M%S}-{kind}-{safe_name(title)}-{secrets.token_hex(2)}"


def render_slip(svc: Services, slip: Any) -> Any:
    """The slip's print job at the configured paper width (no database, no printer)."""
    from hallterm.printing.jobs import slip_job

    p = svc.settings.printing
    return slip_job(slip, _job_name(svc, slip.kind, slip.title), width=p.width_px, profile=p.escpos_profile)


def print_slip(svc: Services, slip: Any, *, staff_id: str | None = None, case_id: int | None = None,
               ticket_id: int | None = None) -> PrintOutcome:
    """Render, spool, record and print a queue ticket, appointment slip or visit slip."""
    from hallterm.printing import slips as slip_layouts
    from hallterm.printing.backends import slip_backend
    from hallterm.printing.fonts import missing_glyphs

    job = render_slip(svc, slip)
    warnings = _glyph_warning(missing_glyphs(slip_layouts.visible_text(slip)))
    return _print(svc, job, slip.kind, slip_backend(svc.settings.printing), content=slip_layouts.dump(slip),
                  staff_id=staff_id, case_id=case_id, ticket_id=ticket_id, warnings=warnings)


def print_notice(svc: Services, doc: Document, *, staff_id: str | None = None, case_id: int | None = None,
                 bilingual: bool | None = None) -> PrintOutcome:
    """Render a notice (受理通知书 …) as an A4/A5 PDF, spool, record and print it."""
    from hallterm.printing import notices
    from hallterm.printing.backends import notice_backend
    from hallterm.printing.jobs import notice_job

    p = svc.settings.printing
    bilingual = p.bilingual if bilingual is None else bilingual
    job = notice_job(doc, _job_name(svc, "notice", doc.header.kind.value), paper=p.notice_paper,
                     bilingual=bilingual)
    warnings = _glyph_warning(notices.missing_in(doc, bilingual=bilingual))
    return _print(svc, job, "notice", notice_backend(p), content=None, staff_id=staff_id, case_id=case_id,
                  warnings=warnings)


def _glyph_warning(missing: list[str]) -> tuple[str, ...]:
    if not missing:
        return ()
    return (f"打印字体缺少“{'、'.join(missing)}”，打印件上将显示为方框，请手写补全",)


def _print(svc: Services, job: Any, kind: str, backend: Any, *, content: dict[str, Any] | None,
           staff_id: str | None, case_id: int | None = None, ticket_id: int | None = None,
           warnings: tuple[str, ...] = ()) -> PrintOutcome:
    from hallterm.printing.backends import Spool

    spool = Spool(svc.settings.printing.spool_path)
    spooled = spool.write(job, _local_now(svc).date())  # first of all: the slip cannot be lost after this
    with svc.db.write() as conn:
        slip_id = int(conn.execute(insert(slips).values(
            kind=kind, title=job.title, day=svc.today(), created_at=svc.now(), staff_id=staff_id,
            case_id=case_id, ticket_id=ticket_id, spool_path=str(spooled.base), files=",".join(spooled.extensions),
            backend=backend.name, status="pending", error="", attempts=0, content=content,
        )).inserted_primary_key[0])
    return _send(svc, slip_id, job, spooled, backend, staff_id=staff_id, case_id=case_id, ticket_id=ticket_id,
                 warnings=warnings, reprint=False)


def _send(svc: Services, slip_id: int, job: Any, spooled: Any, backend: Any, *, staff_id: str | None,
          case_id: int | None, ticket_id: int | None, warnings: tuple[str, ...], reprint: bool) -> PrintOutcome:
    from hallterm.printing.backends import PrintFailed

    try:
        message = backend.send(job, spooled)
        status = "spooled" if backend.name == "spool" else "printed"
        error = ""
    except PrintFailed as exc:
        message = error = str(exc)
        status = "failed"
    except Exception as exc:  # an unexpected printer-library error must not lose the record either
        message = error = (f"打印出错（{type(exc).__name__}：{exc}）。{job.title} 已保存到 {spooled.base.parent}，"
                           "可稍后补打")
        status = "failed"
    now = svc.now()
    with svc.db.write() as conn:
        values: dict[str, Any] = {"status": status, "error": error[:500], "backend": backend.name,
                                  "attempts": slips.c.attempts + 1}
        if status == "printed":
            values["printed_at"] = now
        conn.execute(update(slips).where(slips.c.id == slip_id).values(**values))
        kind = {"printed": "slip_printed", "spooled": "slip_spooled", "failed": "slip_print_failed"}[status]
        events.append(conn, kind, now, staff_id=staff_id, case_id=case_id, ticket_id=ticket_id, slip_id=slip_id,
                      title=job.title, backend=backend.name, spool=str(spooled.base), reprint=reprint,
                      error=error[:300] or None)
    return PrintOutcome(slip_id, job.title, status, message, str(spooled.base), warnings)


def reprint(svc: Services, slip_id: int, *, staff_id: str | None = None) -> PrintOutcome:
    """Send a slip again from the spool (rendering it again from its content if its files are gone)."""
    from hallterm.printing import slips as slip_layouts
    from hallterm.printing.backends import PrintFailed, PrintJob, Spool, Spooled, notice_backend, slip_backend

    with svc.db.read() as conn:
        row = conn.execute(select(slips).where(slips.c.id == slip_id)).first()
    if row is None:
        raise PrintFailed(f"找不到第 {slip_id} 号打印记录")
    spooled = Spooled(Path(row.spool_path), tuple(e for e in row.files.split(",") if e))
    if spooled.exists():
        files = {ext: spooled.read(ext) for ext in spooled.extensions}
        job = PrintJob(spooled.base.name, row.title, "notice" if row.kind == "notice" else "slip", files["pdf"],
                       files.get("png"), files.get("escpos"))
    elif row.content:
        job = render_slip(svc, slip_layouts.load(row.content))
        spooled = Spool(svc.settings.printing.spool_path).write(job, _local_now(svc).date())
        with svc.db.write() as conn:
            conn.execute(update(slips).where(slips.c.id == slip_id).values(spool_path=str(spooled.base)))
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
    from hallterm.printing.backends import Spool

    keep = svc.settings.printing.spool_keep_days
    if keep <= 0:
        return 0, 0
    oldest_kept = _local_now(svc).date() - dt.timedelta(days=keep - 1)
    return Spool(svc.settings.printing.spool_path).prune(oldest_kept)


def recent_slips(svc: Services, *, limit: int = 100, failed_only: bool = False) -> list[SlipRecord]:
    """The reprint list: the newest first (today's and anything that failed)."""
    query = select(slips).order_by(slips.c.id.desc()).limit(limit)
    if failed_only:
        query = query.where(slips.c.status == "failed")
    with svc.db.read() as conn:
        return [SlipRecord(r.id, r.kind, r.title, r.created_at, r.status, r.backend, r.error, r.attempts,
                           r.spool_path, r.case_id, r.ticket_id) for r in conn.execute(query)]


# --- slips built from what the queue and the case code return --------------------------------------


def waiting_place(svc: Services) -> str:
    """Where walk-ins wait: the hall's green zone (assets/hall.toml ``green_zone``)."""
    from hallterm.services.reference import read_reference

    try:
        zone = read_reference(svc.settings.paths.assets_dir).hall.green_zone
    except Exception:  # reference errors are reported where the files are loaded; a slip still prints
        zone = ""
    return f"{zone}等候区" if zone else "绿色通道等候区"


def ticket_slip(svc: Services, view: Any) -> Any:
    """A TicketSlip from the queue's ``TicketView`` (number, kind, issued_at, holder_name, slot, ahead)."""
    from hallterm.printing.slips import TicketSlip

    p = svc.settings
    issued = view.issued_at.astimezone(p.hall.tz)
    series_name = "预约签到" if view.kind == "appointment" else "绿色通道现场取号"
    return TicketSlip(view.number, series_name, issued, view.ahead or 0, waiting_place(svc),
                      ticket_payload(svc, issued.date(), view.number), name=view.holder_name or "",
                      slot=view.slot or "", hall_name=p.hall.name, bilingual=p.printing.bilingual)


def appointment_slip(svc: Services, appointment_id: int) -> Any:
    """The AppointmentSlip of a booked appointment: its items with the materials to bring, from the catalog."""
    from hallterm.printing.slips import AppointmentSlip, ItemToBring
    from hallterm.storage.tables import appointments, counters, items, materials

    with svc.db.read() as conn:
        row = conn.execute(select(appointments, card_holders.c.name)
                           .join(card_holders, card_holders.c.id == appointments.c.holder_id)
                           .where(appointments.c.id == appointment_id)).first()
        if row is None:
            raise ScanError(f"找不到第 {appointment_id} 号预约")
        codes = [c for c in row.item_codes.replace("，", ",").replace(" ", ",").split(",") if c]
        names = dict(conn.execute(select(items.c.code, items.c.name).where(items.c.code.in_(codes))).all())
        bring: dict[str, list[str]] = {code: [] for code in codes}
        for m in conn.execute(select(materials.c.item_code, materials.c.name, materials.c.condition,
                                     materials.c.note)
                              .where(materials.c.item_code.in_(codes), materials.c.active)
                              .order_by(materials.c.item_code, materials.c.position)):
            extra = "；".join(p for p in (m.condition, m.note) if p)
            bring[m.item_code].append(m.name + (f"（{extra}）" if extra else ""))
        counter = conn.execute(select(counters.c.name, counters.c.floor)
                               .where(counters.c.kind == "green", counters.c.active)
                               .order_by(counters.c.code)).first()
    p = svc.settings
    to_bring = tuple(ItemToBring(names.get(code, code), tuple(bring[code])) for code in codes)
    floor, room = (counter.floor, "绿色通道窗口") if counter else (None, "绿色通道窗口")
    return AppointmentSlip(f"{row.id:06d}", row.day, row.slot_start, row.slot_end, to_bring, floor, room,
                           appointment_payload(svc, row.id, row.day, row.slot_start), name=row.name,
                           check_in_at=f"{_floor_text(floor)}绿色通道窗口", after_hours=row.after_hours,
                           hall_name=p.hall.name, bilingual=p.printing.bilingual)


def _floor_text(floor: int | None) -> str:
    from hallterm.printing.slips import floor_name

    return floor_name(floor)


def visit_slip(svc: Services, view: Any) -> Any:
    """A VisitSlip from a ``CaseView`` (after a case is opened and routed, S9)."""
    from hallterm.printing.slips import VisitSlip

    p = svc.settings
    opened = view.opened_at.astimezone(p.hall.tz)
    coordinator = ""
    if view.coordinator is not None:
        ext = f"（分机 {view.coordinator.extension}）" if view.coordinator.extension else ""
        coordinator = view.coordinator.name + ext
    return VisitSlip(view.case_no, opened, tuple(view.item_names), view.lounge_name or "", view.lounge_floor,
                     coordinator, visit_payload(svc, view.case_no, _local_now(svc).date()), name=view.holder_name,
                     queue_position=view.queue_position, hall_name=p.hall.name, bilingual=p.printing.bilingual,
                     waiting_reason=waiting_reason(svc, view))


def waiting_reason(svc: Services, view: Any) -> str:
    """Why a queued case waits, as the visit slip says it: the routing's recorded reason, shortened.

    The desk's routing panel shows the full sentence (with the section and advice for staff); the
    slip is for the visitor and narrow paper, so it keeps the cause and when coordinators return.
    Empty when the case is not queued (the slip then says nothing of waiting).
    """
    from hallterm.domain.cases import CaseStatus
    from hallterm.storage.tables import events as events_table

    if view.status != CaseStatus.QUEUED.value:
        return ""
    with svc.db.read() as conn:
        details = conn.execute(select(events_table.c.details)
                               .where(events_table.c.case_id == view.id, events_table.c.kind == "case_queued")
                               .order_by(events_table.c.id.desc()).limit(1)).scalar_one_or_none() or {}
    cause = details.get("cause")
    comes = dt.datetime.fromisoformat(details["comes"]) if details.get("comes") else None
    rooms = "洽谈室已满；" if details.get("lounge_full") and cause != "lounge_full" else ""
    if cause == "lounge_full":
        return "洽谈室已满，空出后按顺序为您安排"
    if cause == "returns_today" and comes is not None:
        return f"{rooms}协调员均不在岗，预计 {comes:%H:%M} 回岗"
    if cause == "off_duty" and comes is not None:
        return f"{rooms}协调员今日已下班，最早 {comes:%m月%d日 %H:%M} 到岗"
    if cause == "no_roster":
        return f"{rooms}暂无协调员排班，请到绿色通道窗口咨询"
    return view.queue_reason.split("；")[0]  # recorded before ``cause`` existed: its first clause


# --- scanning a slip -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlipScan:
    """What a scanned slip is and what was done with it, for the desk."""

    kind: str  # ticket | appointment | visit
    title: str
    message: str  # the notice line
    lines: tuple[tuple[str, str], ...] = ()  # label, value
    checked_in: bool = False
    ticket: Any = None  # the queue's TicketView of a ticket issued at check-in (to print)
    case: Any = None  # the CaseView of a visit slip (the desk shows it, F10 prints for it)
    case_id: int | None = None
    ticket_id: int | None = None




def check_slip(svc: Services, text: str, *, session: Any = None) -> SlipScan:
    """Verify a scanned ``HT1:…`` payload and act on it; raise ScanError (after a ``slip_refused`` event)."""
    staff_id = session.staff_id if session is not None else None
    ring = load_keyring(svc.settings.signing)
    assert ring is not None
    try:
        payload = payloads.verify(text, ring)
        payloads.check_day(payload, svc.today())
    except PayloadError as exc:
        _refuse(svc, staff_id, text, exc.reason, str(exc))
    if payload.kind is Kind.TICKET:
        return _scan_ticket(svc, payload, staff_id)
    if payload.kind is Kind.APPOINTMENT:
        return _scan_appointment(svc, payload, session)
    return _scan_visit(svc, payload, staff_id)


def _refuse(svc: Services, staff_id: str | None, text: str, reason: Refusal | str, message: str) -> NoReturn:
    with svc.db.write() as conn:
        events.append(conn, "slip_refused", svc.now(), staff_id=staff_id, reason=str(reason),
                      payload=payloads.normalize(text)[:120], message=message)
    raise ScanError(message)


def _scanned(svc: Services, staff_id: str | None, payload: payloads.Payload, outcome: str, **ids: Any) -> None:
    with svc.db.write() as conn:
        events.append(conn, "slip_scanned", svc.now(), staff_id=staff_id, slip_kind=payload.kind.value,
                      fields=list(payload.fields), key_id=payload.key_id, outcome=outcome, **ids)


def _scan_ticket(svc: Services, payload: payloads.Payload, staff_id: str | None) -> SlipScan:
    day, number = payload.day, payload.fields[1]
    with svc.db.read() as conn:
        row = conn.execute(select(tickets.c.id, tickets.c.status, tickets.c.issued_at, tickets.c.called_at,
                                  tickets.c.counter_code, card_holders.c.name)
                           .outerjoin(card_holders, card_holders.c.id == tickets.c.holder_id)
                           .where(tickets.c.day == day, tickets.c.ticket_no == number)).first()
    if row is None:
        _refuse(svc, staff_id, payload.text, "not_found",
                f"排队票 {number}（{day:%Y-%m-%d}）签名有效，但本大厅没有这张票的记录，请人工核对")
    _scanned(svc, staff_id, payload, row.status, ticket_id=row.id)
    from hallterm.domain.queue import STATUS_NAMES as TICKET_STATUS

    tz = svc.settings.hall.tz
    status = TICKET_STATUS.get(row.status, row.status)  # type: ignore[call-overload]
    lines = [("票号", number), ("状态", status), ("取号时间", f"{row.issued_at.astimezone(tz):%H:%M}")]
    if row.name:
        lines.append(("持卡人", mask_name(row.name)))
    if row.called_at:
        lines.append(("叫号时间", f"{row.called_at.astimezone(tz):%H:%M}"))
    if row.counter_code:
        lines.append(("窗口", row.counter_code))
    return SlipScan("ticket", f"排队票 {number}", f"排队票 {number}：{status}", tuple(lines), ticket_id=row.id)


def _scan_appointment(svc: Services, payload: payloads.Payload, session: Any) -> SlipScan:
    from hallterm.domain.queue import QueueError
    from hallterm.services.queue import check_in

    staff_id = session.staff_id if session is not None else None
    appointment_id = int(payload.fields[0])
    try:
        view = check_in(svc, session, appointment_id)
    except QueueError as exc:
        _scanned(svc, staff_id, payload, f"refused: {exc}", appointment_id=appointment_id)
        return SlipScan("appointment", f"预约回执 {appointment_id}", f"预约回执有效，但不能签到：{exc}",
                        (("预约编号", str(appointment_id)), ("日期", f"{payload.day:%Y-%m-%d}")))
    _scanned(svc, staff_id, payload, "checked_in", appointment_id=appointment_id, ticket_id=view.id)
    lines = [("预约号", view.number), ("时段", view.slot), ("持卡人", mask_name(view.holder_name or "")),
             ("前面等候", f"{view.ahead or 0} 人")]
    return SlipScan("appointment", f"预约回执 {appointment_id}",
                    f"已签到：预约号 {view.number}，前面还有 {view.ahead or 0} 人。按 F10 打印排队票",
                    tuple((k, v) for k, v in lines if v), checked_in=True, ticket=view, ticket_id=view.id)


def _scan_visit(svc: Services, payload: payloads.Payload, staff_id: str | None) -> SlipScan:
    from hallterm.storage.cases import get_case

    case_no = payload.fields[0]
    with svc.db.read() as conn:
        case_id = conn.execute(select(cases.c.id).where(cases.c.case_no == case_no)).scalar_one_or_none()
        view = get_case(conn, case_id) if case_id is not None else None
    if view is None:
        _refuse(svc, staff_id, payload.text, "not_found",
                f"引导单 {case_no} 签名有效，但本大厅没有这个办件的记录，请人工核对")
    _scanned(svc, staff_id, payload, view.status, case_id=view.id)
    from hallterm.domain.cases import STATUS_NAMES as CASE_STATUS

    status = CASE_STATUS.get(view.status, view.status)  # type: ignore[call-overload]
    lines = [("办件编号", view.case_no), ("状态", status), ("持卡人", mask_name(view.holder_name)),
             ("洽谈室", view.lounge_name or ""), ("协调员", view.coordinator.name if view.coordinator else "")]
    return SlipScan("visit", f"引导单 {case_no}", f"办件 {case_no}：{status}", tuple((k, v) for k, v in lines if v),
                    case=view, case_id=view.id)


# --- what a decoded code is (``hallterm scan``) ----------------------------------------------------


def describe(text: str, settings: Settings) -> str:
    """One line saying what a decoded payload is; never creates a key, never touches the database."""
    from hallterm.domain.cards import CardFormat, parse_scan

    normalized = payloads.normalize(text)
    if normalized.startswith(payloads.PREFIX + ":"):
        try:
            ring = load_keyring(settings.signing, create=False)
        except SigningKeyError as exc:
            return f"本大厅回执，无法校验签名：{exc}"
        if ring is None:
            return "本大厅回执（HT1），本机尚无签名密钥，无法校验签名"
        try:
            payload = payloads.verify(text, ring)
        except PayloadError as exc:
            return f"本大厅回执，校验失败：{exc}"
        name = payloads.KIND_NAMES[payload.kind]
        return f"本大厅{name}（{_fields_text(payload)}），签名有效（密钥 {payload.key_id}）"
    try:
        scan = parse_scan(text, CardFormat(settings.cards.pattern, settings.cards.check))
    except ScanError:
        scan = None
    if scan is not None and scan.kind == "card":
        return f"钢都英才卡号 {scan.card_no}（格式和校验位正确）"
    if text.lower().startswith(("http://", "https://")):
        return "网址（非本大厅签发）"
    return "其他二维码或条码（非本大厅签发）"


def _fields_text(payload: payloads.Payload) -> str:
    f = payload.fields
    if payload.kind is Kind.TICKET:
        return f"{f[1]}，{payload.day:%Y-%m-%d}"
    if payload.kind is Kind.APPOINTMENT:
        return f"预约编号 {f[0]}，{payload.day:%Y-%m-%d} {f[2][:2]}:{f[2][2:]}"
    return f"办件 {f[0]}，{payload.day:%Y-%m-%d}"


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
    from hallterm.printing import samples
    from hallterm.printing.backends import PrintFailed, Spool, SpoolOnly, notice_backend, slip_backend
    from hallterm.printing.jobs import notice_job, slip_job

    p = settings.printing
    local = (now or dt.datetime.now(dt.UTC)).astimezone(settings.hall.tz)
    ring = keyring(settings)
    spool = Spool(to, dated=False) if to is not None else Spool(p.spool_path)
    jobs: list[tuple[Any, Any]] = []
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
        except PrintFailed as exc:
            results.append(TestPrint(job.title, False, str(exc), files))
    return results


# --- what the desk can preview and print ----------------------------------------------------------


@dataclass(frozen=True)
class Printable:
    """A slip or notice ready to preview and print (built off the event loop: it signs a payload)."""

    kind: str  # ticket | appointment | visit | notice
    title: str
    preview: str  # the content as text, as it will print
    warnings: tuple[str, ...]
    item: Any  # the slip dataclass or the notice document
    case_id: int | None = None
    ticket_id: int | None = None
    bilingual: bool = False


def _slip_printable(slip: Any, *, case_id: int | None = None, ticket_id: int | None = None) -> Printable:
    from hallterm.printing import slips as layouts
    from hallterm.printing.fonts import missing_glyphs

    return Printable(slip.kind, slip.title, layouts.preview(slip), _glyph_warning(missing_glyphs(
        layouts.visible_text(slip))), slip, case_id, ticket_id, slip.bilingual)


def with_bilingual(printable: Printable, bilingual: bool) -> Printable:
    """The same slip or notice with English added (or taken away), for a foreign visitor."""
    import dataclasses

    if printable.kind == "notice":
        return _notice_printable(printable.item, printable.case_id, bilingual)
    return _slip_printable(dataclasses.replace(printable.item, bilingual=bilingual), case_id=printable.case_id,
                           ticket_id=printable.ticket_id)


def _notice_printable(doc: Document, case_id: int | None, bilingual: bool) -> Printable:
    from hallterm.printing import notices

    return Printable("notice", notices.title(doc), notices.preview(doc, bilingual=bilingual),
                     _glyph_warning(notices.missing_in(doc, bilingual=bilingual)), doc, case_id, bilingual=bilingual)


def printable_ticket(svc: Services, view: Any) -> Printable:
    """The queue ticket of a ``TicketView`` (e.g. the one issued when an appointment slip was scanned)."""
    return _slip_printable(ticket_slip(svc, view), ticket_id=view.id)


def printables_for_case(svc: Services, view: Any) -> list[Printable]:
    """The visit slip of a case, then every notice issued for it (newest first)."""
    found = [_slip_printable(visit_slip(svc, view), case_id=view.id)]
    for doc in reversed(issued_documents(svc, view.id)):
        found.append(_notice_printable(doc, view.id, svc.settings.printing.bilingual))
    return found


def print_printable(svc: Services, printable: Printable, *, staff_id: str | None = None) -> PrintOutcome:
    if printable.kind == "notice":
        return print_notice(svc, printable.item, staff_id=staff_id, case_id=printable.case_id,
                            bilingual=printable.bilingual)
    return print_slip(svc, printable.item, staff_id=staff_id, case_id=printable.case_id,
                      ticket_id=printable.ticket_id)


def issued_documents(svc: Services, case_id: int) -> list[Document]:
    """The notices issued for a case, rebuilt from the data the checklist saved (oldest first)."""
    from hallterm.storage.tables import documents

    with svc.db.read() as conn:
        rows = conn.execute(select(documents.c.kind, documents.c.content)
                            .where(documents.c.case_id == case_id).order_by(documents.c.id)).all()
    return [document_from_content(r.kind, r.content) for r in rows]


def document_from_content(kind: str, content: dict[str, Any]) -> Document:
    """A notice dataclass from its saved JSON (``dataclasses.asdict`` with ISO dates)."""
    import dataclasses
    import types
    import typing
    from enum import Enum

    from hallterm.domain import documents as docs

    classes = {docs.DocumentKind.ACCEPTANCE_NOTICE: docs.AcceptanceNotice,
               docs.DocumentKind.ONE_TIME_NOTICE: docs.OneTimeNotice,
               docs.DocumentKind.CONDITIONAL_COMMITMENT: docs.ConditionalCommitment,
               docs.DocumentKind.CONDITIONAL_NOTICE: docs.ConditionalNotice,
               docs.DocumentKind.SPECIAL_PROCEDURE_NOTICE: docs.SpecialProcedureNotice}

    def build(tp: Any, value: Any) -> Any:
        if value is None:
            return None
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(tp) if a is not type(None)]
            return build(options[0], value)
        if origin is tuple:
            return tuple(build(typing.get_args(tp)[0], v) for v in value)
        if tp is dt.date:
            return dt.date.fromisoformat(value)
        if isinstance(tp, type) and issubclass(tp, Enum):
            return tp(value)
        if dataclasses.is_dataclass(tp):
            hints = typing.get_type_hints(tp)
            return tp(**{f.name: build(hints[f.name], value[f.name]) for f in dataclasses.fields(tp)})
        return value

    return build(classes[docs.DocumentKind(kind)], content)  # type: ignore[no-any-return]
