"""Documents as data (research/domain.md §1, §2): numbers, the case number, and what each must say."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from hallterm.domain.checklist import ChecklistInput, Decision, MaterialKind, MaterialState, decide
from hallterm.domain.documents import (
    DocumentError,
    DocumentKind,
    MissingMaterial,
    acceptance_notice,
    conditional_commitment,
    conditional_notice,
    document_number,
    missing_materials,
    one_time_notice,
    special_procedure_notice,
)

D = dt.date
CASE = "210300-20261126-0007"
COMMON = {"case_no": CASE, "issued_on": D(2026, 11, 26), "applicant": "鞍山钢智科技有限公司",
          "item_name": "公司设立登记"}
MISSING = (MissingMaterial("董事、监事、经理任职文件及身份证明", "次要材料"),)


@pytest.mark.parametrize(("kind", "seq", "number"), [
    (DocumentKind.ACCEPTANCE_NOTICE, 1, "鞍审批绿〔2026〕受理第0001号"),
    (DocumentKind.ONE_TIME_NOTICE, 37, "鞍审批绿〔2026〕告知第0037号"),
    (DocumentKind.CONDITIONAL_COMMITMENT, 2, "鞍审批绿〔2026〕容缺承诺第0002号"),
    (DocumentKind.CONDITIONAL_NOTICE, 2, "鞍审批绿〔2026〕容缺第0002号"),
    (DocumentKind.SPECIAL_PROCEDURE_NOTICE, 12345, "鞍审批绿〔2026〕特程第12345号"),
])
def test_document_numbers(kind: DocumentKind, seq: int, number: str) -> None:
    assert document_number(kind, 2026, seq) == number


def test_a_sequence_starts_at_one_and_the_issuer_can_be_changed() -> None:
    with pytest.raises(DocumentError):
        document_number(DocumentKind.ACCEPTANCE_NOTICE, 2026, 0)
    assert document_number(DocumentKind.ACCEPTANCE_NOTICE, 2027, 5, "铁东审批") == "铁东审批〔2027〕受理第0005号"


def test_acceptance_notice_has_the_promised_date_and_the_case_number() -> None:
    doc = acceptance_notice(seq=1, **COMMON, accepted_on=D(2026, 11, 26), promised_days=5,
                            promised_date=D(2026, 12, 3), staff_name="李娜", staff_phone="0412-5551234")
    assert doc.header.title == "受理通知书"
    assert doc.header.number == "鞍审批绿〔2026〕受理第0001号"
    assert doc.header.case_no == CASE
    assert doc.header.issuer == "鞍山市行政审批局"
    assert (doc.promised_date, doc.promised_days, doc.promised_date_estimated) == (D(2026, 12, 3), 5, False)
    assert any("第四十五条" in r for r in doc.remarks)
    assert not any("估算" in r for r in doc.remarks)
    assert [s.label for s in doc.signatures] == ["受理人（签字）", "申请人签收"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.promised_date = D(2026, 12, 4)  # type: ignore[misc]


def test_an_estimated_promised_date_says_so_on_the_notice() -> None:
    doc = acceptance_notice(seq=2, **COMMON, accepted_on=D(2026, 12, 28), promised_days=5,
                            promised_date=D(2027, 1, 4), estimated=True, staff_name="李娜")
    assert doc.promised_date_estimated
    assert any("2027 年节假日安排尚未公布" in r and "估算" in r for r in doc.remarks)


def test_one_time_notice_lists_every_missing_material_from_the_decision() -> None:
    materials = (
        MaterialState("公司登记（备案）申请书", MaterialKind.CORE, False, note="法定代表人签署"),
        MaterialState("公司章程", MaterialKind.CORE, True),
        MaterialState("董事、监事、经理任职文件及身份证明", MaterialKind.SECONDARY, False),
        MaterialState("授权委托书", MaterialKind.CONDITIONAL, False, True, "委托代理人办理时"),
        MaterialState("前置审批文件", MaterialKind.CONDITIONAL, False, False, "涉及前置审批时"),
    )
    decision = decide(ChecklistInput(materials, True, True, False, False))
    assert decision.decision is Decision.NOT_ACCEPTED
    doc = one_time_notice(seq=3, **COMMON, missing=missing_materials(decision.missing),
                          supplement_by=D(2026, 12, 3), guide_section="企业登记科")
    assert [(m.name, m.kind) for m in doc.missing] == [
        ("公司登记（备案）申请书", "主审要件"), ("董事、监事、经理任职文件及身份证明", "次要材料"),
        ("授权委托书", "条件材料")]
    assert doc.missing[0].requirement == "法定代表人签署"
    assert doc.missing[2].condition == "委托代理人办理时"
    assert doc.supplement_by == D(2026, 12, 3)
    assert "共 3 项" in doc.statement and "企业登记科" in doc.statement
    assert "第三十二条" in doc.legal_basis
    assert doc.signatures[0].label == "申请人（签字）" and doc.signatures[0].dated
    assert doc.header.number.endswith("告知第0003号")


def test_a_one_time_notice_needs_something_missing_and_a_later_deadline() -> None:
    with pytest.raises(DocumentError, match="至少应列出一项"):
        one_time_notice(seq=1, **COMMON, missing=())
    with pytest.raises(DocumentError, match="应晚于"):
        one_time_notice(seq=1, **COMMON, missing=MISSING, supplement_by=D(2026, 11, 26))


def test_commitment_states_the_deadline_and_the_consequences() -> None:
    doc = conditional_commitment(seq=4, **COMMON, missing=MISSING, supplement_by=D(2026, 12, 1))
    assert doc.header.title == "容缺受理承诺书"
    assert doc.supplement_by == D(2026, 12, 1)
    text = "；".join(doc.promises)
    assert "于2026年12月1日前补齐" in text
    assert "退件办结" in text and "信用记录" in text and "6 个月" in text
    assert [s.label for s in doc.signatures] == ["申请人（签字或盖章）"]
    by_agent = conditional_commitment(seq=5, **COMMON, missing=MISSING, supplement_by=D(2026, 12, 1), by_agent=True)
    assert "授权委托书" in by_agent.signatures[1].label


def test_conditional_notice_has_deadline_consequences_and_two_copies() -> None:
    doc = conditional_notice(seq=6, **COMMON, accepted_on=D(2026, 11, 26), missing=MISSING,
                             supplement_by=D(2026, 12, 1))
    assert doc.header.title == "容缺受理通知书"
    assert doc.missing == MISSING
    assert doc.supplement_by == D(2026, 12, 1)
    assert doc.copies == 2
    assert doc.bar_months == 6
    joined = "；".join(doc.consequences)
    assert "退件办结" in joined and "失信" in joined and "6 个月内不得适用容缺受理" in joined
    assert doc.supplement_ways  # in person, by post, online
    three = conditional_notice(seq=7, **COMMON, accepted_on=D(2026, 11, 26), missing=MISSING,
                               supplement_by=D(2026, 12, 1), bar_months=3)
    assert "3 个月内" in three.consequences[2]


def test_conditional_notice_refuses_a_deadline_not_after_acceptance() -> None:
    with pytest.raises(DocumentError, match="补正期限"):
        conditional_notice(seq=6, **COMMON, accepted_on=D(2026, 11, 26), missing=MISSING,
                           supplement_by=D(2026, 11, 26))


def test_special_procedure_notice_excludes_the_time_with_its_legal_basis() -> None:
    doc = special_procedure_notice(seq=8, **COMMON, procedure="EXPERT_REVIEW", started_on=D(2026, 11, 30),
                                   expected_working_days=10)
    assert doc.header.title == "特殊程序告知书"
    assert doc.header.number == "鞍审批绿〔2026〕特程第0008号"
    assert doc.procedure_name == "专家评审"
    assert doc.legal_basis == "《中华人民共和国行政许可法》第四十五条"
    assert "不计算在办理时限内" in doc.statement and "专家评审" in doc.statement
    assert doc.expected_working_days == 10


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"procedure": "COFFEE", "expected_working_days": 3}, "未知的特殊程序"),
    ({"procedure": "SITE_INSPECTION"}, "预计所需时间"),
    ({"procedure": "SITE_INSPECTION", "expected_working_days": 0}, "至少 1 个工作日"),
    ({"procedure": "SITE_INSPECTION", "expected_end": D(2026, 11, 29)}, "早于开始日期"),
])
def test_special_procedure_notice_refusals(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(DocumentError, match=fragment):
        special_procedure_notice(seq=1, **COMMON, started_on=D(2026, 11, 30), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["case_no", "applicant", "item_name"])
def test_every_document_needs_the_case_number_applicant_and_item(field: str) -> None:
    values = {**COMMON, field: "  "}
    with pytest.raises(DocumentError, match="缺少"):
        acceptance_notice(seq=1, **values, accepted_on=D(2026, 11, 26), promised_days=5,  # type: ignore[arg-type]
                          promised_date=D(2026, 12, 3), staff_name="李娜")


def test_the_issuer_follows_the_handling_bureau() -> None:
    from hallterm.domain.documents import DISTRICT_ISSUERS, ISSUER, Issuer, issuer_for
    from hallterm.domain.jurisdiction import DISTRICTS

    assert issuer_for("city") == Issuer(ISSUER, "鞍审批绿")
    assert issuer_for("district", "铁东区") == Issuer("鞍山市铁东区行政审批局", "铁东审批绿")  # S2
    assert set(DISTRICT_ISSUERS) == set(DISTRICTS)
    assert len({i[1] for i in DISTRICT_ISSUERS.values()} | {"鞍审批绿"}) == len(DISTRICTS) + 1  # distinct series
    with pytest.raises(DocumentError, match="县区"):
        issuer_for("district", "")
    tiedong = issuer_for("district", "铁东区")
    doc = conditional_commitment(seq=1, **COMMON, missing=MISSING, supplement_by=D(2026, 12, 1),
                                 issuer=tiedong.name, abbreviation=tiedong.abbreviation)
    assert doc.header.issuer == "鞍山市铁东区行政审批局"
    assert doc.header.number == "铁东审批绿〔2026〕容缺承诺第0001号"
