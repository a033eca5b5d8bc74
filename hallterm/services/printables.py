"""What the desk can preview and print for what is on it: the visit slip and the notices of a case,
or the queue ticket issued at an appointment check-in; the notices rebuilt from the data saved."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import cast

from hallterm.domain import documents as docs
from hallterm.domain.documents import Document
from hallterm.printing import notices, slip_layouts
from hallterm.printing.fonts import missing_glyphs
from hallterm.printing.slip_layouts import Slip
from hallterm.services.after_hours import HANDOVER_NAMES, Handover, HandoverKind, handover
from hallterm.services.case_views import CaseView
from hallterm.services.context import Services
from hallterm.services.handout import HandoutResult
from hallterm.services.print_jobs import PrintOutcome, glyph_warning, print_handover, print_notice, print_slip
from hallterm.services.slip_builders import appointment_slip, handout_receipts, ticket_slip, visit_slip
from hallterm.services.staff import StaffSession
from hallterm.services.ticket_view import TicketView
from hallterm.storage import documents as document_store


@dataclass(frozen=True)
class Printable:
    """A slip or notice ready to preview and print (built off the event loop: it signs a payload)."""

    kind: str  # ticket | appointment | visit | notice
    title: str
    preview: str  # the content as text, as it will print
    warnings: tuple[str, ...]
    item: Slip | Document
    case_id: int | None = None
    ticket_id: int | None = None
    bilingual: bool = False

    @property
    def number(self) -> str:
        """A notice's number (what the checklist's message names), "" for a slip."""
        item = self.item
        return item.header.number if isinstance(item, Document) else ""


def _slip_printable(slip: Slip, *, case_id: int | None = None, ticket_id: int | None = None) -> Printable:
    return Printable(slip.kind, slip.title, slip_layouts.preview(slip), glyph_warning(missing_glyphs(
        slip_layouts.visible_text(slip))), slip, case_id, ticket_id, slip.bilingual)


def _notice_printable(doc: Document, case_id: int | None, bilingual: bool) -> Printable:
    return Printable("notice", notices.title(doc), notices.preview(doc, bilingual=bilingual),
                     glyph_warning(notices.missing_in(doc, bilingual=bilingual)), doc, case_id, bilingual=bilingual)


def with_bilingual(printable: Printable, bilingual: bool) -> Printable:
    """The same slip or notice with English added (or taken away), for a foreign visitor."""
    item = printable.item
    if not isinstance(item, Document):
        return _slip_printable(dataclasses.replace(item, bilingual=bilingual), case_id=printable.case_id,
                               ticket_id=printable.ticket_id)
    return _notice_printable(item, printable.case_id, bilingual)


def printable_ticket(svc: Services, view: TicketView) -> Printable:
    """The queue ticket of a ``TicketView`` (e.g. the one issued when an appointment slip was scanned)."""
    return _slip_printable(ticket_slip(svc, view), ticket_id=view.id)


def printable_appointment(svc: Services, appointment_id: int) -> Printable:
    """The appointment slip (预约回执) of a booking: the slot, the section and the materials to bring."""
    return _slip_printable(appointment_slip(svc, appointment_id))


def print_appointment(svc: Services, appointment_id: int, *, session: StaffSession) -> PrintOutcome:
    """Print the appointment slip at once, as the booking is made (issue 12 point 3)."""
    return print_printable(svc, printable_appointment(svc, appointment_id), session=session)


def printables_for_case(svc: Services, view: CaseView) -> list[Printable]:
    """The visit slip of a case, then every notice issued for it (newest first)."""
    found = [_slip_printable(visit_slip(svc, view), case_id=view.id)]
    for doc in reversed(issued_documents(svc, view.id)):
        found.append(_notice_printable(doc, view.id, svc.settings.printing.bilingual))
    return found


def printables_for_handout(svc: Services, result: HandoutResult) -> list[Printable]:
    """The 领证回执 of a hand-out, one per case (S9)."""
    return [_slip_printable(r, case_id=case.case_id) for r, case in zip(handout_receipts(svc, result), result.cases,
                                                                        strict=True)]


def print_printable(svc: Services, printable: Printable, *, session: StaffSession) -> PrintOutcome:
    item = printable.item
    if not isinstance(item, Document):
        return print_slip(svc, item, session=session, case_id=printable.case_id, ticket_id=printable.ticket_id)
    return print_notice(svc, item, session=session, case_id=printable.case_id, bilingual=printable.bilingual)


def issued_documents(svc: Services, case_id: int) -> list[Document]:
    """The notices issued for a case, rebuilt from the data the checklist saved (oldest first)."""
    with svc.db.read() as conn:
        rows = document_store.of_case(conn, case_id)
    return [document_from_content(r.kind, r.content) for r in rows]


_NOTICE_CLASSES: dict[docs.DocumentKind, type[Document]] = {
    docs.DocumentKind.ACCEPTANCE_NOTICE: docs.AcceptanceNotice,
    docs.DocumentKind.ONE_TIME_NOTICE: docs.OneTimeNotice,
    docs.DocumentKind.CONDITIONAL_COMMITMENT: docs.ConditionalCommitment,
    docs.DocumentKind.CONDITIONAL_NOTICE: docs.ConditionalNotice,
    docs.DocumentKind.SPECIAL_PROCEDURE_NOTICE: docs.SpecialProcedureNotice,
}


def document_from_content(kind: str, content: dict[str, object]) -> Document:
    """A notice dataclass from its saved JSON (``dataclasses.asdict`` with ISO dates)."""

    def build(tp: object, value: object) -> object:
        # ``tp`` is a type hint of the notice dataclasses: a class, ``X | None`` or ``tuple[X, ...]``.
        if value is None:
            return None
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(tp) if a is not type(None)]
            return build(options[0], value)
        if origin is tuple:
            assert isinstance(value, list | tuple)
            return tuple(build(typing.get_args(tp)[0], v) for v in value)
        if tp is dt.date:
            assert isinstance(value, str)
            return dt.date.fromisoformat(value)
        if isinstance(tp, type) and issubclass(tp, Enum):
            return tp(value)
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            assert isinstance(value, dict)
            hints = typing.get_type_hints(tp)
            return tp(**{f.name: build(hints[f.name], value[f.name]) for f in dataclasses.fields(tp)})
        return value

    document = build(_NOTICE_CLASSES[docs.DocumentKind(kind)], content)
    assert isinstance(document, tuple(_NOTICE_CLASSES.values()))
    return cast(Document, document)


# --- the handover list (交接单, issue 12 point 6) --------------------------------------------------------


def handover_notice(svc: Services, listed: Handover, printed_by: str) -> notices.HandoverNotice:
    """The handover list as the A4/A5 notice the day shift signs."""
    tz = svc.settings.hall.tz
    now = svc.now().astimezone(tz)
    since = f"{listed.since.astimezone(tz):%m月%d日 %H:%M} 上次确认以来" if listed.since else "尚未确认过（全部记录）"
    sections = tuple((HANDOVER_NAMES[kind], tuple((e.reference, e.name, e.text) for e in listed.entries
                                                  if e.kind is kind))
                     for kind in HandoverKind)
    return notices.HandoverNotice(svc.settings.hall.name, f"JJ-{now:%Y%m%d-%H%M}", now, since, listed.summary,
                                  sections, printed_by)


def print_handover_list(svc: Services, session: StaffSession) -> PrintOutcome:
    """Print the handover list as it stands now (spooled first, listed by 补打 like every notice)."""
    listed = handover(svc)
    notice = handover_notice(svc, listed, session.name)
    return print_handover(svc, notice, session=session)
