"""The missing-documents checklist of a case: ticking materials, the live decision, acceptance,
conditional acceptance (容缺受理) and its supplements, special-procedure pauses, and the sweep
that closes conditional cases whose supplement deadline passed (S1, S6, S7).

Each public call is one write transaction that appends its events; notices are saved as data
(``documents``) with their numbers, for the slips issue to print.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from hallterm.domain import documents as docs
from hallterm.domain.cases import CaseStatus
from hallterm.domain.checklist import (
    ITEM_STATUS_NAMES,
    OPEN_ITEM_STATUSES,
    ChecklistDecision,
    ChecklistInput,
    Decision,
    ItemStatus,
    MaterialForm,
    MaterialKind,
    MaterialState,
    bar_until,
    decide,
    is_barred,
    supplement_deadline,
)
from hallterm.domain.deadlines import Deadline, DeadlineState, DeadlineStatus, Pause, classify, due_date
from hallterm.domain.errors import Refused
from hallterm.domain.events import EventKind
from hallterm.domain.workdays import HolidayDataMissing, WorkCalendar
from hallterm.services.case_views import CaseView, case_at
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage import case_items, catalog, events, holders, sequences
from hallterm.storage import cases as case_store
from hallterm.storage import documents as document_store
from hallterm.storage.case_items import ItemRow


class ChecklistError(Refused, ValueError):
    """A checklist action that cannot be done; ``str()`` is the Chinese message."""


@dataclass(frozen=True)
class MaterialRow:
    material_id: int
    name: str
    kind: MaterialKind
    condition: str
    catalog_note: str
    received: bool
    form: str  # original | copy | ""
    note: str
    applies: bool

    def state(self) -> MaterialState:
        return MaterialState(self.name, self.kind, self.received, self.applies, self.condition, self.note)


@dataclass(frozen=True)
class ItemChecklist:
    case_item_id: int
    item_code: str
    item_name: str
    department: str
    promised_days: int
    allow_conditional: bool
    clock_exempt: tuple[str, ...]
    status: ItemStatus
    fees_paid: bool
    commitment_signed: bool
    commitment_breached: bool
    materials: tuple[MaterialRow, ...]
    decision: ChecklistDecision  # live: recomputed from the rows above
    accepted_on: dt.date | None
    deadline: Deadline | None
    deadline_state: DeadlineState | None
    supplement_due_on: dt.date | None
    pauses: tuple[Pause, ...]
    # The day the last 容缺 supplement arrived (S7: 边办边补), once the item is accepted outright.
    supplemented_on: dt.date | None = None

    @property
    def decided(self) -> bool:
        """A notice has been issued for the item (受理, 容缺受理, 一次性告知) or it was returned."""
        return self.status != ItemStatus.RECEIVED

    @property
    def status_name(self) -> str:
        return ITEM_STATUS_NAMES[self.status]

    @property
    def running_pause(self) -> Pause | None:
        return next((p for p in self.pauses if p.running), None)


@dataclass(frozen=True)
class CaseChecklist:
    case: CaseView
    items: tuple[ItemChecklist, ...]
    barred_until: dt.date | None
    credit_barred: bool
    notes: tuple[str, ...]  # e.g. a deadline estimated past the holiday data


@dataclass(frozen=True)
class IssuedDocument:
    id: int
    kind: str
    number: str
    title: str


def _calendar(svc: Services) -> WorkCalendar:
    return svc.work_calendar


# -- reading ----------------------------------------------------------------------------------------


def load(svc: Services, case_id: int) -> CaseChecklist:
    with svc.db.read() as conn:
        return _load(svc, conn, case_id)


def _load(svc: Services, conn: Connection, case_id: int) -> CaseChecklist:
    view = case_at(conn, case_id)
    if view is None:
        raise ChecklistError("办件不存在")
    holder = holders.bars_of_case_holder(conn, case_id)
    today = svc.today()
    barred = holder.credit_barred or is_barred(today, holder.conditional_barred_until)
    cal = _calendar(svc)
    rows = case_items.items_of_case(conn, case_id)
    item_ids = [r.id for r in rows]
    checks = case_items.checks_of(conn, item_ids)
    pauses = case_items.pauses_of(conn, item_ids)
    materials: dict[str, list[catalog.MaterialEntry]] = {}
    for entry in catalog.active_materials(conn, sorted({r.item_code for r in rows})):
        materials.setdefault(entry.item_code, []).append(entry)
    notes: list[str] = []
    out = []
    for r in rows:
        mats = materials.get(r.item_code, [])
        material_rows = []
        for m in mats:
            check = checks.get((r.id, m.id))
            material_rows.append(MaterialRow(
                m.id, m.name, MaterialKind(m.kind), m.condition, m.note,
                bool(check and check.received), check.form if check else "", check.note if check else "",
                bool(check and check.applies)))
        decision = decide(ChecklistInput(tuple(m.state() for m in material_rows), r.fees_paid,
                                         r.allow_conditional, barred, r.commitment_signed,
                                         holder.conditional_barred_until))
        item_pause = tuple(pauses.get(r.id, ()))
        deadline = state = None
        if r.accepted_on is not None and r.status in (ItemStatus.ACCEPTED, ItemStatus.CONDITIONAL):
            deadline = due_date(cal, r.accepted_on, r.promised_days, item_pause, as_of=today)
            state = classify(cal, deadline, today)
            if state.estimated:
                notes.append(f"{r.name}的期限落在尚无节假日安排的年份，按周一至周五估算（估算），"
                             "添加该年安排后自动重新计算")
        supplemented_on = None
        if r.status == ItemStatus.ACCEPTED and r.supplement_due_on is not None:
            # Accepted conditionally, then completed: the last material's arrival is the day (S7).
            times = [c.received_at for (item_id, _), c in checks.items()
                     if item_id == r.id and c.received and c.received_at is not None]
            if times:
                supplemented_on = max(times).astimezone(svc.settings.hall.tz).date()
        out.append(ItemChecklist(r.id, r.item_code, r.name, r.department, r.promised_days, r.allow_conditional,
                                 tuple(filter(None, r.clock_exempt.split(","))), ItemStatus(r.status), r.fees_paid,
                                 r.commitment_signed, r.commitment_breached, tuple(material_rows), decision,
                                 r.accepted_on, deadline, state, r.supplement_due_on, item_pause,
                                 supplemented_on))
    return CaseChecklist(view, tuple(out), holder.conditional_barred_until, holder.credit_barred, tuple(notes))


# -- ticking ----------------------------------------------------------------------------------------


def _item_row(conn: Connection, case_item_id: int) -> ItemRow:
    row = case_items.get_item(conn, case_item_id)
    if row is None:
        raise ChecklistError("办件事项不存在")
    if row.status == ItemStatus.RETURNED:
        raise ChecklistError("该事项已退件办结，不能再修改材料")
    return row


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
    now = svc.now()
    with svc.db.write() as conn:
        row = _item_row(conn, case_item_id)
        material = catalog.material(conn, material_id)
        if material is None or material.item_code != row.item_code:
            raise ChecklistError("该材料不属于这个事项")
        before = case_items.check_of(conn, case_item_id, material_id)
        was_received = bool(before and before.received)
        kind = EventKind.MATERIAL_RECEIVED if received else EventKind.MATERIAL_UNTICKED
        if was_received and not received:
            if row.status in (ItemStatus.ACCEPTED, ItemStatus.CONDITIONAL):
                raise ChecklistError(_untick_refusal(row, material.name))
            if row.status == ItemStatus.NOT_ACCEPTED:
                if not correction:
                    raise ChecklistError(f"已出具一次性告知书：把“{material.name}”改为未收须确认更正")
                kind = EventKind.MATERIAL_CORRECTED  # after a one-time notice: on the record (S1)
        elif received and not was_received and row.status == ItemStatus.CONDITIONAL:
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
        if row.status == ItemStatus.CONDITIONAL:
            _complete_supplement(svc, conn, session, row.case_id, case_item_id)
        return _load(svc, conn, row.case_id)


def _untick_refusal(row: ItemRow, material: str) -> str:
    if row.status == ItemStatus.CONDITIONAL:
        return (f"该事项已容缺受理（{row.accepted_on:%Y-%m-%d}），承诺书和通知书已出具："
                f"“{material}”已收，不能改为未收；补正材料照常按空格登记")
    return (f"该事项已受理（{row.accepted_on:%Y-%m-%d}），受理通知书已出具："
            f"“{material}”已收，不能改为未收")


def _refuse_if_decided(row: ItemRow, what: str) -> None:
    """After 受理 or 容缺受理 the notice issued rests on these facts: they are not changed here."""
    if row.status in (ItemStatus.ACCEPTED, ItemStatus.CONDITIONAL):
        name = "容缺受理" if row.status == ItemStatus.CONDITIONAL else "受理"
        raise ChecklistError(f"该事项已{name}（{row.accepted_on:%Y-%m-%d}），通知书已出具：不能再更改{what}")


def set_applies(svc: Services, session: StaffSession, case_item_id: int, material_id: int,
                applies: bool) -> CaseChecklist:
    """Whether a conditional material's condition holds for this applicant."""
    session.require("checklist")
    with svc.db.write() as conn:
        row = _item_row(conn, case_item_id)
        _refuse_if_decided(row, "条件材料是否适用")
        kind = catalog.material(conn, material_id)
        if kind is None or kind.kind != MaterialKind.CONDITIONAL.value:
            raise ChecklistError("只有条件材料需要确认是否适用")
        case_items.save_check(conn, case_item_id, material_id, {"applies": applies})
        events.append(conn, EventKind.MATERIAL_CONDITION, svc.now(), staff_id=session.staff_id, case_id=row.case_id,
                      item=row.item_code, material=kind.name, applies=applies)
        return _load(svc, conn, row.case_id)


def set_fees_paid(svc: Services, session: StaffSession, case_item_id: int, paid: bool) -> CaseChecklist:
    session.require("checklist")
    with svc.db.write() as conn:
        row = _item_row(conn, case_item_id)
        if not paid:  # paying later stays possible (fees may fall due after 受理); unpaying does not
            _refuse_if_decided(row, "缴费状态")
        case_items.set_item(conn, case_item_id, fees_paid=paid)
        events.append(conn, EventKind.FEES_PAID if paid else EventKind.FEES_UNPAID, svc.now(),
                      staff_id=session.staff_id, case_id=row.case_id, item=row.item_code)
        return _load(svc, conn, row.case_id)


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
    cal = _calendar(svc)
    with svc.db.write() as conn:
        row = _item_row(conn, case_item_id)
        if row.status in (ItemStatus.ACCEPTED, ItemStatus.CONDITIONAL):
            raise ChecklistError("该事项已经受理")
        if commitment_signed and not row.commitment_signed:
            case_items.set_item(conn, case_item_id, commitment_signed=True)
        sheet = _load(svc, conn, row.case_id)
        item = next(i for i in sheet.items if i.case_item_id == case_item_id)
        decision = item.decision
        declined = one_time_notice and decision.decision is Decision.CONDITIONAL_NEEDS_COMMITMENT
        if declined:
            decision = dataclasses.replace(decision, decision=Decision.NOT_ACCEPTED,
                                           reasons=("申请人不愿签署容缺受理承诺书",))
        base = _doc_base(sheet, item, today)
        series = str(base["abbreviation"])
        issued: list[IssuedDocument] = []
        values: dict[str, object] = {"decision": decision.decision.value}
        if decision.decision is Decision.ACCEPTED:
            deadline = due_date(cal, today, item.promised_days, (), as_of=today)
            values.update(status=ItemStatus.ACCEPTED, accepted_on=today, due_on=deadline.due,
                          due_estimated=deadline.estimated)
            issued.append(_issue(conn, svc, session, row, docs.DocumentKind.ACCEPTANCE_NOTICE, series, lambda seq: (
                docs.acceptance_notice(seq=seq, **base, accepted_on=today, promised_days=item.promised_days,
                                       promised_date=deadline.due, estimated=deadline.estimated,
                                       staff_name=session.name, staff_phone=session.extension))))
        elif decision.decision is Decision.CONDITIONAL:
            deadline = due_date(cal, today, item.promised_days, (), as_of=today)
            supplement_by, estimated = supplement_deadline(cal, today, max(1, item.promised_days))
            missing = docs.missing_materials(m.state() for m in item.materials)
            values.update(status=ItemStatus.CONDITIONAL, accepted_on=today, due_on=deadline.due,
                          due_estimated=deadline.estimated or estimated, supplement_due_on=supplement_by)
            commitment = docs.DocumentKind.CONDITIONAL_COMMITMENT
            issued.append(_issue(conn, svc, session, row, commitment, series, lambda seq: (
                docs.conditional_commitment(seq=seq, **base, missing=missing, supplement_by=supplement_by))))
            issued.append(_issue(conn, svc, session, row, docs.DocumentKind.CONDITIONAL_NOTICE, series, lambda seq: (
                docs.conditional_notice(seq=seq, **base, accepted_on=today, missing=missing,
                                        supplement_by=supplement_by, estimated=estimated))))
        elif decision.decision is Decision.NOT_ACCEPTED:
            missing = docs.missing_materials(m.state() for m in item.materials)
            values.update(status=ItemStatus.NOT_ACCEPTED)
            section = "企业登记科" if item.department == "企业登记科" else "业务协调科"
            issued.append(_issue(conn, svc, session, row, docs.DocumentKind.ONE_TIME_NOTICE, series, lambda seq: (
                docs.one_time_notice(seq=seq, **base, missing=missing, guide_section=section))))
        else:
            raise ChecklistError("仅缺次要材料，可容缺受理：申请人愿意签署容缺受理承诺书的，选择容缺受理；"
                                 "不愿承诺的，选择出具一次性告知书")
        case_items.set_item(conn, case_item_id, **values)
        kind = EventKind(f"item_{decision.decision.value}")  # one kind per decision
        events.append(conn, kind, now, staff_id=session.staff_id, case_id=row.case_id,
                      item=row.item_code, missing=[m.name for m in decision.missing],
                      documents=[d.number for d in issued], declined_commitment=declined)
        return _load(svc, conn, row.case_id), issued


def _complete_supplement(svc: Services, conn: Connection, session: StaffSession, case_id: int,
                         case_item_id: int) -> None:
    """A conditional item whose last missing material arrived becomes an ordinary accepted one."""
    sheet = _load(svc, conn, case_id)
    item = next(i for i in sheet.items if i.case_item_id == case_item_id)
    if item.decision.decision is Decision.ACCEPTED:
        case_items.set_item(conn, case_item_id, status=ItemStatus.ACCEPTED, decision=Decision.ACCEPTED.value)
        events.append(conn, EventKind.SUPPLEMENT_COMPLETE, svc.now(), staff_id=session.staff_id, case_id=case_id,
                      item=item.item_code)


def _doc_base(sheet: CaseChecklist, item: ItemChecklist, today: dt.date) -> dict[str, object]:
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
        row = _item_row(conn, case_item_id)
        if row.status not in (ItemStatus.ACCEPTED, ItemStatus.CONDITIONAL):
            raise ChecklistError("只有已受理的事项可以进入特殊程序")
        if case_items.has_running_pause(conn, case_item_id):
            raise ChecklistError("该事项已在特殊程序中，请先结束当前程序")
        sheet = _load(svc, conn, row.case_id)
        item = next(i for i in sheet.items if i.case_item_id == case_item_id)
        base = _doc_base(sheet, item, today)
        notice = _issue(conn, svc, session, row, docs.DocumentKind.SPECIAL_PROCEDURE_NOTICE,
                        str(base["abbreviation"]), lambda seq: docs.special_procedure_notice(
                            seq=seq, **base, procedure=procedure, started_on=today,
                            expected_working_days=expected_working_days))
        case_items.start_pause(conn, case_item_id, procedure, today, session.staff_id)
        events.append(conn, EventKind.CLOCK_PAUSED, svc.now(), staff_id=session.staff_id, case_id=row.case_id,
                      item=row.item_code, procedure=procedure, document=notice.number)
        _store_due(svc, conn, case_item_id)
        return _load(svc, conn, row.case_id), notice


def resume_item(svc: Services, session: StaffSession, case_item_id: int) -> CaseChecklist:
    session.require("checklist")
    today = svc.today()
    with svc.db.write() as conn:
        row = _item_row(conn, case_item_id)
        done = case_items.end_pauses(conn, case_item_id, today)
        if not done:
            raise ChecklistError("该事项没有进行中的特殊程序")
        events.append(conn, EventKind.CLOCK_RESUMED, svc.now(), staff_id=session.staff_id, case_id=row.case_id,
                      item=row.item_code)
        _store_due(svc, conn, case_item_id)
        return _load(svc, conn, row.case_id)


def _store_due(svc: Services, conn: Connection, case_item_id: int) -> None:
    """Keep due_on (for lists and reports) equal to the computed due date, pauses included."""
    row = case_items.get_item(conn, case_item_id)
    assert row is not None
    if row.accepted_on is None:
        return
    pauses = case_items.pauses_of(conn, [case_item_id]).get(case_item_id, [])
    deadline = due_date(_calendar(svc), row.accepted_on, row.promised_days, pauses, as_of=svc.today())
    case_items.set_item(conn, case_item_id, due_on=deadline.due, due_estimated=deadline.estimated)


# -- the sweep (nightly, and when a desk starts) ----------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    returned: int  # conditional items closed as 退件办结
    barred_holders: int
    recomputed: int  # estimated deadlines recomputed now that holiday data covers them


def sweep(svc: Services) -> SweepResult:
    """Close conditional items whose supplement deadline passed (S7): 退件办结, commitment breached,
    holder barred from 容缺 for ``bar_months``; and recompute estimated deadlines. Idempotent."""
    today = svc.today()
    now = svc.now()
    returned = barred = recomputed = 0
    with svc.db.write() as conn:
        for r in case_items.overdue_conditional(conn, ItemStatus.CONDITIONAL, today):
            case_items.set_item(conn, r.id, status=ItemStatus.RETURNED, closed_on=today, commitment_breached=True)
            until = bar_until(today)
            current = holders.conditional_barred_until(conn, r.holder_id)
            if current is None or current < until:
                holders.bar_conditional(conn, r.holder_id, until)
                barred += 1
            events.append(conn, EventKind.CONDITIONAL_RETURNED, now, case_id=r.case_id, item=r.item_code,
                          supplement_due_on=r.supplement_due_on.isoformat(), barred_until=until.isoformat())
            returned += 1
            _close_case_if_done(conn, r.case_id, now)
        for item_id in case_items.estimated_item_ids(conn, OPEN_ITEM_STATUSES):
            try:
                before = _item_row_any(conn, item_id).due_on
                _store_due(svc, conn, item_id)
                after = _item_row_any(conn, item_id)
            except HolidayDataMissing:
                continue
            if not after.due_estimated:
                recomputed += 1
                events.append(conn, EventKind.DEADLINE_RECOMPUTED, now, item_id=item_id, before=str(before),
                              after=str(after.due_on))
        if returned or recomputed:
            events.append(conn, EventKind.SWEEP, now, returned=returned, recomputed=recomputed)
    return SweepResult(returned, barred, recomputed)


def _item_row_any(conn: Connection, case_item_id: int) -> ItemRow:
    row = case_items.get_item(conn, case_item_id)
    assert row is not None
    return row


def _close_case_if_done(conn: Connection, case_id: int, now: dt.datetime) -> None:
    if not case_items.count_in_status(conn, case_id, OPEN_ITEM_STATUSES):
        case_store.set_case(conn, case_id, status=CaseStatus.CLOSED.value, closed_at=now)
        events.append(conn, EventKind.CASE_CLOSED, now, case_id=case_id, reason="returned")


# -- what the desk counts -----------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineCounts:
    due_soon: int
    overdue: int
    calendar_warning: str  # "" when the next 365 days have holiday data


def deadline_counts(svc: Services) -> DeadlineCounts:
    """Due-soon (≤ 2 working days) and overdue accepted items, and the holiday-data banner (S6)."""
    cal = _calendar(svc)
    today = svc.today()
    due_soon = overdue = 0
    with svc.db.read() as conn:
        rows = case_items.with_due_dates(conn, (ItemStatus.ACCEPTED, ItemStatus.CONDITIONAL))
        pauses = case_items.pauses_of(conn, [r.id for r in rows])
    for r in rows:
        assert r.accepted_on is not None
        state = classify(cal, due_date(cal, r.accepted_on, r.promised_days, pauses.get(r.id, ()), as_of=today),
                         today)
        due_soon += state.status is DeadlineStatus.DUE_SOON
        overdue += state.status is DeadlineStatus.OVERDUE
    missing = cal.missing_years(today, today + dt.timedelta(days=365))
    warning = (f"缺少{missing[0]}年节假日安排，落在该年的期限为估算（按周一至周五）；"
               f"国务院公布后添加 assets/calendar/{missing[0]}.toml") if missing else ""
    return DeadlineCounts(due_soon, overdue, warning)


_SEVERITY = {DeadlineStatus.OVERDUE: 3, DeadlineStatus.DUE_SOON: 2, DeadlineStatus.PAUSED: 1,
             DeadlineStatus.ON_TRACK: 0}


def worst_deadlines(svc: Services, case_ids: list[int]) -> dict[int, DeadlineState]:
    """For each case, its most urgent accepted item's deadline state (for colouring lists)."""
    out: dict[int, DeadlineState] = {}
    with svc.db.read() as conn:
        for case_id in case_ids:
            states = [i.deadline_state for i in _load(svc, conn, case_id).items if i.deadline_state is not None]
            if states:
                out[case_id] = max(states, key=lambda s: (_SEVERITY[s.status], -s.working_days_left))
    return out
