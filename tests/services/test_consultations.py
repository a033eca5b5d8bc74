"""Early consultation (S5) and joint review (S8) as use cases: log, find, follow up, convert (the case and the
appointment remember the consultation), schedule, opinions, outcome, the 纪要 PDF. SQLite here; the storage
on both databases is tests/storage/test_consultations_storage.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from hallterm.domain.auth import AuthError
from hallterm.domain.cases import CaseDraft
from hallterm.domain.consultations import Channel, ConsultationDraft, ConsultationError, ConsultationStatus
from hallterm.domain.events import EventKind
from hallterm.domain.joint_reviews import Conclusion, JointReviewError, Opinion
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services import cases, consultations, joint_reviews
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession, set_pin, sign_in
from hallterm.storage import events
from tests.conftest import TODAY

FRIDAY = TODAY + dt.timedelta(days=1)


def session_for(svc: Services, staff_id: str) -> StaffSession:
    set_pin(svc, staff_id, "8642")
    return sign_in(svc, staff_id, "8642")


def phone_call(card_no: str = "", **changes: object) -> ConsultationDraft:
    base = ConsultationDraft(Channel.PHONE, "业务协调科", "新材料公司设立登记和环评", "想下月申请", card_no=card_no)
    return dataclasses.replace(base, **changes)


def case_draft(card_no: str) -> CaseDraft:
    return CaseDraft(card_no=card_no, kind=CaseKind.ENTERPRISE, item_codes=("QY-GSSL",),
                     enterprise_kind=EnterpriseKind.FOREIGN, enterprise_name="鞍山喆玥科技有限公司")


def test_log_find_and_follow_up(loaded: Services, cards: dict[str, str], desk_session: StaffSession,
                                clock: list[dt.datetime]) -> None:
    held = consultations.log_consultation(loaded, desk_session, phone_call(cards["valid"]))
    assert held.number == f"ZX{held.id:06d}" and held.status is ConsultationStatus.OPEN
    # left blank: 3 working days after Thursday 2026-11-26 is Tuesday 2026-12-01
    assert held.follow_up_on == dt.date(2026, 12, 1)
    assert held.subject == f"王喆（{cards['valid']}）"
    company = consultations.log_consultation(loaded, desk_session, ConsultationDraft(
        Channel.ON_SITE, "企业登记科", "分公司设立", company_name="鞍山新材料科技有限公司",
        uscc="91210300MA0QF5XB37", follow_up_on=TODAY))
    assert company.subject == "鞍山新材料科技有限公司（未办卡）"
    assert [c.number for c in consultations.find_consultations(loaded, "王喆")] == [held.number]
    assert [c.number for c in consultations.find_consultations(loaded, "新材料")] == [company.number, held.number]
    assert [c.number for c in consultations.find_consultations(loaded, "F5XB")] == [company.number]
    assert [c.number for c in consultations.find_consultations(loaded, "分公司")] == [company.number]
    assert consultations.find_consultations(loaded, "100%") == []  # a wildcard typed is a character
    assert [c.number for c in consultations.find_consultations(loaded, due_only=True)] == [company.number]
    clock[0] += dt.timedelta(days=5)  # Tuesday 2026-12-01: the holder's follow-up is due too, the oldest first
    assert [c.number for c in consultations.find_consultations(loaded, due_only=True)] == [company.number,
                                                                                          held.number]
    closed = consultations.close_consultation(loaded, desk_session, company.id, "已现场答复，暂不申请")
    assert closed.status is ConsultationStatus.CLOSED and closed.closed_note == "已现场答复，暂不申请"
    assert [c.number for c in consultations.find_consultations(loaded, due_only=True)] == [held.number]
    with pytest.raises(ConsultationError, match="已完结，无需再完结"):
        consultations.close_consultation(loaded, desk_session, company.id, "再完结")
    with loaded.db.read() as conn:
        logged = events.recent(conn, kind=EventKind.CONSULTATION_LOGGED)
        closing = events.recent(conn, kind=EventKind.CONSULTATION_CLOSED)
    assert [e.details["number"] for e in logged] == [company.number, held.number]
    assert logged[1].card_no == cards["valid"] and logged[1].details["channel"] == "phone"
    assert closing[0].details["note"] == "已现场答复，暂不申请"


def test_logging_refusals(loaded: Services, cards: dict[str, str], desk_session: StaffSession) -> None:
    with pytest.raises(ConsultationError, match=r"卡号格式不对.*尚未办卡的企业请清空卡号"):
        consultations.log_consultation(loaded, desk_session, phone_call("GD2099Z99999X"))
    with pytest.raises(ConsultationError, match="不在人才名册中"):
        consultations.log_consultation(loaded, desk_session, phone_call(loaded.card_format.make("GD2099A00001")))
    with pytest.raises(ConsultationError, match="请选择科室"):
        consultations.log_consultation(loaded, desk_session, phone_call(cards["valid"], section="财务科"))
    proxy = session_for(loaded, "S1201")
    assert proxy.role == "proxy"
    with pytest.raises(AuthError, match="帮办代办无权记录提前介入咨询"):
        consultations.log_consultation(loaded, proxy, phone_call(cards["valid"]))
    assert consultations.find_consultations(loaded) == []


def test_the_sections_are_the_appointment_ones_then_the_approval_sections(loaded: Services) -> None:
    found = consultations.sections(loaded)
    assert found[:2] == ("业务协调科", "企业登记科")
    assert "工程建设审批科" in found and len(found) == len(set(found))


def test_a_consultation_becomes_a_case_that_remembers_it(loaded: Services, cards: dict[str, str],
                                                         desk_session: StaffSession) -> None:
    held = consultations.log_consultation(loaded, desk_session, phone_call(cards["valid"]))
    with pytest.raises(ConsultationError, match=r"与咨询 .* 的持卡人"):
        consultations.open_case_from_consultation(loaded, desk_session, held.id, case_draft(cards["markup"]))
    case = consultations.open_case_from_consultation(loaded, desk_session, held.id, case_draft(cards["valid"]))
    after = consultations.get_consultation(loaded, held.id)
    assert (after.status, after.case_id, after.case_no) == (ConsultationStatus.CONVERTED, case.id, case.case_no)
    assert [c.number for c in consultations.consultations_of_case(loaded, case.id)] == [held.number]
    story = cases.history(loaded, case.id)
    converted = [e for e in story if e.kind == "consultation_converted"]
    assert len(converted) == 1 and converted[0].details["number"] == held.number
    assert converted[0].label == "咨询转办"
    with pytest.raises(ConsultationError, match=f"已转为办件 {case.case_no}，不能重复转办"):
        consultations.open_case_from_consultation(loaded, desk_session, held.id, case_draft(cards["valid"]))


def test_a_refused_link_undoes_the_case(loaded: Services, cards: dict[str, str], desk_session: StaffSession,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """One transaction: a case whose consultation cannot be linked is not opened either."""
    held = consultations.log_consultation(loaded, desk_session, phone_call(cards["valid"]))

    def refuse(*_args: object, **_kw: object) -> None:
        raise ConsultationError("刚刚已在其他终端改动")

    monkeypatch.setattr(consultations, "_link", refuse)
    with pytest.raises(ConsultationError):
        consultations.open_case_from_consultation(loaded, desk_session, held.id, case_draft(cards["valid"]))
    assert cases.open_cases_of_holder(loaded, cards["valid"]) == []


def test_a_company_not_yet_carded_cannot_become_a_case(loaded: Services, desk_session: StaffSession) -> None:
    held = consultations.log_consultation(loaded, desk_session, phone_call(company_name="鞍山新材料科技有限公司"))
    with pytest.raises(ConsultationError, match="尚未办卡的企业：办件须凭钢都英才卡"):
        consultations.open_case_from_consultation(loaded, desk_session, held.id, case_draft("GD2022A00017X"))


def test_a_consultation_becomes_an_appointment(loaded: Services, cards: dict[str, str],
                                               desk_session: StaffSession) -> None:
    held = consultations.log_consultation(loaded, desk_session, phone_call(cards["valid"]))
    booked = consultations.book_from_consultation(loaded, desk_session, held.id, FRIDAY, "09:00",
                                                  section="业务协调科", note="提前介入")
    assert booked.section == "业务协调科" and held.number in booked.message
    after = consultations.get_consultation(loaded, held.id)
    assert after.appointment_no == booked.number and after.became == f"预约 {booked.number}"
    with pytest.raises(ConsultationError, match=f"已转为预约 {booked.number}"):
        consultations.book_from_consultation(loaded, desk_session, held.id, FRIDAY, "10:00", section="业务协调科")
    # and later the same consultation can still become the case the appointment led to
    case = consultations.open_case_from_consultation(loaded, desk_session, held.id, case_draft(cards["valid"]))
    assert consultations.get_consultation(loaded, held.id).became == f"预约 {booked.number}、办件 {case.case_no}"


# --- joint review (S8) ---------------------------------------------------------------------------


@pytest.fixture
def coordinator(loaded: Services) -> StaffSession:
    return session_for(loaded, "S1001")


def test_a_joint_review_from_schedule_to_the_printed_record(
        loaded: Services, cards: dict[str, str], desk_session: StaffSession, coordinator: StaffSession,
        tmp_path: Path, clock: list[dt.datetime]) -> None:
    loaded.settings = dataclasses.replace(
        loaded.settings, printing=dataclasses.replace(loaded.settings.printing, spool_dir=str(tmp_path / "spool")))
    case = cases.open_case(loaded, desk_session, case_draft(cards["valid"]))
    with pytest.raises(AuthError):
        joint_reviews.schedule(loaded, desk_session, case.id, day=TODAY, start="15:00", place="二楼",
                               departments=["市自然资源局"])
    review = joint_reviews.schedule(loaded, coordinator, case.id, day=TODAY, start="15:00", place="二楼会商室",
                                    departments=["市自然资源局", "市生态环境局", "市消防救援支队"])
    assert review.number == "会商〔2026〕第0001号"
    assert review.invited == ("市自然资源局", "市生态环境局", "市消防救援支队")
    with pytest.raises(JointReviewError, match="尚未形成结论：请先记录结论"):
        joint_reviews.schedule(loaded, coordinator, case.id, day=FRIDAY, start="09:00", place="二楼",
                               departments=["市自然资源局"])
    with pytest.raises(JointReviewError, match="尚未形成结论：记录结论后才能打印"):
        joint_reviews.print_minutes_of(loaded, coordinator, review.id)
    joint_reviews.record_opinion(loaded, coordinator, review.id, "市自然资源局", Opinion.AGREE)
    joint_reviews.record_opinion(loaded, coordinator, review.id, "市生态环境局", Opinion.DISAGREE, "先做环评")
    with pytest.raises(JointReviewError, match="15:00 举行，开会后才能记录结论"):
        joint_reviews.record_outcome(loaded, coordinator, review.id, Conclusion.CONDITIONAL, "环评批复后办理")
    clock[0] = clock[0].replace(hour=7, minute=30)  # 15:30 in the hall: the meeting is under way
    with pytest.raises(JointReviewError, match="不同意，结论不能是“同意办理”"):
        joint_reviews.record_outcome(loaded, coordinator, review.id, Conclusion.APPROVED, "同意")
    # corrected: the first opinion is replaced, both are in the events log
    joint_reviews.record_opinion(loaded, coordinator, review.id, "市生态环境局", Opinion.CONDITIONAL,
                                 "环评批复后开工")
    done = joint_reviews.record_outcome(loaded, coordinator, review.id, Conclusion.CONDITIONAL,
                                        "环评批复后予以办理施工许可")
    assert done.conclusion is Conclusion.CONDITIONAL and "市消防救援支队未出具意见" in done.message
    with pytest.raises(JointReviewError, match="已形成结论"):
        joint_reviews.record_opinion(loaded, coordinator, review.id, "市消防救援支队", Opinion.AGREE)
    kinds = [e.kind for e in cases.history(loaded, case.id)]
    assert kinds.count("joint_review_opinion") == 3 and "joint_review_concluded" in kinds

    printed = joint_reviews.print_minutes_of(loaded, coordinator, review.id)
    assert printed.ok, printed.message
    pdf = Path(printed.spool_base + ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    # fpdf2's CID text extracts with a NUL before each character (as tests/printing/test_notices.py strips)
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages).replace("\x00", "")
    assert case.case_no in text
    assert "有条件同意办理" in text and "环评批复后予以办理施工许可" in text
    assert "市消防救援支队：未出具意见" in text
    assert [e.kind for e in cases.history(loaded, case.id)][-1] in ("slip_spooled", "slip_printed")


def test_a_closed_case_gets_no_joint_review(loaded: Services, cards: dict[str, str], desk_session: StaffSession,
                                            coordinator: StaffSession) -> None:
    from hallterm.storage import cases as case_store

    case = cases.open_case(loaded, desk_session, case_draft(cards["valid"]))
    with loaded.db.write() as conn:
        case_store.set_case(conn, case.id, status="closed")
    with pytest.raises(JointReviewError, match="已办结，不能再安排会商"):
        joint_reviews.schedule(loaded, coordinator, case.id, day=FRIDAY, start="09:00", place="二楼",
                               departments=["市自然资源局"])
