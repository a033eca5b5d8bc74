"""The notices as data, field by field (S1, S7; 行政许可法 §32, §45): what each carries, and every refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.documents import (
    ISSUER,
    DocumentError,
    DocumentKind,
    Issuer,
    MissingMaterial,
    acceptance_notice,
    conditional_commitment,
    conditional_notice,
    document_number,
    issuer_for,
    one_time_notice,
    special_procedure_notice,
)

D = dt.date
COMMON = {"case_no": " 210300-20261126-0007 ", "issued_on": D(2026, 11, 26), "applicant": " 鞍山钢智科技 ",
          "item_name": " 公司设立登记 "}
MISSING = (MissingMaterial("任职文件", "次要材料"),)


def test_the_header_is_stripped_and_numbered_with_the_abbreviation() -> None:
    doc = acceptance_notice(seq=3, **COMMON, accepted_on=D(2026, 11, 26), promised_days=5,
                            promised_date=D(2026, 11, 26), staff_name=" 王芳 ", staff_phone=" 0412-1 ",
                            issuer=" 铁东局 ", abbreviation="铁东审批绿")
    h = doc.header
    assert (h.kind, h.number, h.case_no, h.issued_on, h.issuer, h.applicant, h.item_name) == (
        DocumentKind.ACCEPTANCE_NOTICE, "铁东审批绿〔2026〕受理第0003号", "210300-20261126-0007", D(2026, 11, 26),
        "铁东局", "鞍山钢智科技", "公司设立登记")
    assert (doc.accepted_on, doc.promised_days, doc.promised_date, doc.promised_date_estimated) == (D(2026, 11, 26), 5,
                                                                                       D(2026, 11, 26), False)
    assert (doc.staff_name, doc.staff_phone) == ("王芳", "0412-1")
    assert len(doc.remarks) == 2
    assert [s.label for s in doc.signatures] == ["受理人（签字）", "申请人签收"]
    plain = acceptance_notice(seq=3, **COMMON, accepted_on=D(2026, 11, 26), promised_days=5,
                              promised_date=D(2026, 12, 3), staff_name="王芳")
    assert plain.staff_phone == "" and plain.header.issuer == ISSUER


def test_acceptance_notice_refusals() -> None:
    with pytest.raises(DocumentError, match=r"^承诺办结日期 2026-11-25 早于受理日期 2026-11-26$"):
        acceptance_notice(seq=1, **COMMON, accepted_on=D(2026, 11, 26), promised_days=5,
                          promised_date=D(2026, 11, 25), staff_name="王芳")
    with pytest.raises(DocumentError, match=r"^受理通知书缺少受理人$"):
        acceptance_notice(seq=1, **COMMON, accepted_on=D(2026, 11, 26), promised_days=5,
                          promised_date=D(2026, 12, 3), staff_name=" ")
    for label, field in (("办件编号", "case_no"), ("申请人", "applicant"), ("审批事项", "item_name")):
        with pytest.raises(DocumentError, match=rf"^受理通知书缺少{label}$"):
            acceptance_notice(seq=1, **{**COMMON, field: " "}, accepted_on=D(2026, 11, 26),  # type: ignore[arg-type]
                              promised_days=5, promised_date=D(2026, 12, 3), staff_name="王芳")
    with pytest.raises(DocumentError, match=r"^受理通知书缺少发文机关$"):
        acceptance_notice(seq=1, **COMMON, accepted_on=D(2026, 11, 26), promised_days=5,
                          promised_date=D(2026, 12, 3), staff_name="王芳", issuer=" ")
    with pytest.raises(DocumentError, match=r"^文书序号应从 1 开始，而不是 0$"):
        document_number(DocumentKind.ONE_TIME_NOTICE, 2026, 0)


def test_one_time_notice_fields() -> None:
    doc = one_time_notice(seq=1, **COMMON, missing=MISSING, supplement_by=D(2026, 11, 27), guide_section="企业登记科",
                          abbreviation="台审批绿")
    assert doc.header.number == "台审批绿〔2026〕告知第0001号"
    assert (doc.missing, doc.supplement_by, doc.guide_section) == (MISSING, D(2026, 11, 27), "企业登记科")
    assert "企业登记科将指导" in doc.statement and "（共 1 项）" in doc.statement
    assert [s.label for s in doc.signatures] == ["申请人（签字）", "经办人（签字）"]
    assert one_time_notice(seq=1, **COMMON, missing=MISSING).supplement_by is None
    with pytest.raises(DocumentError, match=r"^一次性告知书的补正期限 2026-11-26 应晚于 2026-11-26$"):
        one_time_notice(seq=1, **COMMON, missing=MISSING, supplement_by=D(2026, 11, 26))
    with pytest.raises(DocumentError, match=r"^一次性告知书至少应列出一项缺少的材料$"):
        one_time_notice(seq=1, **COMMON, missing=())


def test_commitment_fields() -> None:
    doc = conditional_commitment(seq=2, **COMMON, missing=MISSING, supplement_by=D(2026, 11, 27), estimated=True,
                                 abbreviation="海审批绿")
    assert doc.header.number == "海审批绿〔2026〕容缺承诺第0002号" and doc.missing == MISSING
    assert "于2026年11月27日前（估算：" in doc.promises[2]
    assert "（估算" not in conditional_commitment(seq=2, **COMMON, missing=MISSING,
                                                 supplement_by=D(2026, 11, 27)).promises[2]
    with pytest.raises(DocumentError, match=r"^容缺受理承诺书的补正期限 2026-11-26 应晚于 2026-11-26$"):
        conditional_commitment(seq=2, **COMMON, missing=MISSING, supplement_by=D(2026, 11, 26))
    with pytest.raises(DocumentError, match=r"^容缺受理承诺书至少应列出一项缺少的材料$"):
        conditional_commitment(seq=2, **COMMON, missing=(), supplement_by=D(2026, 11, 27))


def test_conditional_notice_fields() -> None:
    doc = conditional_notice(seq=5, **COMMON, accepted_on=D(2026, 11, 25), missing=MISSING,
                             supplement_by=D(2026, 11, 26), bar_months=1, abbreviation="岫审批绿")
    assert doc.header.number == "岫审批绿〔2026〕容缺第0005号"
    assert (doc.accepted_on, doc.missing, doc.supplement_by, doc.supplement_by_estimated, doc.bar_months) == (
        D(2026, 11, 25), MISSING, D(2026, 11, 26), False, 1)
    assert [s.label for s in doc.signatures] == ["经办人（签字）", "申请人签收"]
    assert conditional_notice(seq=5, **COMMON, accepted_on=D(2026, 11, 25), missing=MISSING,
                              supplement_by=D(2026, 11, 26), estimated=True).supplement_by_estimated
    with pytest.raises(DocumentError, match=r"^暂停容缺资格的月数应至少为 1，而不是 0$"):
        conditional_notice(seq=5, **COMMON, accepted_on=D(2026, 11, 25), missing=MISSING,
                           supplement_by=D(2026, 11, 26), bar_months=0)
    with pytest.raises(DocumentError, match=r"^容缺受理通知书至少应列出一项缺少的材料$"):
        conditional_notice(seq=5, **COMMON, accepted_on=D(2026, 11, 25), missing=(), supplement_by=D(2026, 11, 26))


def test_special_procedure_notice_fields_and_limits() -> None:
    doc = special_procedure_notice(seq=9, **COMMON, procedure="EXPERT_REVIEW", started_on=D(2026, 11, 26),
                                   expected_working_days=1, abbreviation="立山审批绿")
    assert (doc.header.number, doc.procedure, doc.procedure_name, doc.started_on, doc.expected_working_days,
            doc.expected_end) == ("立山审批绿〔2026〕特程第0009号", "EXPERT_REVIEW", "专家评审", D(2026, 11, 26), 1,
                                  None)
    assert [s.label for s in doc.signatures] == ["经办人（签字）", "申请人签收"]
    same_day = special_procedure_notice(seq=9, **COMMON, procedure="EXPERT_REVIEW", started_on=D(2026, 11, 26),
                                        expected_end=D(2026, 11, 26))
    assert same_day.expected_end == D(2026, 11, 26) and same_day.expected_working_days is None
    with pytest.raises(DocumentError, match=r"^预计所需时间应至少 1 个工作日，而不是 0$"):
        special_procedure_notice(seq=9, **COMMON, procedure="EXPERT_REVIEW", started_on=D(2026, 11, 26),
                                 expected_working_days=0)
    with pytest.raises(DocumentError, match=r"^预计结束日期 2026-11-25 早于开始日期 2026-11-26$"):
        special_procedure_notice(seq=9, **COMMON, procedure="EXPERT_REVIEW", started_on=D(2026, 11, 26),
                                 expected_end=D(2026, 11, 25))


def test_the_issuer_of_a_district_case() -> None:
    assert issuer_for("city") == Issuer(ISSUER, "鞍审批绿")
    assert issuer_for("city", "铁东区") == Issuer(ISSUER, "鞍审批绿")
    assert issuer_for("district", "铁东区") == Issuer("鞍山市铁东区行政审批局", "铁东审批绿")
    with pytest.raises(DocumentError, match=r"^未知的县区：（未填），无法确定发文机关$"):
        issuer_for("district")
    with pytest.raises(DocumentError, match=r"^未知的县区：火星区，无法确定发文机关$"):
        issuer_for("district", "火星区")
