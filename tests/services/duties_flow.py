"""A small hall for the responsibility list (责任清单, S10), built by the real use cases on a moving clock.

Thursday 26 November 2026, 10:00 (FIXED_NOW):
- case A (0001): its item accepted under 容缺 (S7): due Tuesday 1 December (3 working days), the
  supplements due the same day;
- case B (0002): opened, its item not decided yet (no due date);
- case C (0003): handed out and rated 非常不满意: a call-back due Friday 27 November, a putting-right due
  in 15 working days (the case itself is closed);
Thursday 19:00: case D (0004), 全程代办 with no 帮办代办 staff on duty: its water task has no owner.
Then the clock moves to Wednesday 2 December 10:00 without the nightly sweep, so case A is 1 working day
late, the call-back 3.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hallterm.domain.cases import CaseDraft
from hallterm.domain.checklist import MaterialKind
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.domain.proxy_tasks import ProxyTaskKind
from hallterm.services import cases, checklist, checklist_sheet, rating
from hallterm.services import proxy_tasks as proxy
from hallterm.services.context import Services
from tests.services.handout_flow import hand_out_case, signed_in

THURSDAY_EVENING = dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC)  # 19:00 in the hall
WEDNESDAY = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in the hall


@dataclass(frozen=True)
class SmallHall:
    a: str  # case numbers
    b: str
    c: str
    d: str
    coordinator_a: str  # staff ids
    coordinator_c: str


def draft(card_no: str, **changes: object) -> CaseDraft:
    base = dict(card_no=card_no, kind=CaseKind.ENTERPRISE, item_codes=("QY-GSSL",),
                enterprise_kind=EnterpriseKind.FOREIGN, enterprise_name="鞍山喆玥科技有限公司")
    base.update(changes)
    return CaseDraft(**base)  # type: ignore[arg-type]


def build_small_hall(svc: Services, clock: list[dt.datetime], card_no: str) -> SmallHall:
    desk = signed_in(svc, "S1401")
    a = cases.open_case(svc, desk, draft(card_no))
    sheet = checklist_sheet.load(svc, a.id)
    item = sheet.items[0]
    for m in item.materials:
        if m.kind is MaterialKind.CORE:
            checklist.tick(svc, desk, item.case_item_id, m.material_id, received=True)
    checklist.set_fees_paid(svc, desk, item.case_item_id, True)
    checklist.decide_item(svc, desk, item.case_item_id, commitment_signed=True)

    b = cases.open_case(svc, desk, draft(card_no))
    c = cases.open_case(svc, desk, draft(card_no))
    assert c.coordinator is not None
    event_id = hand_out_case(svc, c.id, coordinator_id=c.coordinator.staff_id)
    rating.rate(svc, "F1", event_id, 1)

    clock[0] = THURSDAY_EVENING
    d = cases.open_case(svc, desk, draft(card_no, full_proxy=True))
    assert d.proxy is None
    proxy.add_tasks(svc, desk, d.id, [ProxyTaskKind.WATER])

    clock[0] = WEDNESDAY
    assert a.coordinator is not None
    return SmallHall(a.case_no, b.case_no, c.case_no, d.case_no, a.coordinator.staff_id, c.coordinator.staff_id)
