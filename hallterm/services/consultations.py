"""Early consultation (提前介入, S5; issue 13 point 4): log a contact, find it again, follow it up, and turn
it into an appointment or a case with the consultation linked, in the same transaction.

Each public call is one transaction that appends its events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from hallterm.domain.appointments import appointment_no
from hallterm.domain.cards import ScanError, parse_scan
from hallterm.domain.cases import CaseDraft
from hallterm.domain.consultations import (
    CHANNEL_NAMES,
    DEFAULT_FOLLOW_UP_WORKING_DAYS,
    STATUS_NAMES,
    Channel,
    ConsultationDraft,
    ConsultationError,
    ConsultationStatus,
    check_closable,
    check_convertible,
    check_draft,
    consultation_no,
)
from hallterm.domain.events import EventKind
from hallterm.services.appointment_slots import hall_hours
from hallterm.services.appointment_views import AppointmentView
from hallterm.services.appointments import book
from hallterm.services.case_views import CaseView
from hallterm.services.cases import open_case
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage import consultations as store
from hallterm.storage import events
from hallterm.storage.cases import holder_id as holder_of_card
from hallterm.storage.catalog import active_items
from hallterm.storage.consultations import ConsultationRow
from hallterm.storage.tickets import AppointmentRow


@dataclass(frozen=True)
class ConsultationView:
    id: int
    number: str  # ZX000012
    channel: Channel
    card_no: str  # "" for a company not yet carded
    holder_name: str
    company_name: str
    uscc: str
    section: str
    topic: str
    notes: str
    follow_up_on: dt.date
    status: ConsultationStatus
    logged_at: dt.datetime
    staff_id: str | None
    appointment_no: str  # "" until it became one
    case_id: int | None
    case_no: str
    closed_note: str

    @property
    def subject(self) -> str:
        """Who was consulted, as staff read it: the holder (and the company), or the company not yet carded."""
        if self.card_no:
            return f"{self.holder_name}（{self.card_no}）" + (f"　{self.company_name}" if self.company_name else "")
        return f"{self.company_name}（未办卡）"

    @property
    def channel_name(self) -> str:
        return CHANNEL_NAMES[self.channel]

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def became(self) -> str:
        """What it was turned into: 预约 000042、办件 210300-…; "" when nothing yet."""
        parts = ([f"预约 {self.appointment_no}"] if self.appointment_no else []) + \
            ([f"办件 {self.case_no}"] if self.case_no else [])
        return "、".join(parts)

    def due(self, today: dt.date) -> bool:
        return self.status is ConsultationStatus.OPEN and self.follow_up_on <= today

    def as_json(self) -> dict[str, object]:
        return {"number": self.number, "channel": self.channel.value, "section": self.section, "topic": self.topic,
                "follow_up_on": self.follow_up_on.isoformat(), "status": self.status.value,
                "logged_at": self.logged_at.isoformat(), "company": self.company_name,
                "appointment": self.appointment_no or None, "case_no": self.case_no or None}


def _view(row: ConsultationRow) -> ConsultationView:
    return ConsultationView(row.id, consultation_no(row.id), Channel(row.channel), row.card_no, row.holder_name,
                            row.company_name, row.uscc, row.section, row.topic, row.notes, row.follow_up_on,
                            ConsultationStatus(row.status), row.logged_at, row.staff_id,
                            appointment_no(row.appointment_id) if row.appointment_id else "", row.case_id,
                            row.case_no, row.closed_note)


def sections(svc: Services) -> tuple[str, ...]:
    """The sections a consultation can be logged for: those taking appointments (assets/hours.toml) first,
    then the approval sections of the item catalog (S5: the approval sections step in early)."""
    with svc.db.read() as conn:
        departments = [i.department for i in active_items(conn)]
    return tuple(dict.fromkeys([*hall_hours(svc).sections, *departments]))


def default_follow_up(svc: Services) -> dt.date:
    """The follow-up date left blank: a few working days ahead (the hall's working-day calendar)."""
    day, _estimated = svc.work_calendar.add_working_days_estimated(svc.today(), DEFAULT_FOLLOW_UP_WORKING_DAYS)
    return day


def log_consultation(svc: Services, session: StaffSession, draft: ConsultationDraft) -> ConsultationView:
    """Log a contact before any application (S5); refused in Chinese for anything that cannot stand."""
    session.require("consult")
    if draft.card_no.strip():  # typed or scanned: the desk's own reading of a card (full-width, lower case …)
        try:
            scan = parse_scan(draft.card_no, svc.card_format)
        except ScanError as exc:
            raise ConsultationError(f"{exc}；尚未办卡的企业请清空卡号、填写企业名称") from None
        if scan.kind != "card":
            raise ConsultationError("这不是钢都英才卡号：请扫描持卡人的卡")
        draft = dataclasses.replace(draft, card_no=scan.card_no)
    checked = check_draft(draft, today=svc.today(), sections=sections(svc), default_follow_up=default_follow_up(svc))
    now = svc.now()
    with svc.db.write() as conn:
        holder_id = None
        if checked.card_no:
            holder_id = holder_of_card(conn, checked.card_no)
            if holder_id is None:
                raise ConsultationError(f"卡号 {checked.card_no} 不在人才名册中：请核对卡号；"
                                        "尚未办卡的企业请清空卡号、填写企业名称")
        consultation_id = store.insert_consultation(
            conn, channel=checked.channel.value, holder_id=holder_id, company_name=checked.company_name,
            uscc=checked.uscc, section=checked.section, topic=checked.topic, notes=checked.notes,
            follow_up_on=checked.follow_up_on, status=ConsultationStatus.OPEN.value, staff_id=session.staff_id,
            logged_at=now, closed_note="")
        assert checked.follow_up_on is not None
        events.append(conn, EventKind.CONSULTATION_LOGGED, now, staff_id=session.staff_id,
                      card_no=checked.card_no or None, consultation_id=consultation_id,
                      number=consultation_no(consultation_id), channel=checked.channel.value,
                      section=checked.section, topic=checked.topic, company=checked.company_name,
                      follow_up_on=checked.follow_up_on.isoformat())
        row = store.get(conn, consultation_id)
    assert row is not None
    return _view(row)


def find_consultations(svc: Services, text: str = "", *, due_only: bool = False) -> list[ConsultationView]:
    """Search by holder, card number, company, credit code or topic (newest first); ``due_only``: the open
    follow-ups due today or earlier, the oldest due first."""
    with svc.db.read() as conn:
        rows = store.find(conn, text=text, statuses=[ConsultationStatus.OPEN.value] if due_only else None,
                          due_by=svc.today() if due_only else None)
    return [_view(r) for r in rows]


def consultations_of_case(svc: Services, case_id: int) -> list[ConsultationView]:
    """Where a case came from (S5): the consultations turned into it."""
    with svc.db.read() as conn:
        return [_view(r) for r in store.of_case(conn, case_id)]


def get_consultation(svc: Services, consultation_id: int) -> ConsultationView:
    with svc.db.read() as conn:
        return _view(_get(conn, consultation_id))


def _get(conn: Connection, consultation_id: int, *, lock: bool = False) -> ConsultationRow:
    row = store.get(conn, consultation_id, lock=lock)
    if row is None:
        raise ConsultationError(f"找不到咨询 {consultation_no(consultation_id)}：请刷新列表")
    return row


def close_consultation(svc: Services, session: StaffSession, consultation_id: int, note: str) -> ConsultationView:
    """Followed up, nothing more to do: off the follow-up list, with what came of it."""
    session.require("consult")
    now = svc.now()
    with svc.db.write() as conn:
        row = _get(conn, consultation_id, lock=True)
        number = consultation_no(row.id)
        text = check_closable(ConsultationStatus(row.status), number, note)
        if not store.set_values(conn, row.id, expect_status=row.status, status=ConsultationStatus.CLOSED.value,
                                closed_note=text):
            raise ConsultationError(f"咨询 {number} 刚刚已在其他终端改动：请刷新后再试")
        events.append(conn, EventKind.CONSULTATION_CLOSED, now, staff_id=session.staff_id,
                      card_no=row.card_no or None, consultation_id=row.id, number=number, note=text)
        done = _get(conn, row.id)
    return _view(done)


def _precheck(svc: Services, consultation_id: int, target: str) -> ConsultationRow:
    """Refuse before booking or opening anything: the same check runs again inside the transaction."""
    with svc.db.read() as conn:
        row = _get(conn, consultation_id)
    _check(row, target)
    return row


def _check(row: ConsultationRow, target: str) -> None:
    linked = (appointment_no(row.appointment_id) if row.appointment_id else "") if target == "预约" else row.case_no
    check_convertible(ConsultationStatus(row.status), consultation_no(row.id), has_holder=bool(row.card_no),
                      target=target, linked=linked)


def _link(conn: Connection, svc: Services, staff_id: str, consultation_id: int, target: str, *,
          appointment_id: int | None = None, case_id: int | None = None, case_no: str = "") -> None:
    row = _get(conn, consultation_id, lock=True)
    _check(row, target)  # another terminal may have converted it since the pre-check
    values: dict[str, object] = {"status": ConsultationStatus.CONVERTED.value, "converted_at": svc.now()}
    if appointment_id is not None:
        values["appointment_id"] = appointment_id
    if case_id is not None:
        values["case_id"] = case_id
    number = consultation_no(row.id)
    if not store.set_values(conn, row.id, expect_status=row.status, **values):
        raise ConsultationError(f"咨询 {number} 刚刚已在其他终端改动：请刷新后再试")
    details: dict[str, Any] = {"consultation_id": row.id, "number": number, "section": row.section,
                                  "topic": row.topic}
    if appointment_id is not None:
        details.update(to="appointment", appointment_id=appointment_id, appointment=appointment_no(appointment_id))
    else:
        details.update(to="case", case_no=case_no)
    events.append(conn, EventKind.CONSULTATION_CONVERTED, svc.now(), staff_id=staff_id, case_id=case_id,
                  card_no=row.card_no or None, **details)


def book_from_consultation(svc: Services, session: StaffSession, consultation_id: int, day: dt.date,
                           slot_start: str, *, section: str | None = None, items: str = "",
                           phone: str | None = None, note: str = "") -> AppointmentView:
    """Book an appointment for the consultation's holder (the booking screen, preset); the consultation is
    linked to it in the booking's own transaction."""
    session.require("consult")
    row = _precheck(svc, consultation_id, "预约")

    def link(conn: Connection, booked: AppointmentRow) -> None:
        _link(conn, svc, session.staff_id, consultation_id, "预约", appointment_id=booked.id)

    view = book(svc, session, row.card_no, day, slot_start, section=section, items=items, phone=phone, note=note,
                within=link)
    return dataclasses.replace(view, message=f"{view.message}（由咨询 {consultation_no(row.id)} 转）")


def open_case_from_consultation(svc: Services, session: StaffSession, consultation_id: int,
                                draft: CaseDraft) -> CaseView:
    """Open a case for the consultation's holder (the case form, preset); the consultation is linked to it and
    a CONSULTATION_CONVERTED event names the case, in the case's own transaction (S5: it remembers)."""
    session.require("consult")
    row = _precheck(svc, consultation_id, "办件")
    if draft.card_no != row.card_no:
        raise ConsultationError(f"办件的持卡人（{draft.card_no}）与咨询 {consultation_no(row.id)} 的持卡人"
                                f"（{row.card_no}）不同：请从咨询列表重新按键转办件")

    def link(conn: Connection, case_id: int, case_no: str) -> None:
        _link(conn, svc, session.staff_id, consultation_id, "办件", case_id=case_id, case_no=case_no)

    return open_case(svc, session, draft, within=link)
