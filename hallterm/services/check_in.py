"""What the desk's scan field got, and scanning the hall's own slips back (``HT2:…``).

A talent card is judged (``services.cards``). A slip's signature, key and day are checked; a
forged, altered, foreign or expired slip is refused with a Chinese message and a ``slip_refused``
event. An appointment slip checks the visitor in (through the queue's own ``check_in``), a ticket
slip shows the ticket's state, a visit slip the case's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from hallterm.domain import payloads
from hallterm.domain.appointments import appointment_no
from hallterm.domain.cards import MAX_SCAN_LENGTH, ScanError
from hallterm.domain.cases import STATUS_NAMES as CASE_STATUS
from hallterm.domain.events import EventKind
from hallterm.domain.holders import CardCheck
from hallterm.domain.ids import mask_name
from hallterm.domain.payloads import Kind, PayloadError, Refusal
from hallterm.domain.queue import STATUS_NAMES as TICKET_STATUS
from hallterm.domain.queue import AppointmentStatus, QueueError, TicketKind
from hallterm.services.cards import check_card
from hallterm.services.case_views import CaseView, case_at
from hallterm.services.context import Services
from hallterm.services.queue import check_in
from hallterm.services.signing import keyring
from hallterm.services.staff import StaffSession
from hallterm.services.ticket_view import TicketView
from hallterm.storage import cases as case_store
from hallterm.storage import events, tickets
from hallterm.storage.tickets import AppointmentRow


@dataclass(frozen=True)
class SlipScan:
    """What a scanned slip is and what was done with it, for the desk."""

    kind: str  # ticket | appointment | visit
    title: str
    message: str  # the notice line
    lines: tuple[tuple[str, str], ...] = ()  # label, value
    checked_in: bool = False
    ticket: TicketView | None = None  # the ticket issued at check-in (to print)
    case: CaseView | None = None  # the case of a visit slip (the desk shows it, F10 prints for it)
    case_id: int | None = None
    ticket_id: int | None = None


def check_scan(svc: Services, text: str, *, session: StaffSession) -> CardCheck | SlipScan:
    """What the desk's scan field got: a talent card, or one of the hall's own slips (``HT2:…``, or an old ``HT1:…``).

    A slip is verified and acted on (an appointment checks in, a ticket or case shows its state);
    a forged, altered or expired one raises ScanError after a ``slip_refused`` event.
    """
    session.require("scan")
    if payloads.is_slip(payloads.normalize(text[:MAX_SCAN_LENGTH])):
        return check_slip(svc, text, session=session)
    return check_card(svc, text, staff_id=session.staff_id)


def check_slip(svc: Services, text: str, *, session: StaffSession) -> SlipScan:
    """Verify a scanned ``HT2:…`` payload and act on it; raise ScanError (after a ``slip_refused`` event)."""
    staff_id = session.staff_id
    ring = keyring(svc)
    try:
        payload = payloads.verify(text, ring)
    except PayloadError as exc:
        _refuse(svc, staff_id, text, exc.reason, str(exc))
    if payload.kind is Kind.APPOINTMENT:  # checked against the appointment in the check-in's transaction
        return _scan_appointment(svc, payload, session)
    try:
        if payload.kind is not Kind.HANDOUT:  # a 领证回执: no day limits it (S9)
            payloads.check_day(payload, svc.today())
    except PayloadError as exc:
        _refuse(svc, staff_id, text, exc.reason, str(exc))
    if payload.kind is Kind.TICKET:
        return _scan_ticket(svc, payload, staff_id)
    return _scan_visit(svc, payload, staff_id)


class _SlipRefused(Exception):
    """Raised inside the check-in's transaction (rolling it back); the refusal is logged after it."""

    def __init__(self, reason: Refusal | str, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


def _as_on_slip(svc: Services, payload: payloads.Payload, row: AppointmentRow | None) -> None:
    """Refuse (``_SlipRefused``) an appointment slip whose appointment was cancelled, missed or moved (the
    slip's day and time are then wrong), then one outside its day; ``row`` is the appointment locked in the
    check-in's write transaction, so what is refused or checked in is the appointment as it is then: a
    reschedule or cancel committed by another terminal a moment before is seen, one that comes later waits.

    What became of it first: a cancelled slip is not "come back later". The slip must name the appointment's
    own day and slot, not only its number (issue 16 point 1): a slip for appointment 123 at 09:30 never checks
    in appointment 123 booked for 14:00, even on its day. A visitor whose appointment was moved to today
    checks in with the card (``check_in_card``).
    """
    if row is not None:
        number = appointment_no(row.id)
        if row.status == AppointmentStatus.CANCELLED:
            raise _SlipRefused("cancelled", f"预约 {number} 已取消，这张回执作废：请重新预约，或现场取号")
        if row.status == AppointmentStatus.MISSED:
            raise _SlipRefused("missed", f"预约 {number}（{row.day:%Y-%m-%d} {row.slot_start}）已失约，"
                                         "这张回执作废：请重新预约，或现场取号")
        if row.status == AppointmentStatus.BOOKED and \
                (row.day, row.slot_start.replace(":", "")) != (payload.day, payload.fields[2]):
            when = "今天" if row.day == svc.today() else f"{row.day:%Y-%m-%d}"
            raise _SlipRefused("outdated",
                               f"这张回执已过时：预约 {number} 已改到 {when} {row.slot_start}–{row.slot_end}"
                               f"（{row.section}），回执上的日期或时段与预约不符，不能据此签到：请扫描持卡人的英才卡签到")
    try:
        payloads.check_day(payload, svc.today())
    except PayloadError as exc:
        raise _SlipRefused(exc.reason, str(exc)) from None


def _refuse(svc: Services, staff_id: str | None, text: str, reason: Refusal | str, message: str) -> NoReturn:
    with svc.db.write() as conn:
        events.append(conn, EventKind.SLIP_REFUSED, svc.now(), staff_id=staff_id, reason=str(reason),
                      payload=payloads.normalize(text)[:120], message=message)
    raise ScanError(message)


def _scanned(svc: Services, staff_id: str | None, payload: payloads.Payload, outcome: str,
             **ids: Any) -> None:
    with svc.db.write() as conn:
        events.append(conn, EventKind.SLIP_SCANNED, svc.now(), staff_id=staff_id, slip_kind=payload.kind.value,
                      fields=list(payload.fields), key_id=payload.key_id, outcome=outcome, **ids)


def _scan_ticket(svc: Services, payload: payloads.Payload, staff_id: str | None) -> SlipScan:
    day, number = payload.day, payload.fields[1]
    with svc.db.read() as conn:
        row = tickets.find(conn, day, number)
    if row is None:
        _refuse(svc, staff_id, payload.text, "not_found",
                f"排队票 {number}（{day:%Y-%m-%d}）签名有效，但本大厅没有这张票的记录，请人工核对")
    _scanned(svc, staff_id, payload, row.status, ticket_id=row.id)
    tz = svc.settings.hall.tz
    # The row holds the stored code; the names are keyed by the StrEnum, whose members equal their codes.
    status = TICKET_STATUS.get(row.status, row.status)  # type: ignore[call-overload]
    lines = [("票号", number), ("状态", status), ("取号时间", f"{row.issued_at.astimezone(tz):%H:%M}")]
    if row.holder_name:
        lines.append(("持卡人", mask_name(row.holder_name)))
    if row.called_at:
        lines.append(("叫号时间", f"{row.called_at.astimezone(tz):%H:%M}"))
    if row.counter_code:
        lines.append(("窗口", row.counter_code))
    return SlipScan("ticket", f"排队票 {number}", f"排队票 {number}：{status}", tuple(lines), ticket_id=row.id)


def _scan_appointment(svc: Services, payload: payloads.Payload, session: StaffSession) -> SlipScan:
    staff_id = session.staff_id
    appointment_id = int(payload.fields[0])
    number = appointment_no(appointment_id)
    try:
        view = check_in(svc, session, appointment_id, verify=lambda row: _as_on_slip(svc, payload, row))
    except _SlipRefused as refused:
        _refuse(svc, staff_id, payload.text, refused.reason, refused.message)
    except QueueError as exc:
        _scanned(svc, staff_id, payload, f"refused: {exc}", appointment_id=appointment_id)
        return SlipScan("appointment", f"预约回执 {number}", f"预约回执有效，但不能签到：{exc}",
                        (("预约编号", number), ("日期", f"{payload.day:%Y-%m-%d}")))
    _scanned(svc, staff_id, payload, "checked_in", appointment_id=appointment_id, ticket_id=view.id)
    # Two numbers: the appointment's (000026, on the slip) and the queue ticket's (B003, called out).
    lines = [("排队号" if view.kind is TicketKind.APPOINTMENT else "现场号", view.number), ("预约编号", number),
             ("时段", view.slot), ("持卡人", mask_name(view.holder_name or "")), ("前面等候", f"{view.ahead or 0} 人")]
    return SlipScan("appointment", f"预约回执 {number}",
                    f"{view.message}，前面还有 {view.ahead or 0} 人。按 F10 打印排队票",
                    tuple((k, v) for k, v in lines if v), checked_in=True, ticket=view, ticket_id=view.id)


def _scan_visit(svc: Services, payload: payloads.Payload, staff_id: str | None) -> SlipScan:
    case_no = payload.fields[0]
    with svc.db.read() as conn:
        case_id = case_store.case_id_of(conn, case_no)
        view = case_at(conn, case_id) if case_id is not None else None
    slip = payloads.KIND_NAMES[payload.kind]  # 绿色通道引导单, or a 领证回执 (same case number)
    if view is None:
        _refuse(svc, staff_id, payload.text, "not_found",
                f"{slip} {case_no} 签名有效，但本大厅没有这个办件的记录，请人工核对")
    _scanned(svc, staff_id, payload, view.status, case_id=view.id)
    status = CASE_STATUS.get(view.status, view.status)
    lines = [("办件编号", view.case_no), ("状态", status), ("持卡人", mask_name(view.holder_name)),
             ("洽谈室", view.lounge_name or ""), ("协调员", view.coordinator.name if view.coordinator else "")]
    return SlipScan("visit", f"{slip} {case_no}", f"办件 {case_no}：{status}", tuple((k, v) for k, v in lines if v),
                    case=view, case_id=view.id)
