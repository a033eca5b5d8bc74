"""A month of the hall for the demo (issue 13 point 8), made by driving the real use cases at the times
they happened — tickets, calls, cases opened and routed, materials checked, 容缺 supplemented or
breached, clocks paused — never by writing rows, so every screen and report reads history that the
program itself could have made.

Deterministic (a seeded random generator), so two demos built on the same day agree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from hallterm.domain.cases import CaseDraft, CaseStatus
from hallterm.domain.checklist import MaterialKind
from hallterm.domain.errors import Refused
from hallterm.domain.hours import DayKind
from hallterm.domain.jurisdiction import DISTRICTS, CaseKind, EnterpriseKind
from hallterm.services import cases, checklist, deadline_sweep, queue
from hallterm.services.appointments import day_schedule
from hallterm.services.checklist_sheet import ItemChecklist, load
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession

DEMO_DAYS = 30
PER_WORKING_DAY = 10  # green-channel cases on an ordinary working day
GREEN_COUNTER = "G1"


@dataclass
class MonthSummary:
    days: int = 0
    cases: int = 0
    accepted: int = 0
    conditional: int = 0
    supplemented: int = 0
    breached: int = 0
    one_time_notices: int = 0
    paused: int = 0
    tickets: int = 0
    refused: list[str] = field(default_factory=list)  # what the hall's own rules refused (kept for the note)


@dataclass(frozen=True)
class Cast:
    """Who works the month: a clerk at the counter, the after-hours desk, the coordinators."""

    clerk: StaffSession
    after_hours: StaffSession  # the evening and weekend desk; the duty roster may make them the receiver
    coordinators: dict[str, StaffSession]

    def receiver(self, staff_id: str) -> StaffSession | None:
        if staff_id == self.after_hours.staff_id:
            return self.after_hours
        return self.coordinators.get(staff_id)


def at(svc: Services, day: dt.date, minutes: int) -> Services:
    """The services with the clock at ``minutes`` after midnight of ``day``, hall time."""
    local = dt.datetime(day.year, day.month, day.day, tzinfo=svc.settings.hall.tz) + dt.timedelta(minutes=minutes)
    when = local.astimezone(dt.UTC)
    return dataclasses.replace(svc, clock=lambda: when)


def _days_back(svc: Services, days: int) -> Iterator[dt.date]:
    today = svc.today()
    for back in range(days, 0, -1):
        yield today - dt.timedelta(days=back)


def _visits(kind: DayKind, cast: Cast, per_day: int, rng: random.Random) -> list[tuple[int, StaffSession]]:
    """When the day's visitors come (minutes after midnight) and who receives them at the counter: the
    day clerk in regular hours; the after-hours desk in the evening and on weekends and holidays (S6)."""
    if kind not in (DayKind.WORKDAY, DayKind.MAKEUP):
        return [(9 * 60 + 30, cast.after_hours), (10 * 60 + 40, cast.after_hours)]  # the duty window
    out = []
    for n in range(per_day):
        start = 9 * 60 + 5 + n * (420 // per_day) + rng.randrange(10)
        if 11 * 60 + 30 <= start < 13 * 60 + 30:
            start += 120  # the noon break: coordinators are at lunch
        out.append((start, cast.clerk))
    if rng.random() < 0.5:
        out.append((17 * 60 + 40, cast.after_hours))  # 延时服务: after work
    return out


def build_month(svc: Services, cards: list[str], employers: dict[str, str], cast: Cast,
                days: int = DEMO_DAYS, per_day: int = PER_WORKING_DAY, seed: int = 13) -> MonthSummary:
    """Drive ``days`` days before today. ``cards``: holders the desk accepts; ``employers``: card → employer."""
    rng = random.Random(seed)
    summary = MonthSummary()
    catalog = [i for i in cases.catalog(svc) if i.code]
    conditional_open: list[tuple[dt.date, int, int]] = []  # (day to come back, case item id, material id)
    for day in _days_back(svc, days):
        summary.days += 1
        for start, clerk in _visits(day_schedule(svc, day).kind, cast, per_day, rng):
            card = cards[rng.randrange(len(cards))]
            _one_case(svc, rng, cast, clerk, catalog, day, start, card, employers.get(card, ""), summary,
                      conditional_open)
        # The applicants who promised supplements come back (most of them in time) on later days.
        due_today = [c for c in conditional_open if c[0] == day]
        for _back, item_id, material_id in due_today:
            conditional_open.remove((_back, item_id, material_id))
            try:
                checklist.tick(at(svc, day, 10 * 60), cast.clerk, item_id, material_id, received=True, form="original",
                               note="补正")
                summary.supplemented += 1
            except Refused as exc:
                summary.refused.append(str(exc))
        swept = deadline_sweep.sweep(at(svc, day, 23 * 60 + 30), day_end=True)
        summary.breached += swept.returned
    return summary


def _one_case(svc: Services, rng: random.Random, cast: Cast, clerk: StaffSession, catalog: list[cases.CatalogItem],
              day: dt.date, start: int, card: str, employer: str, summary: MonthSummary,
              conditional_open: list[tuple[dt.date, int, int]]) -> None:
    clock = at(svc, day, start)
    try:
        queue.issue_walkin(clock, clerk, card, count_ahead=False)
        summary.tickets += 1
        called = queue.call_next(at(svc, day, start + 2), clerk, GREEN_COUNTER)
    except Refused as exc:
        summary.refused.append(str(exc))
        return
    items = tuple(sorted({i.code for i in rng.sample(catalog, rng.choice((1, 1, 1, 2)))}))
    foreign = rng.random() < 0.3  # a foreign-invested company is the city bureau's (S2); the rest a district's
    draft = CaseDraft(card_no=card, kind=CaseKind.ENTERPRISE, item_codes=items,
                      enterprise_kind=EnterpriseKind.FOREIGN if foreign else EnterpriseKind.LIMITED,
                      enterprise_name=f"{employer or '鞍山'}（演示）新设公司",
                      district="" if foreign else rng.choice(DISTRICTS))
    try:
        view = cases.open_case(at(svc, day, start + 4), clerk, draft)
    except Refused as exc:
        summary.refused.append(str(exc))
        return
    finally:  # served either way: the counter calls the next visitor
        queue.finish(at(svc, day, start + 6), clerk, GREEN_COUNTER, called.id)
    summary.cases += 1
    coordinator = cast.receiver(view.coordinator.staff_id) if view.coordinator else None
    sheet = load(svc, view.id)
    to_pause = [item for n, item in enumerate(sheet.items)
                if _check_item(svc, rng, clerk, day, start + 8 + 3 * n, item, summary, conditional_open)]
    try:
        if coordinator is not None and view.status is CaseStatus.WAITING:
            cases.mark_met(at(svc, day, start + 16 + rng.randrange(10)), coordinator, view.id)
            cases.end_visit(at(svc, day, start + 45 + rng.randrange(20)), coordinator, view.id)
        for item in to_pause:
            # A special procedure (专家评审, 现场勘验 …) stops the clock for a few working days (S6).
            checklist.pause_item(at(svc, day, start + 70), coordinator or clerk, item.case_item_id,
                                 item.clock_exempt[0], expected_working_days=rng.choice((3, 5, 10)))
            summary.paused += 1
    except Refused as exc:
        summary.refused.append(str(exc))


def _check_item(svc: Services, rng: random.Random, clerk: StaffSession, day: dt.date, minute: int,
                item: ItemChecklist, summary: MonthSummary, conditional_open: list[tuple[dt.date, int, int]]) -> bool:
    """Tick the papers brought; most files are complete, some lack a secondary paper (容缺, S7), a few
    lack a core one (one-time notice, S1). True when the accepted item is to go through a special
    procedure."""
    clock = at(svc, day, minute)
    roll = rng.random()
    missing_secondary = [m for m in item.materials if m.kind is MaterialKind.SECONDARY]
    core = [m for m in item.materials if m.kind is MaterialKind.CORE]
    leave_out: set[int] = set()
    if roll < 0.2 and item.allow_conditional and missing_secondary:
        leave_out = {missing_secondary[0].material_id}
    elif roll < 0.27 and core:
        leave_out = {core[-1].material_id}
    conditional = bool(leave_out) and roll < 0.2
    try:
        brought = [m.material_id for m in item.materials
                   if m.kind is not MaterialKind.CONDITIONAL and m.material_id not in leave_out]
        checklist.receive_many(clock, clerk, item.case_item_id, brought)
        if conditional:  # 容缺 needs the fees paid (S7)
            checklist.set_fees_paid(at(svc, day, minute + 1), clerk, item.case_item_id, True)
        checklist.decide_item(at(svc, day, minute + 2), clerk, item.case_item_id, commitment_signed=conditional,
                              one_time_notice=bool(leave_out) and not conditional)
    except Refused as exc:
        summary.refused.append(str(exc))
        return False
    if not leave_out:
        summary.accepted += 1
    elif conditional:
        summary.conditional += 1
        if rng.random() < 0.7:  # most come back within the 5 working days; the rest are returned (S7)
            conditional_open.append((day + dt.timedelta(days=rng.choice((1, 2, 3))), item.case_item_id,
                                     next(iter(leave_out))))
    else:
        summary.one_time_notices += 1
    return not leave_out and bool(item.clock_exempt) and rng.random() < 0.3
