"""A case taken the whole way to the issuing window by the real use cases: for the tests of what comes
after a hand-out (the rating pad, `cases show`)."""

from __future__ import annotations

from sqlalchemy import select

from hallterm.domain.checklist import MaterialKind
from hallterm.domain.events import EventKind
from hallterm.domain.handout import Recipient, RecipientKind
from hallterm.services import checklist, checklist_sheet, handout, progress
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession, set_pin, sign_in
from hallterm.storage import events
from hallterm.storage.tables import card_holders

PIN = "864213"  # also set in module-scoped halls (before _short_test_pins): the hall's 6 digits


def signed_in(svc: Services, staff_id: str) -> StaffSession:
    set_pin(svc, staff_id, PIN)
    return sign_in(svc, staff_id, PIN)


def hand_out_case(svc: Services, case_id: int, *, desk_id: str = "S1402", coordinator_id: str = "S1001") -> int:
    """Accept every item, review, approve, send to the window and hand it to the holder at F1; the id of the
    ``items_handed_out`` event the rating pad offers."""
    desk, coordinator = signed_in(svc, desk_id), signed_in(svc, coordinator_id)
    sheet = checklist_sheet.load(svc, case_id)
    for item in sheet.items:
        papers = [m.material_id for m in item.materials if m.kind in (MaterialKind.CORE, MaterialKind.SECONDARY)]
        checklist.receive_many(svc, desk, item.case_item_id, papers)
        checklist.decide_item(svc, desk, item.case_item_id)
        progress.start_review(svc, coordinator, item.case_item_id)
        number = f"鞍审批准字〔2026〕第{case_id:04d}号"
        progress.decide(svc, coordinator, item.case_item_id, approved=True, decision_no=number)
        progress.mark_ready(svc, coordinator, item.case_item_id)
    card_no = sheet.case.card_no
    with svc.db.read() as conn:
        id_number = conn.execute(select(card_holders.c.id_number).where(card_holders.c.card_no == card_no)).scalar_one()
    mine = [i.case_item_id for i in sheet.items]
    handout.hand_out(svc, desk, counter_code="F1", card_no=card_no, case_item_ids=mine,
                     recipient=Recipient(RecipientKind.HOLDER, id_number))
    with svc.db.read() as conn:
        return events.recent(conn, kind=EventKind.ITEMS_HANDED_OUT, case_id=case_id, limit=1)[0].id
