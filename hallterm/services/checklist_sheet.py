"""A case's checklist as the screens show it: its items, their materials, the live decision and
the deadlines (S1, S6, S7); read in one transaction, or inside a caller's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

from hallterm.domain.checklist import (
    CLOCK_STATUSES,
    ITEM_STATUS_NAMES,
    ChecklistDecision,
    ChecklistInput,
    ItemStatus,
    MaterialKind,
    MaterialState,
    decide,
    is_barred,
)
from hallterm.domain.deadlines import Deadline, DeadlineState, Pause, classify, due_date
from hallterm.domain.errors import Refused
from hallterm.domain.workdays import WorkCalendar
from hallterm.services.case_views import CaseView, case_at
from hallterm.services.context import Services
from hallterm.storage import case_items, catalog, holders
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
    # The supplement date lies in a year without a published schedule: 调休 not counted (估算).
    supplement_estimated: bool = False

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


def work_calendar(svc: Services) -> WorkCalendar:
    return svc.work_calendar


# -- reading ----------------------------------------------------------------------------------------


def load(svc: Services, case_id: int) -> CaseChecklist:
    with svc.db.read() as conn:
        return load_in(svc, conn, case_id)


def load_in(svc: Services, conn: Connection, case_id: int) -> CaseChecklist:
    view = case_at(conn, case_id)
    if view is None:
        raise ChecklistError("办件不存在")
    holder = holders.bars_of_case_holder(conn, case_id)
    today = svc.today()
    barred = holder.credit_barred or is_barred(today, holder.conditional_barred_until)
    cal = work_calendar(svc)
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
        if r.accepted_on is not None and r.status in CLOCK_STATUSES:  # decided: the clock stopped
            deadline = due_date(cal, r.accepted_on, r.promised_days, item_pause, as_of=today)
            state = classify(cal, deadline, today)
            if state.estimated:
                notes.append(f"{r.name}的期限落在尚无节假日安排的年份，按周一至周五并除去法定节假日估算（估算），"
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
                                 supplemented_on, r.supplement_due_on is not None
                                 and r.supplement_due_on.year not in cal.covered_years))
    return CaseChecklist(view, tuple(out), holder.conditional_barred_until, holder.credit_barred, tuple(notes))


# -- ticking ----------------------------------------------------------------------------------------


def item_row(conn: Connection, case_item_id: int) -> ItemRow:
    row = case_items.get_item(conn, case_item_id)
    if row is None:
        raise ChecklistError("办件事项不存在")
    if row.status == ItemStatus.RETURNED:
        raise ChecklistError("该事项已退件办结，不能再修改材料")
    return row
