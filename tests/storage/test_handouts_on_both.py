"""The hand-out record (``handouts``) and the decision number on PostgreSQL as on SQLite (issue 13, S9):
string lengths and the recipient-kind check hold on both."""

from __future__ import annotations

import threading
from collections.abc import Callable

from hallterm.domain.cases import CaseDraft
from hallterm.domain.checklist import ItemStatus, MaterialKind
from hallterm.domain.errors import Refused
from hallterm.domain.handout import Recipient, RecipientKind
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services import cases, checklist, checklist_sheet, handout, progress
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession, set_pin, sign_in
from hallterm.storage import events
from hallterm.storage import handouts as store

AGENT_ID = "21030319900202002" + resident_id_check_char("21030319900202002")
LONGEST_NUMBER = "鞍" * 63 + "1"  # case_items.decision_no is 64 characters (a number has a digit)


def ready_item(svc: Services, card: str) -> tuple[StaffSession, int, int]:
    """A case whose one item waits at the issuing window: (the desk clerk, case id, case item id)."""
    for staff_id in ("S1401", "S1001"):
        set_pin(svc, staff_id, "2468")
    desk, coordinator = sign_in(svc, "S1401", "2468"), sign_in(svc, "S1001", "2468")
    view = cases.open_case(svc, desk, CaseDraft(card, CaseKind.ENTERPRISE, ("QY-GSSL",), EnterpriseKind.FOREIGN,
                                                "鞍山喆玥新材料有限公司"))
    item = checklist_sheet.load(svc, view.id).items[0]
    for m in item.materials:
        if m.kind is not MaterialKind.CONDITIONAL:
            checklist.tick(svc, desk, item.case_item_id, m.material_id, received=True)
    checklist.decide_item(svc, desk, item.case_item_id)
    progress.start_review(svc, coordinator, item.case_item_id)
    progress.decide(svc, coordinator, item.case_item_id, approved=True, decision_no=LONGEST_NUMBER)
    progress.mark_ready(svc, coordinator, item.case_item_id)
    return desk, view.id, item.case_item_id


def test_a_hand_out_is_stored_and_read_back(any_hall: Services, cards_for: Callable[[Services], str]) -> None:
    svc = any_hall
    card = cards_for(svc)
    desk, case_id, item_id = ready_item(svc, card)
    name = "阿" * 64
    done = handout.hand_out(svc, desk, counter_code="F1", card_no=card, case_item_ids=[item_id],
                            recipient=Recipient(RecipientKind.AGENT, AGENT_ID, name, True))
    with svc.db.read() as conn:
        rows = store.handouts_of_case(conn, case_id)
        items = store.items_in_status(conn, case_id=case_id, statuses=[ItemStatus.HANDED_OUT.value])
    assert [(r.id, r.item_codes, r.recipient_kind, r.recipient_name, r.power_of_attorney) for r in rows] == [
        (done.cases[0].handout_id, ("QY-GSSL",), "agent", name, True)]
    assert len(rows[0].recipient_id_masked) == 18 and "*" in rows[0].recipient_id_masked
    assert rows[0].handed_out_at.tzinfo is not None
    assert [i.decision_no for i in items] == [LONGEST_NUMBER]


def test_two_windows_cannot_hand_out_one_result_twice(any_hall: Services, db_url: str,
                                                      cards_for: Callable[[Services], str],
                                                      services_factory: Callable[..., Services]) -> None:
    card = cards_for(any_hall)
    desk, case_id, item_id = ready_item(any_hall, card)
    windows = [services_factory(db_url), services_factory(db_url)]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def window(svc: Services) -> None:
        start.wait()
        try:
            handout.hand_out(svc, desk, counter_code="F1", card_no=card, case_item_ids=[item_id],
                             recipient=Recipient(RecipientKind.AGENT, AGENT_ID, "李四", True))
            outcomes.append("ok")
        except Refused as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=window, args=(w,)) for w in windows]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes)[0] == "ok" and len(outcomes) == 2 and outcomes.count("ok") == 1
    with any_hall.db.read() as conn:
        assert len(store.handouts_of_case(conn, case_id)) == 1
        assert len(events.recent(conn, kind="items_handed_out", case_id=case_id)) == 1
