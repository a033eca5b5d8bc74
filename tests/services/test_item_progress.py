"""Item progress and the hand-out at the 统一发证窗口 as use cases, on a real SQLite file (issue 13, S9)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.domain.cases import CaseDraft, CaseStatus
from hallterm.domain.checklist import ItemStatus, MaterialKind
from hallterm.domain.events import EventKind
from hallterm.domain.handout import Recipient, RecipientError, RecipientKind
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.domain.progress import ProgressError
from hallterm.services import cases, check_in, checklist, checklist_sheet, handout, progress
from hallterm.services.context import Services
from hallterm.services.signing import visit_payload
from hallterm.services.staff import StaffSession, set_pin, sign_in
from hallterm.storage import events
from hallterm.storage import handouts as handout_store
from hallterm.storage.tables import cases as cases_table

HOLDER_ID = "21030219800101001" + resident_id_check_char("21030219800101001")  # the conftest roster's
AGENT_ID = "21030319900202002" + resident_id_check_char("21030319900202002")


@pytest.fixture
def settings(tmp_path: Path, db_file: Path) -> Settings:
    """Overrides the root fixture: the signing key (slips, receipts) in the test's own folder."""
    return load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file),
                                  "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
                                  "HALLTERM_PRINTING_SPOOL_DIR": str(tmp_path / "spool")})


@pytest.fixture
def coordinator(loaded: Services) -> StaffSession:
    set_pin(loaded, "S1001", "2468")
    return sign_in(loaded, "S1001", "2468")


def accepted_case(svc: Services, desk: StaffSession, card_no: str, *codes: str) -> checklist_sheet.CaseChecklist:
    """A case whose items were all accepted outright at the checklist."""
    view = cases.open_case(svc, desk, CaseDraft(card_no, CaseKind.ENTERPRISE, codes or ("QY-GSSL",),
                                                EnterpriseKind.FOREIGN, "鞍山喆玥新材料有限公司"))
    sheet = checklist_sheet.load(svc, view.id)
    for item in sheet.items:
        for m in item.materials:
            if m.kind in (MaterialKind.CORE, MaterialKind.SECONDARY):
                checklist.tick(svc, desk, item.case_item_id, m.material_id, received=True)
        checklist.decide_item(svc, desk, item.case_item_id)
    return checklist_sheet.load(svc, view.id)


def to_ready(svc: Services, who: StaffSession, case_item_id: int, number: str = "鞍审批准字〔2026〕第0012号") -> None:
    progress.start_review(svc, who, case_item_id)
    progress.decide(svc, who, case_item_id, approved=True, decision_no=number)
    progress.mark_ready(svc, who, case_item_id)


def kinds_of(svc: Services, case_id: int) -> list[str]:
    with svc.db.read() as conn:
        return [e.kind for e in reversed(events.recent(conn, case_id=case_id, limit=500))]


def test_an_item_goes_from_review_to_ready_one_event_per_step(
        loaded: Services, desk_session: StaffSession, coordinator: StaffSession, cards: dict[str, str]) -> None:
    sheet = accepted_case(loaded, desk_session, cards["valid"])
    item_id = sheet.items[0].case_item_id
    assert progress.start_review(loaded, coordinator, item_id).item.status is ItemStatus.IN_REVIEW
    reviewed = checklist_sheet.load(loaded, sheet.case.id).items[0]
    assert reviewed.deadline == sheet.items[0].deadline is not None  # the clock runs on in working days (S6)
    with pytest.raises(ProgressError, match="决定文书号"):
        progress.decide(loaded, coordinator, item_id, approved=True, decision_no=" ")
    decided = progress.decide(loaded, coordinator, item_id, approved=True, decision_no="鞍审批准字〔2026〕第0012号")
    assert decided.item.status is ItemStatus.APPROVED and decided.item.decision_no == "鞍审批准字〔2026〕第0012号"
    assert checklist_sheet.load(loaded, sheet.case.id).items[0].deadline is None  # decided: the clock stopped
    ready = progress.mark_ready(loaded, coordinator, item_id)
    assert ready.item.status is ItemStatus.READY and not ready.case_closed
    kinds = kinds_of(loaded, sheet.case.id)
    assert kinds[-3:] == [EventKind.ITEM_IN_REVIEW, EventKind.ITEM_DECIDED, EventKind.ITEM_READY]
    with loaded.db.read() as conn:
        decided_event = events.recent(conn, kind=EventKind.ITEM_DECIDED, case_id=sheet.case.id)[0]
    assert decided_event.details["approved"] is True
    assert decided_event.details["decision_no"] == "鞍审批准字〔2026〕第0012号"


def test_a_desk_clerk_may_not_move_items_on(
        loaded: Services, desk_session: StaffSession, cards: dict[str, str]) -> None:
    sheet = accepted_case(loaded, desk_session, cards["valid"])
    with pytest.raises(Exception, match="无权"):
        progress.start_review(loaded, desk_session, sheet.items[0].case_item_id)


def test_no_decision_while_paused_and_refusal_ends_the_case(
        loaded: Services, desk_session: StaffSession, coordinator: StaffSession, cards: dict[str, str]) -> None:
    sheet = accepted_case(loaded, desk_session, cards["valid"])
    item_id = sheet.items[0].case_item_id
    progress.start_review(loaded, coordinator, item_id)
    checklist.pause_item(loaded, coordinator, item_id, "EXPERT_REVIEW", expected_working_days=3)
    with pytest.raises(ProgressError, match="暂停计时"):
        progress.decide(loaded, coordinator, item_id, approved=False, reason="不符合条件")
    checklist.resume_item(loaded, coordinator, item_id)
    result = progress.decide(loaded, coordinator, item_id, approved=False, reason="不符合产业政策")
    assert result.item.status is ItemStatus.REFUSED and result.case_closed
    with loaded.db.read() as conn:
        status = conn.execute(select(cases_table.c.status).where(cases_table.c.id == sheet.case.id)).scalar_one()
        closed = events.recent(conn, kind=EventKind.CASE_CLOSED, case_id=sheet.case.id)
    assert status == CaseStatus.CLOSED.value and closed[0].details["reason"] == "ended"


def test_hand_out_to_an_agent_closes_the_case_with_one_event(
        loaded: Services, desk_session: StaffSession, coordinator: StaffSession, cards: dict[str, str]) -> None:
    sheet = accepted_case(loaded, desk_session, cards["valid"])
    item = sheet.items[0]
    with pytest.raises(ProgressError, match="尚未送到"):  # nothing handed out before it is ready
        handout.hand_out(loaded, desk_session, counter_code="F1", card_no=cards["valid"],
                         case_item_ids=[item.case_item_id], recipient=Recipient(RecipientKind.HOLDER, HOLDER_ID))
    to_ready(loaded, coordinator, item.case_item_id)
    slip = visit_payload(loaded, sheet.case.case_no, loaded.today())
    found = handout.lookup(loaded, desk_session, slip.lower())  # a slip from any day, read by any scanner
    assert found.card_no == cards["valid"] and found.item_ids == (item.case_item_id,)
    assert found.cases[0].items[0].decision_no == "鞍审批准字〔2026〕第0012号"
    assert handout.lookup(loaded, desk_session, cards["valid"]).item_ids == found.item_ids
    with pytest.raises(handout.HandoutError, match="统一发证窗口"):
        handout.hand_out(loaded, desk_session, counter_code="G1", card_no=cards["valid"],
                         case_item_ids=found.item_ids, recipient=Recipient(RecipientKind.HOLDER, HOLDER_ID))
    done = handout.hand_out(loaded, desk_session, counter_code="F1", card_no=cards["valid"],
                            case_item_ids=found.item_ids,
                            recipient=Recipient(RecipientKind.AGENT, AGENT_ID, "李四", True))
    assert done.cases[0].case_closed and done.recipient.name == "李四"
    with loaded.db.read() as conn:
        handed = events.recent(conn, kind=EventKind.ITEMS_HANDED_OUT, case_id=sheet.case.id)
        rows = handout_store.handouts_of_case(conn, sheet.case.id)
    assert len(handed) == 1 and handed[0].case_id == sheet.case.id
    assert handed[0].details["counter"] == "F1" and handed[0].details["items"] == [item.item_code]
    assert [(r.recipient_kind, r.recipient_name, r.staff_id, r.counter_code) for r in rows] == [
        ("agent", "李四", desk_session.staff_id, "F1")]
    assert rows[0].recipient_id_masked != AGENT_ID and rows[0].recipient_id_masked.endswith(AGENT_ID[-2:])
    assert kinds_of(loaded, sheet.case.id)[-2:] == [EventKind.ITEMS_HANDED_OUT, EventKind.CASE_CLOSED]
    assert handout.lookup(loaded, desk_session, cards["valid"]).cases == ()  # nothing left to hand out
    with pytest.raises(handout.HandoutError, match="不能重复发放"):
        handout.hand_out(loaded, desk_session, counter_code="F1", card_no=cards["valid"],
                         case_item_ids=found.item_ids, recipient=Recipient(RecipientKind.HOLDER, HOLDER_ID))


def test_the_recipient_check_refuses_and_keeps_the_item_ready(
        loaded: Services, desk_session: StaffSession, coordinator: StaffSession, cards: dict[str, str]) -> None:
    sheet = accepted_case(loaded, desk_session, cards["valid"])
    item_id = sheet.items[0].case_item_id
    to_ready(loaded, coordinator, item_id)
    bad_checksum = AGENT_ID[:17] + ("0" if AGENT_ID[17] != "0" else "1")
    for recipient, message in (
            (Recipient(RecipientKind.HOLDER, AGENT_ID), "不一致"),
            (Recipient(RecipientKind.AGENT, AGENT_ID, "李四", False), "授权委托书"),
            (Recipient(RecipientKind.AGENT, bad_checksum, "李四", True), "校验不通过")):
        with pytest.raises(RecipientError, match=message):
            handout.hand_out(loaded, desk_session, counter_code="F1", card_no=cards["valid"],
                             case_item_ids=[item_id], recipient=recipient)
    assert progress.items_of_case(loaded, sheet.case.id)[0].status is ItemStatus.READY
    done = handout.hand_out(loaded, desk_session, counter_code="F1", card_no=cards["valid"],
                            case_item_ids=[item_id], recipient=Recipient(RecipientKind.HOLDER, HOLDER_ID))
    assert done.recipient.kind is RecipientKind.HOLDER and done.recipient.name == "王喆"


def test_an_agent_id_born_after_the_clocks_day_or_on_no_date_is_refused(
        loaded: Services, desk_session: StaffSession, coordinator: StaffSession, cards: dict[str, str],
        clock: list[dt.datetime]) -> None:
    """Through the use case: the day the birth date is judged against is the services' clock."""
    sheet = accepted_case(loaded, desk_session, cards["valid"])
    item_id = sheet.items[0].case_item_id
    to_ready(loaded, coordinator, item_id)
    born_tomorrow = "21030320261127002" + resident_id_check_char("21030320261127002")  # the clock says 2026-11-26

    def hand(id_number: str) -> handout.HandoutResult:
        return handout.hand_out(loaded, desk_session, counter_code="F1", card_no=cards["valid"],
                                case_item_ids=[item_id],
                                recipient=Recipient(RecipientKind.AGENT, id_number, "李四", True))

    with pytest.raises(RecipientError, match=r"^代理人身份证号码中的出生日期 2031-02-30 不存在："
                                             "请核对证件后重新输入$"):
        hand("110105203102300024")  # checksum hand-verified in tests/unit/test_ids.py
    with pytest.raises(RecipientError, match=r"^代理人身份证号码中的出生日期 2026-11-27 晚于今天（2026-11-26）："):
        hand(born_tomorrow)
    assert progress.items_of_case(loaded, sheet.case.id)[0].status is ItemStatus.READY  # nothing handed out
    with loaded.db.read() as conn:
        assert handout_store.handouts_of_case(conn, sheet.case.id) == []
    clock[0] += dt.timedelta(days=1)  # the clock, not the system's date, reaches the birth date
    assert hand(born_tomorrow).recipient.kind is RecipientKind.AGENT


def test_a_conditional_item_reviews_while_supplementing_and_the_case_waits_for_every_item(
        loaded: Services, desk_session: StaffSession, coordinator: StaffSession, cards: dict[str, str]) -> None:
    view = cases.open_case(loaded, desk_session, CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",),
                                                           EnterpriseKind.FOREIGN, "鞍山喆玥新材料有限公司"))
    sheet = checklist_sheet.load(loaded, view.id)
    item = sheet.items[0]
    for m in item.materials:
        if m.kind is MaterialKind.CORE:
            checklist.tick(loaded, desk_session, item.case_item_id, m.material_id, received=True)
    checklist.set_fees_paid(loaded, desk_session, item.case_item_id, True)
    checklist.decide_item(loaded, desk_session, item.case_item_id, commitment_signed=True)
    review = progress.start_review(loaded, coordinator, item.case_item_id)
    assert review.item.status is ItemStatus.IN_REVIEW and review.item.owes_supplement
    with pytest.raises(ProgressError, match="补正材料尚未补齐"):
        progress.decide(loaded, coordinator, item.case_item_id, approved=True, decision_no="鞍审批准字第1号")
    for m in item.materials:
        if m.kind is MaterialKind.SECONDARY:  # 边办边补 (S7): the last supplement completes it
            checklist.tick(loaded, desk_session, item.case_item_id, m.material_id, received=True)
    after = progress.items_of_case(loaded, view.id)[0]
    assert after.status is ItemStatus.IN_REVIEW and not after.owes_supplement
    assert progress.decide(loaded, coordinator, item.case_item_id, approved=True,
                           decision_no="鞍审批准字第1号").item.status is ItemStatus.APPROVED


def test_the_receipt_carries_the_signed_qr_and_decodes_back(
        loaded: Services, desk_session: StaffSession, coordinator: StaffSession, cards: dict[str, str],
        clock: list[dt.datetime]) -> None:
    from hallterm.domain import payloads
    from hallterm.printing.slip_layouts import render, visible_text
    from hallterm.scanning import decode_image
    from hallterm.services.signing import keyring
    from hallterm.services.slip_builders import handout_receipts

    sheet = accepted_case(loaded, desk_session, cards["valid"])
    to_ready(loaded, coordinator, sheet.items[0].case_item_id)
    done = handout.hand_out(loaded, desk_session, counter_code="F1", card_no=cards["valid"],
                            case_item_ids=[sheet.items[0].case_item_id],
                            recipient=Recipient(RecipientKind.AGENT, AGENT_ID, "司马喆睿", True))
    [receipt] = handout_receipts(loaded, done)
    text = visible_text(receipt)
    assert "领证回执" in text and "司**睿" in text and "第0012号" in text and AGENT_ID not in text
    found = decode_image(render(receipt, loaded.settings.printing.width_px))
    assert [f.text for f in found] == [receipt.payload]
    verified = payloads.verify(found[0].text, keyring(loaded))
    assert verified.kind is payloads.Kind.HANDOUT
    assert verified.fields[:2] == (sheet.case.case_no, str(done.cases[0].handout_id))
    clock[0] += dt.timedelta(days=7)  # brought back a week later: still shows its case, not "expired"
    shown = check_in.check_slip(loaded, found[0].text, session=desk_session)
    assert shown.case_id == sheet.case.id and shown.title.startswith("领证回执")


def test_the_history_says_what_was_decided_and_handed_out(
        loaded: Services, desk_session: StaffSession, coordinator: StaffSession, cards: dict[str, str]) -> None:
    from hallterm.services.cases import history
    from hallterm.tui.desk.history import describe

    sheet = accepted_case(loaded, desk_session, cards["valid"])
    to_ready(loaded, coordinator, sheet.items[0].case_item_id)
    handout.hand_out(loaded, desk_session, counter_code="F1", card_no=cards["valid"],
                     case_item_ids=[sheet.items[0].case_item_id], recipient=Recipient(RecipientKind.HOLDER, HOLDER_ID))
    lines = {e.kind: describe(e, {"QY-GSSL": "公司设立登记"}) for e in history(loaded, sheet.case.id)}
    assert lines[EventKind.ITEM_DECIDED] == "公司设立登记：准予许可，鞍审批准字〔2026〕第0012号"
    assert lines[EventKind.ITEMS_HANDED_OUT] == "公司设立登记（F1，本人领取）"
    assert lines[EventKind.CASE_CLOSED] == "全部事项已领取或办结"


def test_the_window_says_what_is_wrong_with_a_scan(
        loaded: Services, desk_session: StaffSession, cards: dict[str, str]) -> None:
    from hallterm.domain.cards import ScanError
    from hallterm.services.signing import ticket_payload

    with pytest.raises(ScanError, match="无法识别"):
        handout.lookup(loaded, desk_session, "你好")
    with pytest.raises(handout.HandoutError, match="排队票"):
        handout.lookup(loaded, desk_session, ticket_payload(loaded, loaded.today(), "A017"))
    forged = visit_payload(loaded, "210300-20261126-0001", loaded.today())[:-16] + "A" * 16
    with pytest.raises(handout.HandoutError, match="签名校验失败"):
        handout.lookup(loaded, desk_session, forged)
    assert handout.lookup(loaded, desk_session, cards["valid"]).cases == ()  # nothing ready yet


def test_a_case_ends_with_its_last_item_and_its_last_proxy_task(
        loaded: Services, desk_session: StaffSession, coordinator: StaffSession, cards: dict[str, str]) -> None:
    """One rule for when a case is done: a one-time notice leaves it open for the applicant's return (S1
    指导办); a 全程代办 case waits for its proxy tasks (S3)."""
    from hallterm.domain.proxy_tasks import ProxyTaskKind
    from hallterm.services import proxy_tasks

    told = cases.open_case(loaded, desk_session, CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",),
                                                           EnterpriseKind.FOREIGN, "鞍山喆玥新材料有限公司"))
    item = checklist_sheet.load(loaded, told.id).items[0]
    checklist.decide_item(loaded, desk_session, item.case_item_id)  # nothing brought: a one-time notice
    assert cases.get_case(loaded, told.id).status != CaseStatus.CLOSED

    proxied = cases.open_case(loaded, desk_session, CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",),
                                                              EnterpriseKind.FOREIGN, "鞍山喆玥新材料有限公司",
                                                              full_proxy=True))
    sheet = accepted_case_of(loaded, desk_session, proxied.id)
    task = proxy_tasks.add_tasks(loaded, coordinator, proxied.id, [ProxyTaskKind.POWER])[0]
    to_ready(loaded, coordinator, sheet.items[0].case_item_id)
    done = handout.hand_out(loaded, desk_session, counter_code="F1", card_no=cards["valid"],
                            case_item_ids=[sheet.items[0].case_item_id],
                            recipient=Recipient(RecipientKind.HOLDER, HOLDER_ID))
    assert not done.cases[0].case_closed  # the power connection still runs
    assert cases.get_case(loaded, proxied.id).status != CaseStatus.CLOSED
    proxy_staff = coordinator  # the coordinator may move tasks on as the proxy's stand-in
    proxy_tasks.move_task(loaded, proxy_staff, task.id)
    proxy_tasks.move_task(loaded, proxy_staff, task.id)  # 办理中 → 已办结: nothing left, the case closes
    assert cases.get_case(loaded, proxied.id).status == CaseStatus.CLOSED


def accepted_case_of(svc: Services, desk: StaffSession, case_id: int) -> checklist_sheet.CaseChecklist:
    for item in checklist_sheet.load(svc, case_id).items:
        papers = [m.material_id for m in item.materials if m.kind in (MaterialKind.CORE, MaterialKind.SECONDARY)]
        checklist.receive_many(svc, desk, item.case_item_id, papers)
        checklist.decide_item(svc, desk, item.case_item_id)
    return checklist_sheet.load(svc, case_id)
