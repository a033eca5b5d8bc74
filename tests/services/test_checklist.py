"""The checklist use cases (S1, S6, S7): ticking, the live decision, acceptance, 容缺 and its
supplements, the sweep that returns overdue conditional items, and special-procedure pauses."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from hallterm.domain.cases import CaseDraft, CaseStatus
from hallterm.domain.checklist import Decision, ItemStatus, MaterialKind
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services import cases, checklist, checklist_sheet, deadline_sweep
from hallterm.services.checklist_sheet import ChecklistError
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage import cases as case_store
from hallterm.storage.tables import card_holders, documents


def opened(svc: Services, session: StaffSession, card_no: str, *codes: str) -> checklist_sheet.CaseChecklist:
    view = cases.open_case(
        svc,
        session,
        CaseDraft(
            card_no, CaseKind.ENTERPRISE, codes or ("QY-GSSL",), EnterpriseKind.FOREIGN, "鞍山喆玥新材料有限公司"
        ),
    )
    return checklist_sheet.load(svc, view.id)


def tick_kinds(
    svc: Services, session: StaffSession, sheet: checklist_sheet.CaseChecklist, *kinds: MaterialKind
) -> checklist_sheet.CaseChecklist:
    item = sheet.items[0]
    for m in item.materials:
        if m.kind in kinds:
            sheet = checklist.tick(svc, session, item.case_item_id, m.material_id, received=True)
    return sheet


def test_the_decision_follows_the_ticks(loaded: Services, desk_session: StaffSession, cards: dict[str, str]) -> None:
    sheet = opened(loaded, desk_session, cards["valid"])
    item = sheet.items[0]
    assert item.item_name == "公司设立登记" and item.status == ItemStatus.RECEIVED
    assert item.decision.decision is Decision.NOT_ACCEPTED
    core = [m for m in item.materials if m.kind is MaterialKind.CORE]
    assert {m.name for m in item.decision.missing} >= {m.name for m in core}
    sheet = tick_kinds(loaded, desk_session, sheet, MaterialKind.CORE)
    sheet = checklist.set_fees_paid(loaded, desk_session, item.case_item_id, True)
    assert sheet.items[0].decision.decision is Decision.CONDITIONAL_NEEDS_COMMITMENT
    sheet = tick_kinds(loaded, desk_session, sheet, MaterialKind.SECONDARY)
    assert sheet.items[0].decision.decision is Decision.ACCEPTED


def test_a_conditional_material_counts_only_when_it_applies(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    sheet = tick_kinds(
        loaded, desk_session, opened(loaded, desk_session, cards["valid"]), MaterialKind.CORE, MaterialKind.SECONDARY
    )
    item = sheet.items[0]
    assert item.decision.decision is Decision.ACCEPTED
    agent = next(m for m in item.materials if m.kind is MaterialKind.CONDITIONAL)
    sheet = checklist.set_applies(loaded, desk_session, item.case_item_id, agent.material_id, True)
    assert sheet.items[0].decision.decision is Decision.NOT_ACCEPTED  # an agent files: the power of attorney
    assert [m.name for m in sheet.items[0].decision.missing] == [agent.name]


def test_accepting_issues_the_acceptance_notice_with_the_promised_date(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    sheet = tick_kinds(
        loaded, desk_session, opened(loaded, desk_session, cards["valid"]), MaterialKind.CORE, MaterialKind.SECONDARY
    )
    sheet, issued = checklist.decide_item(loaded, desk_session, sheet.items[0].case_item_id)
    item = sheet.items[0]
    assert item.status == ItemStatus.ACCEPTED and item.accepted_on == dt.date(2026, 11, 26)
    assert item.deadline is not None and item.deadline.due == dt.date(2026, 12, 1)  # 3 working days (S6)
    assert [d.title for d in issued] == ["受理通知书"]
    with loaded.db.read() as conn:
        content = conn.execute(select(documents.c.content).where(documents.c.id == issued[0].id)).scalar_one()
    assert content["header"]["case_no"] == sheet.case.case_no and content["promised_date"] == "2026-12-01"
    with pytest.raises(ChecklistError, match="已经受理"):
        checklist.decide_item(loaded, desk_session, item.case_item_id)


def test_missing_core_material_gives_a_one_time_notice_of_everything(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    sheet = opened(loaded, desk_session, cards["valid"])
    item = sheet.items[0]
    sheet, issued = checklist.decide_item(loaded, desk_session, item.case_item_id)
    assert sheet.items[0].status == ItemStatus.NOT_ACCEPTED
    assert [d.title for d in issued] == ["一次性告知书"]
    with loaded.db.read() as conn:
        content = conn.execute(select(documents.c.content).where(documents.c.id == issued[0].id)).scalar_one()
    listed = [m["name"] for m in content["missing"]]
    assert listed == [m.name for m in item.decision.missing] and len(listed) == 6  # every missing material
    assert content["guide_section"] == "企业登记科"  # S1: 指导办 by the enterprise-registration section


def test_conditional_acceptance_needs_the_signed_commitment(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    sheet = tick_kinds(loaded, desk_session, opened(loaded, desk_session, cards["valid"]), MaterialKind.CORE)
    item = sheet.items[0]
    checklist.set_fees_paid(loaded, desk_session, item.case_item_id, True)
    with pytest.raises(ChecklistError, match="承诺书"):
        checklist.decide_item(loaded, desk_session, item.case_item_id)
    sheet, issued = checklist.decide_item(loaded, desk_session, item.case_item_id, commitment_signed=True)
    item = sheet.items[0]
    assert item.status == ItemStatus.CONDITIONAL
    assert item.supplement_due_on == dt.date(2026, 12, 1)  # no later than the promised 3 working days (S7)
    assert [d.title for d in issued] == ["容缺受理承诺书", "容缺受理通知书"]


def test_unpaid_fees_or_an_item_off_the_list_block_conditional_acceptance(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    sheet = tick_kinds(loaded, desk_session, opened(loaded, desk_session, cards["valid"]), MaterialKind.CORE)
    assert sheet.items[0].decision.decision is Decision.NOT_ACCEPTED
    assert any("费用" in r for r in sheet.items[0].decision.reasons)
    oil = opened(loaded, desk_session, cards["valid"], "SM-CPYLS")  # 成品油: public safety, no 容缺
    oil = tick_kinds(loaded, desk_session, oil, MaterialKind.CORE)
    checklist.set_fees_paid(loaded, desk_session, oil.items[0].case_item_id, True)
    oil = checklist_sheet.load(loaded, oil.case.id)
    if any(m.kind is MaterialKind.SECONDARY for m in oil.items[0].materials):
        assert oil.items[0].decision.decision is Decision.NOT_ACCEPTED
        assert any("容缺受理清单" in r for r in oil.items[0].decision.reasons)


def test_a_late_supplement_completes_the_item(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    sheet = tick_kinds(loaded, desk_session, opened(loaded, desk_session, cards["valid"]), MaterialKind.CORE)
    item = sheet.items[0]
    checklist.set_fees_paid(loaded, desk_session, item.case_item_id, True)
    checklist.decide_item(loaded, desk_session, item.case_item_id, commitment_signed=True)
    clock[0] += dt.timedelta(days=1)
    secondary = next(m for m in item.materials if m.kind is MaterialKind.SECONDARY)
    sheet = checklist.tick(loaded, desk_session, item.case_item_id, secondary.material_id, received=True, form="copy")
    assert sheet.items[0].status == ItemStatus.ACCEPTED
    kinds = [e.kind for e in cases.history(loaded, sheet.case.id)]
    assert "material_supplemented" in kinds and kinds[-1] == "supplement_complete"


def test_the_sweep_returns_overdue_conditional_items_and_bars_the_holder(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    sheet = tick_kinds(loaded, desk_session, opened(loaded, desk_session, cards["valid"]), MaterialKind.CORE)
    item = sheet.items[0]
    checklist.set_fees_paid(loaded, desk_session, item.case_item_id, True)
    checklist.decide_item(loaded, desk_session, item.case_item_id, commitment_signed=True)
    clock[0] = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # the deadline day itself: not yet
    assert deadline_sweep.sweep(loaded).returned == 0
    clock[0] = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)
    first = deadline_sweep.sweep(loaded)
    assert (first.returned, first.barred_holders) == (1, 1)
    assert deadline_sweep.sweep(loaded) == deadline_sweep.SweepResult(0, 0, 0)  # idempotent
    sheet = checklist_sheet.load(loaded, sheet.case.id)
    assert sheet.items[0].status == ItemStatus.RETURNED and sheet.items[0].commitment_breached
    assert sheet.case.status == "closed"  # 退件办结
    assert sheet.barred_until == dt.date(2027, 6, 1)  # 6 months by default
    with pytest.raises(ChecklistError, match="退件办结"):
        checklist.tick(loaded, desk_session, item.case_item_id, item.materials[0].material_id, received=True)
    # The next case of the same holder cannot be accepted conditionally.
    again = tick_kinds(loaded, desk_session, opened(loaded, desk_session, cards["valid"]), MaterialKind.CORE)
    checklist.set_fees_paid(loaded, desk_session, again.items[0].case_item_id, True)
    again = checklist_sheet.load(loaded, again.case.id)
    assert again.items[0].decision.decision is Decision.NOT_ACCEPTED
    assert any("2027-06-01" in r for r in again.items[0].decision.reasons)


def test_credit_barred_holders_never_get_conditional_acceptance(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    with loaded.db.write() as conn:
        conn.execute(card_holders.update().where(card_holders.c.card_no == cards["valid"]).values(credit_barred=True))
    sheet = tick_kinds(loaded, desk_session, opened(loaded, desk_session, cards["valid"]), MaterialKind.CORE)
    checklist.set_fees_paid(loaded, desk_session, sheet.items[0].case_item_id, True)
    sheet = checklist_sheet.load(loaded, sheet.case.id)
    assert sheet.credit_barred and sheet.items[0].decision.decision is Decision.NOT_ACCEPTED


def test_a_special_procedure_pauses_the_clock_and_is_notified(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    sheet = opened(loaded, desk_session, cards["valid"], "GC-GHXK")  # 建设工程规划许可: 专家评审 etc.
    sheet = tick_kinds(loaded, desk_session, sheet, MaterialKind.CORE, MaterialKind.SECONDARY)
    item = sheet.items[0]
    sheet, _ = checklist.decide_item(loaded, desk_session, item.case_item_id)
    due_before = sheet.items[0].deadline.due
    procedure = sheet.items[0].clock_exempt[0]
    clock[0] = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # Friday
    sheet, notice = checklist.pause_item(loaded, desk_session, item.case_item_id, procedure, expected_working_days=5)
    assert notice.title == "特殊程序告知书"
    assert sheet.items[0].deadline_state.status.value == "paused"
    with pytest.raises(ChecklistError, match="已在特殊程序中"):
        checklist.pause_item(loaded, desk_session, item.case_item_id, procedure, expected_working_days=5)
    clock[0] = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # Tuesday: Fri, Mon, Tue were paused
    sheet = checklist.resume_item(loaded, desk_session, item.case_item_id)
    assert sheet.items[0].deadline.paused_working_days == 3
    assert sheet.items[0].deadline.due > due_before


def test_due_soon_and_overdue_items_are_counted(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    sheet = tick_kinds(
        loaded, desk_session, opened(loaded, desk_session, cards["valid"]), MaterialKind.CORE, MaterialKind.SECONDARY
    )
    checklist.decide_item(loaded, desk_session, sheet.items[0].case_item_id)  # due 2026-12-01
    assert dataclasses.astuple(deadline_sweep.deadline_counts(loaded))[:2] == (0, 0)
    clock[0] = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 2 working days left
    assert deadline_sweep.deadline_counts(loaded).due_soon == 1
    clock[0] = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)
    assert deadline_sweep.deadline_counts(loaded).overdue == 1
    assert "2027" in deadline_sweep.deadline_counts(loaded).calendar_warning  # chinese-calendar stops at 2026
    with loaded.db.write() as conn:  # 办结: its items stay 已受理, but a closed case is no longer counted
        case_store.set_case(conn, sheet.case.id, status=CaseStatus.CLOSED.value, closed_at=clock[0])
    assert dataclasses.astuple(deadline_sweep.deadline_counts(loaded))[:2] == (0, 0)


def test_a_coordinator_may_tick_but_roles_are_checked(
    loaded: Services, cards: dict[str, str], desk_session: StaffSession
) -> None:
    from hallterm.domain.auth import AuthError

    sheet = opened(loaded, desk_session, cards["valid"])
    outsider = StaffSession("X1", "外人", "kiosk", "", "")
    with pytest.raises(AuthError):
        checklist.tick(
            loaded, outsider, sheet.items[0].case_item_id, sheet.items[0].materials[0].material_id, received=True
        )


def conditional_ready(svc: Services, session: StaffSession, card_no: str) -> checklist_sheet.CaseChecklist:
    """Core materials in, fees paid: only secondary materials missing, 容缺 possible (S7)."""
    sheet = tick_kinds(svc, session, opened(svc, session, card_no), MaterialKind.CORE)
    return checklist.set_fees_paid(svc, session, sheet.items[0].case_item_id, True)


def test_an_applicant_who_will_not_commit_gets_the_one_time_notice(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    sheet = conditional_ready(loaded, desk_session, cards["valid"])
    item = sheet.items[0]
    assert item.decision.decision is Decision.CONDITIONAL_NEEDS_COMMITMENT
    sheet, issued = checklist.decide_item(loaded, desk_session, item.case_item_id, one_time_notice=True)
    assert sheet.items[0].status == ItemStatus.NOT_ACCEPTED and not sheet.items[0].commitment_signed
    assert [d.title for d in issued] == ["一次性告知书"]
    with loaded.db.read() as conn:
        content = conn.execute(select(documents.c.content).where(documents.c.id == issued[0].id)).scalar_one()
    secondary = [m.name for m in item.materials if m.kind is MaterialKind.SECONDARY]
    assert [m["name"] for m in content["missing"]] == secondary  # everything missing, at once (S6/S7)
    last, mode = cases.history(loaded, sheet.case.id)[-2:]
    assert last.kind == "item_not_accepted"
    assert mode.kind == "service_mode_decided" and mode.details["chosen"] == "guided"  # 资料不全指导办 (S1)
    # Back with the materials the notice listed: ticking is open and F10 accepts.
    sheet = tick_kinds(loaded, desk_session, sheet, MaterialKind.SECONDARY)
    sheet, issued = checklist.decide_item(loaded, desk_session, item.case_item_id)
    assert sheet.items[0].status == ItemStatus.ACCEPTED and [d.title for d in issued] == ["受理通知书"]


def test_an_accepted_item_keeps_its_ticks(loaded: Services, desk_session: StaffSession,
                                          cards: dict[str, str]) -> None:
    sheet = tick_kinds(
        loaded, desk_session, opened(loaded, desk_session, cards["valid"]), MaterialKind.CORE, MaterialKind.SECONDARY
    )
    item = sheet.items[0]
    checklist.decide_item(loaded, desk_session, item.case_item_id)
    core = next(m for m in item.materials if m.kind is MaterialKind.CORE)
    with pytest.raises(ChecklistError, match=r"已受理（2026-11-26）.*不能改为未收"):
        checklist.tick(loaded, desk_session, item.case_item_id, core.material_id, received=False)
    agent = next(m for m in item.materials if m.kind is MaterialKind.CONDITIONAL)
    with pytest.raises(ChecklistError, match="不能再更改条件材料是否适用"):
        checklist.set_applies(loaded, desk_session, item.case_item_id, agent.material_id, True)
    with pytest.raises(ChecklistError, match="不能再更改缴费状态"):
        checklist.set_fees_paid(loaded, desk_session, item.case_item_id, False)
    sheet = checklist.set_fees_paid(loaded, desk_session, item.case_item_id, True)  # paying later is fine
    after = sheet.items[0]
    assert after.status == ItemStatus.ACCEPTED and after.decision.decision is Decision.ACCEPTED
    assert all(m.received for m in after.materials if m.kind is not MaterialKind.CONDITIONAL)
    # A form or a note may still be corrected: it changes no decision.
    sheet = checklist.tick(loaded, desk_session, item.case_item_id, core.material_id, received=True, form="copy")
    assert next(m for m in sheet.items[0].materials if m.material_id == core.material_id).form == "copy"
    assert cases.history(loaded, sheet.case.id)[-1].kind == "material_updated"


def test_a_conditional_item_takes_supplements_but_no_untick(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    sheet = conditional_ready(loaded, desk_session, cards["valid"])
    item = sheet.items[0]
    checklist.decide_item(loaded, desk_session, item.case_item_id, commitment_signed=True)
    core = next(m for m in item.materials if m.kind is MaterialKind.CORE)
    with pytest.raises(ChecklistError, match=r"已容缺受理.*补正材料照常按空格登记"):
        checklist.tick(loaded, desk_session, item.case_item_id, core.material_id, received=False)
    with pytest.raises(ChecklistError, match="缴费状态"):
        checklist.set_fees_paid(loaded, desk_session, item.case_item_id, False)
    assert checklist_sheet.load(loaded, sheet.case.id).items[0].status == ItemStatus.CONDITIONAL


def test_after_a_one_time_notice_an_untick_is_a_recorded_correction(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    sheet = tick_kinds(loaded, desk_session, opened(loaded, desk_session, cards["valid"]), MaterialKind.SECONDARY)
    item = sheet.items[0]
    checklist.decide_item(loaded, desk_session, item.case_item_id)  # core missing: one-time notice
    secondary = next(m for m in item.materials if m.kind is MaterialKind.SECONDARY)
    with pytest.raises(ChecklistError, match="须确认更正"):
        checklist.tick(loaded, desk_session, item.case_item_id, secondary.material_id, received=False)
    sheet = checklist.tick(loaded, desk_session, item.case_item_id, secondary.material_id, received=False,
                           correction=True)
    assert not next(m for m in sheet.items[0].materials if m.material_id == secondary.material_id).received
    last = cases.history(loaded, sheet.case.id)[-1]
    assert last.kind == "material_corrected"


def test_a_completed_supplement_is_dated(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    sheet = conditional_ready(loaded, desk_session, cards["valid"])
    item = sheet.items[0]
    checklist.decide_item(loaded, desk_session, item.case_item_id, commitment_signed=True)
    assert checklist_sheet.load(loaded, sheet.case.id).items[0].supplemented_on is None
    clock[0] += dt.timedelta(days=1)
    sheet = tick_kinds(loaded, desk_session, sheet, MaterialKind.SECONDARY)
    done = sheet.items[0]
    assert done.status == ItemStatus.ACCEPTED
    assert (done.accepted_on, done.supplemented_on) == (dt.date(2026, 11, 26), dt.date(2026, 11, 27))


def test_a_district_case_is_issued_by_the_district_bureau(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    view = cases.open_case(loaded, desk_session, CaseDraft(
        cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",), EnterpriseKind.LIMITED, "鞍山职业技术学院",
        district="铁东区"))
    assert (view.jurisdiction, view.district) == ("district", "铁东区")  # S2
    sheet = tick_kinds(loaded, desk_session, checklist_sheet.load(loaded, view.id), MaterialKind.CORE)
    item = sheet.items[0]
    checklist.set_fees_paid(loaded, desk_session, item.case_item_id, True)
    _sheet, issued = checklist.decide_item(loaded, desk_session, item.case_item_id, commitment_signed=True)
    with loaded.db.read() as conn:
        contents = conn.execute(select(documents.c.content).where(documents.c.case_id == view.id)
                                .order_by(documents.c.id)).scalars().all()
    assert [c["header"]["issuer"] for c in contents] == ["鞍山市铁东区行政审批局"] * 2
    assert [d.number for d in issued] == ["铁东审批绿〔2026〕容缺承诺第0001号", "铁东审批绿〔2026〕容缺第0001号"]
    # The city keeps its own series: a city case in the same hall is numbered by the city bureau.
    city = conditional_ready(loaded, desk_session, cards["valid"])
    _city, city_issued = checklist.decide_item(loaded, desk_session, city.items[0].case_item_id,
                                               commitment_signed=True)
    assert city_issued[0].number == "鞍审批绿〔2026〕容缺承诺第0001号"


def test_the_cases_mode_follows_the_checklists_decisions(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    """Opened with nobody having checked the papers, a case is 待定; the checklist settles it (S1, S7),
    on the record; a second item accepted outright later does not undo 指导办."""
    from hallterm.domain.service_mode import ServiceMode

    sheet = opened(loaded, desk_session, cards["valid"], "QY-GSSL", "QY-FGSSL")
    assert sheet.case.service_mode is ServiceMode.PENDING
    first, second = sheet.items
    for m in first.materials:
        if m.kind is MaterialKind.CORE:
            checklist.tick(loaded, desk_session, first.case_item_id, m.material_id, received=True)
    checklist.set_fees_paid(loaded, desk_session, first.case_item_id, True)
    sheet, _ = checklist.decide_item(loaded, desk_session, first.case_item_id, commitment_signed=True)
    assert sheet.items[0].status == ItemStatus.CONDITIONAL
    assert sheet.case.service_mode is ServiceMode.GUIDED  # 容缺受理 is 资料不全指导办 (S1, S7)
    decided = [e for e in cases.history(loaded, sheet.case.id) if e.kind == "service_mode_decided"]
    assert len(decided) == 1 and decided[0].label == "材料核验定办理方式"
    assert decided[0].details["chosen"] == "guided" and "容缺受理" in decided[0].details["reason"]
    for m in second.materials:
        if m.kind in (MaterialKind.CORE, MaterialKind.SECONDARY):
            checklist.tick(loaded, desk_session, second.case_item_id, m.material_id, received=True)
    sheet, _ = checklist.decide_item(loaded, desk_session, second.case_item_id)
    assert sheet.case.service_mode is ServiceMode.GUIDED


def test_a_case_whose_papers_are_all_there_becomes_immediate(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    from hallterm.domain.service_mode import ServiceMode

    sheet = tick_kinds(
        loaded, desk_session, opened(loaded, desk_session, cards["valid"]), MaterialKind.CORE, MaterialKind.SECONDARY
    )
    sheet, _ = checklist.decide_item(loaded, desk_session, sheet.items[0].case_item_id)
    assert sheet.case.service_mode is ServiceMode.IMMEDIATE
    kinds = [e.kind for e in cases.history(loaded, sheet.case.id)]
    assert kinds.count("service_mode_decided") == 1 and kinds[-1] == "service_mode_decided"
