"""The slips as they print, built from what the queue and the case code return (``TicketView``,
``CaseView``, a booked appointment): names, places and times for the visitor, and the signed payload."""

from __future__ import annotations

import datetime as dt

from hallterm.domain.appointments import appointment_no
from hallterm.domain.cards import ScanError
from hallterm.domain.cases import CaseStatus
from hallterm.domain.events import EventKind
from hallterm.domain.floors import floor_name
from hallterm.printing.slip_layouts import AppointmentSlip, HandoutReceipt, ItemToBring, TicketSlip, VisitSlip
from hallterm.services.after_hours import duty_period
from hallterm.services.case_views import CaseView
from hallterm.services.context import Services
from hallterm.services.handout import HandedOut, HandoutResult
from hallterm.services.reference import read_reference
from hallterm.services.signing import appointment_payload, handout_payload, ticket_payload, visit_payload
from hallterm.services.ticket_view import TicketView
from hallterm.storage import catalog, tickets
from hallterm.storage import events as event_store


def waiting_place(svc: Services) -> str:
    """Where walk-ins wait: the hall's green zone (assets/hall.toml ``green_zone``)."""
    try:
        zone = read_reference(svc.settings.paths.assets_dir).hall.green_zone
    except Exception:  # reference errors are reported where the files are loaded; a slip still prints
        zone = ""
    return f"{zone}等候区" if zone else "绿色通道等候区"


def ticket_slip(svc: Services, view: TicketView) -> TicketSlip:
    """The queue ticket of a ticket just issued (at the calling screen or at an appointment check-in)."""
    p = svc.settings
    issued = view.issued_at.astimezone(p.hall.tz)
    series_name = "预约签到" if view.kind == "appointment" else "绿色通道现场取号"
    return TicketSlip(view.number, series_name, issued, view.ahead or 0, waiting_place(svc),
                      ticket_payload(svc, issued.date(), view.number), name=view.holder_name or "",
                      slot=view.slot or "", hall_name=p.hall.name, bilingual=p.printing.bilingual)


def appointment_slip(svc: Services, appointment_id: int) -> AppointmentSlip:
    """The AppointmentSlip of a booked appointment: its items with the materials to bring, from the catalog."""
    with svc.db.read() as conn:
        row = tickets.get_appointment(conn, appointment_id)
        if row is None:
            raise ScanError(f"找不到预约 {appointment_no(appointment_id)}：请核对预约回执上的编号")
        codes = [c for c in row.item_codes.replace("，", ",").replace(" ", ",").split(",") if c]
        names = catalog.item_names(conn, codes)
        bring: dict[str, list[str]] = {code: [] for code in codes}
        for m in catalog.active_materials(conn, codes):
            extra = "；".join(p for p in (m.condition, m.note) if p)
            bring[m.item_code].append(m.name + (f"（{extra}）" if extra else ""))
        green = tickets.counters_of_kind(conn, "green")
    p = svc.settings
    to_bring = tuple(ItemToBring(names.get(code, code), tuple(bring[code])) for code in codes)
    floor = green[0].floor if green else None
    room = "绿色通道窗口"
    return AppointmentSlip(f"{row.id:06d}", row.day, row.slot_start, row.slot_end, to_bring, floor, room,
                           appointment_payload(svc, row.id, row.day, row.slot_start), name=row.holder_name,
                           check_in_at=f"{floor_name(floor)}绿色通道窗口", after_hours=row.after_hours,
                           hall_name=p.hall.name, bilingual=p.printing.bilingual, section=row.section)


def visit_slip(svc: Services, view: CaseView) -> VisitSlip:
    """The visit slip of a case (after it is opened and routed, S9)."""
    p = svc.settings
    opened = view.opened_at.astimezone(p.hall.tz)
    coordinator = ""
    if view.coordinator is not None:
        ext = f"（分机 {view.coordinator.extension}）" if view.coordinator.extension else ""
        coordinator = view.coordinator.name + ext
    today = svc.now().astimezone(p.hall.tz).date()
    return VisitSlip(view.case_no, opened, tuple(view.item_names), view.lounge_name or "", view.lounge_floor,
                     coordinator, visit_payload(svc, view.case_no, today), name=view.holder_name,
                     queue_position=view.queue_position, hall_name=p.hall.name, bilingual=p.printing.bilingual,
                     waiting_reason=waiting_reason(svc, view), duty=view.duty,
                     duty_period=duty_period(svc, opened) if view.duty else "",
                     proxy_note=proxy_note(svc, view))


def proxy_note(svc: Services, view: CaseView) -> str:
    """When the 帮办代办 staff member the form promised comes, for the visitor (S3): the routing
    panel's sentence is for staff. Empty when one is assigned or none is owed."""
    if view.proxy is not None or not view.proxy_reason:
        return ""
    with svc.db.read() as conn:
        details = event_store.latest_details(conn, case_id=view.id, kind=EventKind.PROXY_PENDING) or {}
    if not details.get("comes"):
        return "暂无人员排班，请到绿色通道窗口咨询"
    comes = dt.datetime.fromisoformat(details["comes"]).astimezone(svc.settings.hall.tz)
    if comes.date() == svc.now().astimezone(svc.settings.hall.tz).date():
        return f"暂不在岗，预计 {comes:%H:%M} 到岗后联系您"
    return f"今日已下班，最早 {comes:%m月%d日 %H:%M} 到岗后联系您"


def waiting_reason(svc: Services, view: CaseView) -> str:
    """Why a queued case waits, as the visit slip says it: the routing's recorded reason, shortened.

    The desk's routing panel shows the full sentence (with the section and advice for staff); the
    slip is for the visitor and narrow paper, so it keeps the cause and when coordinators return.
    Empty when the case is not queued (the slip then says nothing of waiting).
    """
    if view.status != CaseStatus.QUEUED.value:
        return ""
    with svc.db.read() as conn:
        details = event_store.latest_details(conn, case_id=view.id, kind=EventKind.CASE_QUEUED) or {}
    cause = details.get("cause")
    comes = dt.datetime.fromisoformat(details["comes"]) if details.get("comes") else None
    rooms = "洽谈室已满；" if details.get("lounge_full") and cause != "lounge_full" else ""
    if cause == "lounge_full":
        return "洽谈室已满，空出后按顺序为您安排"
    if cause == "returns_today" and comes is not None:
        return f"{rooms}协调员均不在岗，预计 {comes:%H:%M} 回岗"
    if cause == "off_duty" and comes is not None:
        return f"{rooms}协调员今日已下班，最早 {comes:%m月%d日 %H:%M} 到岗"
    if cause == "rest_day" and comes is not None:
        return f"{rooms}今日休息，协调员最早 {comes:%m月%d日 %H:%M} 到岗"
    if cause == "no_roster":
        return f"{rooms}暂无协调员排班，请到绿色通道窗口咨询"
    return view.queue_reason.split("；")[0]  # recorded before ``cause`` existed: its first clause


def handout_receipts(svc: Services, result: HandoutResult) -> list[HandoutReceipt]:
    """One 领证回执 per case handed out (S9), each with its signed QR."""
    p = svc.settings
    at = result.at.astimezone(p.hall.tz)
    return [_receipt(svc, result, case, at) for case in result.cases]


def _receipt(svc: Services, result: HandoutResult, case: HandedOut, at: dt.datetime) -> HandoutReceipt:
    p = svc.settings
    items = tuple(f"{name}（{number}）" if number else name for name, number in zip(case.item_names,
                                                                                   case.decision_nos, strict=True))
    recipient = result.recipient
    return HandoutReceipt(case.case_no, at, items, recipient.kind_name, recipient.name, recipient.id_masked,
                          result.counter_name, result.staff_name,
                          handout_payload(svc, case.case_no, case.handout_id, at.date()), name=result.holder_name,
                          hall_name=p.hall.name, bilingual=p.printing.bilingual)
