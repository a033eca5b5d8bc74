"""The missing-documents checklist of a case, as use cases: ticking materials, acceptance,
conditional acceptance (容缺受理) and its supplements, the notices they issue, and special-procedure
pauses (S1, S6, S7). The checklist as read is in ``checklist_sheet``; the sweep and the hall's
deadline counts are in ``deadline_sweep``.

Each public call is one write transaction that appends its events; notices are saved as data
(``documents``) with their numbers, for the slips issue to print.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from hallterm.domain import documents as docs
from hallterm.domain.checklist import (
    ACCEPTED_STATUSES,
    CLOCK_STATUSES,
    Decision,
    ItemStatus,
    MaterialForm,
    MaterialKind,
    materials_verdict,
    owes_supplement,
    supplement_deadline,
)
from hallterm.domain.deadlines import due_date
from hallterm.domain.events import EventKind
from hallterm.domain.service_mode import MODE_NAMES, ServiceMode, follow_checklist
from hallterm.services.checklist_sheet import (
    CaseChecklist,
    ChecklistError,
    IssuedDocument,
    ItemChecklist,
    item_row,
    load,
    load_in,
    work_calendar,
)
from hallterm.services.context import Services
from hallterm.services.deadline_sweep import store_due
from hallterm.services.staff import StaffSession
from hallterm.storage import case_items, catalog, events, sequences
from hallterm.storage import cases as case_store
from hallterm.storage import documents as document_store
from hallterm.storage.case_items import ItemRow


def tick(svc: Services, session: StaffSession, case_item_id: int, material_id: int, *, received: bool,
         form: str = "original", note: str = "", correction: bool = False) -> CaseChecklist:
    """Record a material received (original or copy, with a note) or take the tick back.

    Once an item is decided the ticks are the basis of a notice the applicant holds: after 受理 or
    容缺受理 a received material cannot be taken back (the 受理通知书 says the file is complete;
    supplements are still ticked, S7). After a one-time notice the applicant comes back with what it
    listed, so ticking stays open, but taking a tick back needs ``correction`` and is recorded: a
    second notice asking for more than the first is what 一次性告知 forbids (S6, S1).
    """
    session.require("checklist")
    if form not in set(MaterialForm):
        raise ChecklistError("材料形式应为原件或复印件")
    with svc.db.write() as conn:
        case_id = _tick_in(svc, conn, session, case_item_id, material_id, received=received, form=form, note=note,
                           correction=correction)
        return load_in(svc, conn, case_id)


def receive_many(svc: Services, session: StaffSession, case_item_id: int, material_ids: list[int], *,
                 form: str = "original") -> CaseChecklist:
    """Several materials received at once (the papers a visitor hands over together): one transaction,
    each recorded as ``tick`` records it."""
    session.require("checklist")
    if form not in set(MaterialForm):
        raise ChecklistError("材料形式应为原件或复印件")
    with svc.db.write() as conn:
        case_id = item_row(conn, case_item_id).case_id
        for material_id in material_ids:
            _tick_in(svc, conn, session, case_item_id, material_id, received=True, form=form, note="",
                     correction=False)
        return load_in(svc, conn, case_id)


def _tick_in(svc: Services, conn: Connection, session: StaffSession, case_item_id: int, material_id: int, *,
             received: bool, form: str, note: str, correction: bool) -> int:
    """``tick`` inside the caller's transaction; returns the case id."""
    now = svc.now()
    row = item_row(conn, case_item_id)
    material = catalog.material(conn, material_id)
    if material is None or material.item_code != row.item_code:
        raise ChecklistError("该材料不属于这个事项")
    before = case_items.check_of(conn, case_item_id, material_id)
    was_received = bool(before and before.received)
    if was_received == received and (not received or (before is not None and before.form == form
                                                      and before.note == note.strip())):
        # Already so (the same tick sent again after an outage lost its answer): nothing to record twice.
        return row.case_id
    kind = EventKind.MATERIAL_RECEIVED if received else EventKind.MATERIAL_UNTICKED
    if was_received and not received:
        if row.status in ACCEPTED_STATUSES:
            raise ChecklistError(_untick_refusal(row, material.name))
        if row.status == ItemStatus.NOT_ACCEPTED:
            if not correction:
                raise ChecklistError(f"已出具一次性告知书：把“{material.name}”改为未收须确认更正")
            kind = EventKind.MATERIAL_CORRECTED  # after a one-time notice: on the record (S1)
    elif received and not was_received and owes_supplement(row.status, row.decision):
        kind = EventKind.MATERIAL_SUPPLEMENTED  # 边办边补 (S7)
    elif received and was_received:
        kind = EventKind.MATERIAL_UPDATED  # form or note only
    # Keep the first arrival time: it dates the receipt (and a completed supplement, S7).
    received_at = (before.received_at if was_received and before is not None and before.received_at
                   else now) if received else None
    values = {"received": received, "form": form if received else "", "note": note.strip(),
              "received_at": received_at, "staff_id": session.staff_id}
    case_items.save_check(conn, case_item_id, material_id, values)
    events.append(conn, kind, now, staff_id=session.staff_id, case_id=row.case_id, item=row.item_code,
                  material=material.name, form=values["form"], note=values["note"], status=row.status)
    if owes_supplement(row.status, row.decision):
        _complete_supplement(svc, conn, session, row.case_id, case_item_id, row.status)
    return row.case_id


def _untick_refusal(row: ItemRow, material: str) -> str:
    if row.decision == Decision.CONDITIONAL.value:
        return (f"该事项已容缺受理（{row.accepted_on:%Y-%m-%d}），承诺书和通知书已出具："
                f"“{material}”已收，不能改为未收；补正材料照常按空格登记")
    return (f"该事项已受理（{row.accepted_on:%Y-%m-%d}），受理通知书已出具："
            f"“{material}”已收，不能改为未收")


def _refuse_if_decided(row: ItemRow, what: str) -> None:
    """After 受理 or 容缺受理 the notice issued rests on these facts: they are not changed here."""
    if row.status in ACCEPTED_STATUSES:
        name = "容缺受理" if row.decision == Decision.CONDITIONAL.value else "受理"
        raise ChecklistError(f"该事项已{name}（{row.accepted_on:%Y-%m-%d}），通知书已出具：不能再更改{what}")


def set_applies(svc: Services, session: StaffSession, case_item_id: int, material_id: int,
                applies: bool) -> CaseChecklist:
    """Whether a conditional material's condition holds for this applicant."""
    session.require("checklist")
    with svc.db.write() as conn:
        row = item_row(conn, case_item_id)
        _refuse_if_decided(row, "条件材料是否适用")
        kind = catalog.material(conn, material_id)
        if kind is None or kind.kind != MaterialKind.CONDITIONAL.value:
            raise ChecklistError("只有条件材料需要确认是否适用")
        case_items.save_check(conn, case_item_id, material_id, {"applies": applies})
        events.append(conn, EventKind.MATERIAL_CONDITION, svc.now(), staff_id=session.staff_id, case_id=row.case_id,
                      item=row.item_code, material=kind.name, applies=applies)
        return load_in(svc, conn, row.case_id)


def set_fees_paid(svc: Services, session: StaffSession, case_item_id: int, paid: bool) -> CaseChecklist:
    session.require("checklist")
    with svc.db.write() as conn:
        row = item_row(conn, case_item_id)
        if not paid:  # paying later stays possible (fees may fall due after 受理); unpaying does not
            _refuse_if_decided(row, "缴费状态")
        case_items.set_item(conn, case_item_id, fees_paid=paid)
        events.append(conn, EventKind.FEES_PAID if paid else EventKind.FEES_UNPAID, svc.now(),
                      staff_id=session.staff_id, case_id=row.case_id, item=row.item_code)
        return load_in(svc, conn, row.case_id)


# -- deciding ---------------------------------------------------------------------------------------


def decide_item(svc: Services, session: StaffSession, case_item_id: int, *,
                commitment_signed: bool = False, one_time_notice: bool = False,
                ) -> tuple[CaseChecklist, list[IssuedDocument]]:
    """Act on the live decision: accept (受理), accept conditionally with the commitment the
    applicant signs (容缺受理), or issue the one-time notice of every missing material (指导办).
    Returns the notices.

    When 容缺 is possible the applicant chooses: ``commitment_signed`` (the 承诺书 is printed for
    signing) or ``one_time_notice`` — an applicant who will not commit is told everything missing
    at once and accepted when it is complete (S7, S6: 一次性告知).
    """
    session.require("checklist")
    now = svc.now()
    today = svc.today()
    cal = work_calendar(svc)
    with svc.db.write() as conn:
        row = item_row(conn, case_item_id)
        if row.status in ACCEPTED_STATUSES:
            raise ChecklistError("该事项已经受理")
        if commitment_signed and not row.commitment_signed:
            case_items.set_item(conn, case_item_id, commitment_signed=True)
        sheet = load_in(svc, conn, row.case_id)
        item = next(i for i in sheet.items if i.case_item_id == case_item_id)
        decision = item.decision
        declined = one_time_notice and decision.decision is Decision.CONDITIONAL_NEEDS_COMMITMENT
        if declined:
            decision = dataclasses.replace(decision, decision=Decision.NOT_ACCEPTED,
                                           reasons=("申请人不愿签署容缺受理承诺书",))
        base = _doc_base(sheet, item, today)
        series = str(base["abbreviation"])
        # The notices are numbered last, just before the commit: a notice's yearly counter is one row that
        # every desk's decisions share, locked from the number to the commit (gapless numbers, S1), so
        # everything that needs no number happens before it (issue 17 point 5: 50 desks on one server).
        notices: list[tuple[docs.DocumentKind, Callable[[int], docs.Document]]] = []
        values: dict[str, object] = {"decision": decision.decision.value}
        if decision.decision is Decision.ACCEPTED:
            deadline = due_date(cal, today, item.promised_days, (), as_of=today)
            values.update(status=ItemStatus.ACCEPTED, accepted_on=today, due_on=deadline.due,
                          due_estimated=deadline.estimated)
            notices.append((docs.DocumentKind.ACCEPTANCE_NOTICE, lambda seq: (
                docs.acceptance_notice(seq=seq, **base, accepted_on=today, promised_days=item.promised_days,
                                       promised_date=deadline.due, estimated=deadline.estimated,
                                       staff_name=session.name, staff_phone=session.extension))))
        elif decision.decision is Decision.CONDITIONAL:
            deadline = due_date(cal, today, item.promised_days, (), as_of=today)
            supplement_by, estimated = supplement_deadline(cal, today, max(1, item.promised_days))
            missing = docs.missing_materials(m.state() for m in item.materials)
            values.update(status=ItemStatus.CONDITIONAL, accepted_on=today, due_on=deadline.due,
                          due_estimated=deadline.estimated or estimated, supplement_due_on=supplement_by)
            notices.append((docs.DocumentKind.CONDITIONAL_COMMITMENT, lambda seq: (
                docs.conditional_commitment(seq=seq, **base, missing=missing, supplement_by=supplement_by,
                                            estimated=estimated))))
            notices.append((docs.DocumentKind.CONDITIONAL_NOTICE, lambda seq: (
                docs.conditional_notice(seq=seq, **base, accepted_on=today, missing=missing,
                                        supplement_by=supplement_by, estimated=estimated))))
        elif decision.decision is Decision.NOT_ACCEPTED:
            missing = docs.missing_materials(m.state() for m in item.materials)
            values.update(status=ItemStatus.NOT_ACCEPTED)
            section = "企业登记科" if item.department == "企业登记科" else "业务协调科"
            notices.append((docs.DocumentKind.ONE_TIME_NOTICE, lambda seq: (
                docs.one_time_notice(seq=seq, **base, missing=missing, guide_section=section))))
        else:
            raise ChecklistError("仅缺次要材料，可容缺受理：申请人愿意签署容缺受理承诺书的，选择容缺受理；"
                                 "不愿承诺的，选择出具一次性告知书")
        case_items.set_item(conn, case_item_id, **values)
        after = load_in(svc, conn, row.case_id)
        mode_change = _mode_change(after)
        issued = [_issue(conn, svc, session, row, kind, series, build) for kind, build in notices]
        kind = EventKind(f"item_{decision.decision.value}")  # one kind per decision
        events.append(conn, kind, now, staff_id=session.staff_id, case_id=row.case_id,
                      item=row.item_code, missing=[m.name for m in decision.missing],
                      documents=[d.number for d in issued], declined_commitment=declined)
        if mode_change is not None:
            _apply_mode_change(svc, conn, session, after, *mode_change)
    if mode_change is not None:
        after = load(svc, row.case_id)  # the case's new mode, read after the commit
    return after, issued


def _follow_checklist(svc: Services, conn: Connection, session: StaffSession, sheet: CaseChecklist) -> bool:
    """The case's mode follows what the checklist decided (S1): 待定 becomes 马上办 once every item
    is accepted, 指导办 once one is accepted conditionally (S7) or given a one-time notice (S6);
    the change is on the record. True when the mode changed."""
    change = _mode_change(sheet)
    if change is None:
        return False
    _apply_mode_change(svc, conn, session, sheet, *change)
    return True


def _mode_change(sheet: CaseChecklist) -> tuple[ServiceMode, str] | None:
    """The mode the checklist now calls for and why, or None when it stays."""
    before = sheet.case.service_mode
    statuses = [i.status for i in sheet.items]
    complete = materials_verdict(statuses)
    after = follow_checklist(before, complete)
    if after is before:
        return None
    if complete:
        why = "全部事项受理，资料齐全"
    elif ItemStatus.CONDITIONAL in statuses:
        why = "容缺受理，资料不全、边办边补"
    else:
        why = "资料不全，已一次性告知"
    return after, why


def _apply_mode_change(svc: Services, conn: Connection, session: StaffSession, sheet: CaseChecklist,
                       after: ServiceMode, why: str) -> None:
    before = sheet.case.service_mode
    case_store.set_case(conn, sheet.case.id, service_mode=after.value)
    events.append(conn, EventKind.SERVICE_MODE_DECIDED, svc.now(), staff_id=session.staff_id,
                  case_id=sheet.case.id, suggested=before.value, chosen=after.value,
                  reason=f"{why}：{MODE_NAMES[before]}→{MODE_NAMES[after]}")


def _complete_supplement(svc: Services, conn: Connection, session: StaffSession, case_id: int,
                         case_item_id: int, status: str) -> None:
    """A conditional item whose last missing material arrived becomes an ordinary accepted one
    (one already in review stays in review, its supplements now complete)."""
    sheet = load_in(svc, conn, case_id)
    item = next(i for i in sheet.items if i.case_item_id == case_item_id)
    if item.decision.decision is Decision.ACCEPTED:
        after = ItemStatus.ACCEPTED if status == ItemStatus.CONDITIONAL else status
        case_items.set_item(conn, case_item_id, status=after, decision=Decision.ACCEPTED.value)
        events.append(conn, EventKind.SUPPLEMENT_COMPLETE, svc.now(), staff_id=session.staff_id, case_id=case_id,
                      item=item.item_code)


def _doc_base(sheet: CaseChecklist, item: ItemChecklist, today: dt.date) -> dict[str, Any]:
    applicant = sheet.case.enterprise_name or sheet.case.project_name or sheet.case.holder_name
    # S2: the case's handling bureau issues its notices (and receives the 承诺书), not always the city.
    try:
        issuer = docs.issuer_for(sheet.case.jurisdiction, sheet.case.district)
    except docs.DocumentError as exc:
        raise ChecklistError(str(exc)) from exc
    return {"case_no": sheet.case.case_no, "issued_on": today, "applicant": applicant, "item_name": item.item_name,
            "issuer": issuer.name, "abbreviation": issuer.abbreviation}


def _issue(conn: Connection, svc: Services, session: StaffSession, row: ItemRow, kind: docs.DocumentKind,
           abbreviation: str, build: Callable[[int], docs.Document]) -> IssuedDocument:
    """Number a notice from its issuer's yearly counter and save it as data."""
    year = svc.today().year
    # Each bureau numbers its own notices; the city's series keeps its original key.
    series = f"doc:{kind.value}" if abbreviation == docs.ISSUER_ABBREVIATION else f"doc:{kind.value}:{abbreviation}"
    seq = sequences.next_value(conn, series, dt.date(year, 1, 1))
    document = build(seq)
    content = json.loads(json.dumps(dataclasses.asdict(document), default=_json_default, ensure_ascii=False))
    number = document.header.number
    document_id = document_store.insert_document(
        conn, case_id=row.case_id, case_item_id=row.id, kind=kind.value, number=number, issued_at=svc.now(),
        staff_id=session.staff_id, content=content)
    events.append(conn, EventKind.DOCUMENT_ISSUED, svc.now(), staff_id=session.staff_id, case_id=row.case_id,
                  document_kind=kind.value, number=number)
    return IssuedDocument(document_id, kind.value, number, docs.TITLES[kind])


def _json_default(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def case_documents(svc: Services, case_id: int) -> list[IssuedDocument]:
    with svc.db.read() as conn:
        rows = document_store.of_case(conn, case_id)
    return [IssuedDocument(r.id, r.kind, r.number, docs.TITLES[docs.DocumentKind(r.kind)]) for r in rows]


# -- special procedures (S6) ------------------------------------------------------------------------


def pause_item(svc: Services, session: StaffSession, case_item_id: int, procedure: str, *,
               expected_working_days: int) -> tuple[CaseChecklist, IssuedDocument]:
    """Stop the item's clock for a special procedure and issue the 特殊程序告知书."""
    session.require("checklist")
    today = svc.today()
    with svc.db.write() as conn:
        row = item_row(conn, case_item_id)
        if row.status not in CLOCK_STATUSES:
            raise ChecklistError("只有已受理、尚未作出决定的事项可以进入特殊程序")
        if case_items.has_running_pause(conn, case_item_id):
            raise ChecklistError("该事项已在特殊程序中，请先结束当前程序")
        sheet = load_in(svc, conn, row.case_id)
        item = next(i for i in sheet.items if i.case_item_id == case_item_id)
        base = _doc_base(sheet, item, today)
        notice = _issue(conn, svc, session, row, docs.DocumentKind.SPECIAL_PROCEDURE_NOTICE,
                        str(base["abbreviation"]), lambda seq: docs.special_procedure_notice(
                            seq=seq, **base, procedure=procedure, started_on=today,
                            expected_working_days=expected_working_days))
        case_items.start_pause(conn, case_item_id, procedure, today, session.staff_id)
        events.append(conn, EventKind.CLOCK_PAUSED, svc.now(), staff_id=session.staff_id, case_id=row.case_id,
                      item=row.item_code, procedure=procedure, document=notice.number)
        store_due(svc, conn, case_item_id)
        return load_in(svc, conn, row.case_id), notice


def resume_item(svc: Services, session: StaffSession, case_item_id: int) -> CaseChecklist:
    session.require("checklist")
    today = svc.today()
    with svc.db.write() as conn:
        row = item_row(conn, case_item_id)
        done = case_items.end_pauses(conn, case_item_id, today)
        if not done:
            raise ChecklistError("该事项没有进行中的特殊程序")
        events.append(conn, EventKind.CLOCK_RESUMED, svc.now(), staff_id=session.staff_id, case_id=row.case_id,
                      item=row.item_code)
        store_due(svc, conn, case_item_id)
        return load_in(svc, conn, row.case_id)
