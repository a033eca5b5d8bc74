"""The counter's written documents, as data for the slips issue to print (research/domain.md §1, §2).

Each document carries a number (issuing-unit abbreviation + year + kind + sequence, e.g.
``鞍审批绿〔2026〕受理第0001号``; the sequence comes from storage) and the case number. Builders take
plain values, check them, and return frozen dataclasses; nothing here lays out or renders text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from hallterm.domain.checklist import DEFAULT_BAR_MONTHS, KIND_NAMES, MaterialState
from hallterm.domain.errors import Refused
from hallterm.domain.jurisdiction import DISTRICTS, Bureau
from hallterm.domain.reference import SPECIAL_PROCEDURES

ISSUER = "鞍山市行政审批局"
ISSUER_ABBREVIATION = "鞍审批绿"  # 鞍山市行政审批局, green channel

# S2: a case of a county/district enterprise is accepted in the name of that bureau, so its notices
# carry that bureau's name, seal line and number prefix, not the city's. Full names and the short
# forms used in document numbers (铁东审批绿〔2026〕受理第0001号).
DISTRICT_ISSUERS = {
    "铁东区": ("鞍山市铁东区行政审批局", "铁东审批绿"),
    "铁西区": ("鞍山市铁西区行政审批局", "铁西审批绿"),
    "立山区": ("鞍山市立山区行政审批局", "立山审批绿"),
    "千山区": ("鞍山市千山区行政审批局", "千山审批绿"),
    "高新区": ("鞍山高新技术产业开发区行政审批局", "鞍高新审批绿"),
    "经济开发区": ("鞍山经济开发区行政审批局", "鞍经开审批绿"),
    "台安县": ("台安县行政审批局", "台审批绿"),
    "岫岩满族自治县": ("岫岩满族自治县行政审批局", "岫审批绿"),
    "海城市": ("海城市行政审批局", "海审批绿"),
}
assert set(DISTRICT_ISSUERS) == set(DISTRICTS), "every district bureau needs a name for its notices"
LAW = "《中华人民共和国行政许可法》"
SPECIAL_PROCEDURE_BASIS = f"{LAW}第四十五条"
ONE_TIME_NOTICE_BASIS = f"{LAW}第三十二条"


class DocumentKind(StrEnum):
    ACCEPTANCE_NOTICE = "acceptance_notice"  # 受理通知书
    ONE_TIME_NOTICE = "one_time_notice"  # 一次性告知书
    CONDITIONAL_COMMITMENT = "conditional_commitment"  # 容缺受理承诺书
    CONDITIONAL_NOTICE = "conditional_notice"  # 容缺受理通知书
    SPECIAL_PROCEDURE_NOTICE = "special_procedure_notice"  # 特殊程序告知书


TITLES = {
    DocumentKind.ACCEPTANCE_NOTICE: "受理通知书",
    DocumentKind.ONE_TIME_NOTICE: "一次性告知书",
    DocumentKind.CONDITIONAL_COMMITMENT: "容缺受理承诺书",
    DocumentKind.CONDITIONAL_NOTICE: "容缺受理通知书",
    DocumentKind.SPECIAL_PROCEDURE_NOTICE: "特殊程序告知书",
}
# The word inside the number, so each kind has its own series: 〔2026〕受理第0001号, 〔2026〕告知第0001号 …
NUMBER_WORDS = {
    DocumentKind.ACCEPTANCE_NOTICE: "受理",
    DocumentKind.ONE_TIME_NOTICE: "告知",
    DocumentKind.CONDITIONAL_COMMITMENT: "容缺承诺",
    DocumentKind.CONDITIONAL_NOTICE: "容缺",
    DocumentKind.SPECIAL_PROCEDURE_NOTICE: "特程",
}
SUPPLEMENT_WAYS = ("到大厅绿色通道窗口现场提交", "邮寄", "通过网上政务服务平台提交")


class DocumentError(Refused, ValueError):
    """A document cannot be made from these values; ``str()`` says why in Chinese."""


@dataclass(frozen=True)
class Issuer:
    """The bureau a notice is issued by, and a 承诺书 addressed to (S2)."""

    name: str
    abbreviation: str


def issuer_for(bureau: str, district: str = "") -> Issuer:
    """The handling bureau of a case (its stored ``jurisdiction`` and ``district``, S2)."""
    if bureau != Bureau.DISTRICT.value:
        return Issuer(ISSUER, ISSUER_ABBREVIATION)
    if district not in DISTRICT_ISSUERS:
        raise DocumentError(f"未知的县区：{district or '（未填）'}，无法确定发文机关")
    return Issuer(*DISTRICT_ISSUERS[district])


def document_number(kind: DocumentKind, year: int, seq: int, abbreviation: str = ISSUER_ABBREVIATION) -> str:
    if seq < 1:
        raise DocumentError(f"文书序号应从 1 开始，而不是 {seq}")
    return f"{abbreviation}〔{year}〕{NUMBER_WORDS[kind]}第{seq:04d}号"


@dataclass(frozen=True)
class Header:
    kind: DocumentKind
    number: str
    case_no: str
    issued_on: dt.date
    issuer: str
    applicant: str  # the person or enterprise, in full: this is the applicant's own copy
    # ``issuer``: the handling bureau (S2). A notice is issued by it to the applicant; a 承诺书 is
    # the other way round, written by the applicant to it.
    item_name: str

    @property
    def title(self) -> str:
        return TITLES[self.kind]


@dataclass(frozen=True)
class SignatureLine:
    label: str  # e.g. 申请人（签字）
    dated: bool = True  # followed by 年 月 日


@dataclass(frozen=True)
class MissingMaterial:
    name: str
    kind: str  # 主审要件 / 次要材料 / 条件材料
    condition: str = ""
    requirement: str = ""  # what is acceptable (the catalog's note)


@dataclass(frozen=True)
class AcceptanceNotice:
    header: Header
    accepted_on: dt.date
    promised_days: int
    promised_date: dt.date
    promised_date_estimated: bool
    staff_name: str
    staff_phone: str
    remarks: tuple[str, ...]
    signatures: tuple[SignatureLine, ...]


@dataclass(frozen=True)
class OneTimeNotice:
    header: Header
    missing: tuple[MissingMaterial, ...]  # every material to bring: one notice, not several (§32)
    supplement_by: dt.date | None
    guide_section: str  # who guides the applicant (指导办, S1)
    statement: str
    legal_basis: str
    signatures: tuple[SignatureLine, ...]


@dataclass(frozen=True)
class ConditionalCommitment:
    header: Header
    missing: tuple[MissingMaterial, ...]
    supplement_by: dt.date
    promises: tuple[str, ...]
    signatures: tuple[SignatureLine, ...]


@dataclass(frozen=True)
class ConditionalNotice:
    header: Header
    accepted_on: dt.date
    missing: tuple[MissingMaterial, ...]
    supplement_by: dt.date
    supplement_by_estimated: bool
    supplement_ways: tuple[str, ...]
    consequences: tuple[str, ...]
    bar_months: int
    copies: int  # one for the applicant, one for the file (research/domain.md §1)
    signatures: tuple[SignatureLine, ...]


@dataclass(frozen=True)
class SpecialProcedureNotice:
    header: Header
    procedure: str  # SPECIAL_PROCEDURES code
    procedure_name: str
    started_on: dt.date
    expected_working_days: int | None
    expected_end: dt.date | None
    legal_basis: str
    statement: str
    signatures: tuple[SignatureLine, ...]


Document = AcceptanceNotice | OneTimeNotice | ConditionalCommitment | ConditionalNotice | SpecialProcedureNotice


def _header(kind: DocumentKind, seq: int, case_no: str, issued_on: dt.date, applicant: str, item_name: str,
            issuer: str, abbreviation: str) -> Header:
    for label, value in (("办件编号", case_no), ("申请人", applicant), ("审批事项", item_name), ("发文机关", issuer)):
        if not value.strip():
            raise DocumentError(f"{TITLES[kind]}缺少{label}")
    return Header(kind, document_number(kind, issued_on.year, seq, abbreviation), case_no.strip(), issued_on,
                  issuer.strip(), applicant.strip(), item_name.strip())


def missing_materials(materials: Iterable[MaterialState]) -> tuple[MissingMaterial, ...]:
    """The missing required materials of a checklist, in order, for a notice."""
    return tuple(MissingMaterial(m.name, KIND_NAMES[m.kind], m.condition, m.note) for m in materials if m.missing)


def _need_missing(kind: DocumentKind, missing: tuple[MissingMaterial, ...]) -> None:
    if not missing:
        raise DocumentError(f"{TITLES[kind]}至少应列出一项缺少的材料")


def _need_after(kind: DocumentKind, label: str, day: dt.date, after: dt.date) -> None:
    if day <= after:
        raise DocumentError(f"{TITLES[kind]}的{label} {day:%Y-%m-%d} 应晚于 {after:%Y-%m-%d}")


def acceptance_notice(*, seq: int, case_no: str, issued_on: dt.date, applicant: str, item_name: str,
                      accepted_on: dt.date, promised_days: int, promised_date: dt.date, estimated: bool = False,
                      staff_name: str, staff_phone: str = "", issuer: str = ISSUER,
                      abbreviation: str = ISSUER_ABBREVIATION) -> AcceptanceNotice:
    """受理通知书 with the promised completion date (research/domain.md §2, document 2)."""
    kind = DocumentKind.ACCEPTANCE_NOTICE
    header = _header(kind, seq, case_no, issued_on, applicant, item_name, issuer, abbreviation)
    if promised_date < accepted_on:
        raise DocumentError(f"承诺办结日期 {promised_date:%Y-%m-%d} 早于受理日期 {accepted_on:%Y-%m-%d}")
    if not staff_name.strip():
        raise DocumentError("受理通知书缺少受理人")
    remarks = [f"承诺办理时限 {promised_days} 个工作日，不含法定节假日",
               f"需专家评审、现场勘验、中介服务、转报上级、听证等特殊程序的，所需时间不计入办理时限，"
               f"另行书面告知（{SPECIAL_PROCEDURE_BASIS}）"]
    if estimated:
        remarks.append(f"{promised_date.year} 年节假日安排尚未公布，承诺办结日期已除去法定节假日、未计调休，"
                       "为估算，公布后重新核定")
    return AcceptanceNotice(header, accepted_on, promised_days, promised_date, estimated, staff_name.strip(),
                            staff_phone.strip(), tuple(remarks),
                            (SignatureLine("受理人（签字）"), SignatureLine("申请人签收")))


def one_time_notice(*, seq: int, case_no: str, issued_on: dt.date, applicant: str, item_name: str,
                    missing: Iterable[MissingMaterial], supplement_by: dt.date | None = None,
                    guide_section: str = "业务协调科", issuer: str = ISSUER,
                    abbreviation: str = ISSUER_ABBREVIATION) -> OneTimeNotice:
    """一次性告知书: every missing material at once, the deadline, a signature line (行政许可法 §32)."""
    kind = DocumentKind.ONE_TIME_NOTICE
    header = _header(kind, seq, case_no, issued_on, applicant, item_name, issuer, abbreviation)
    items = tuple(missing)
    _need_missing(kind, items)
    if supplement_by is not None:
        _need_after(kind, "补正期限", supplement_by, issued_on)
    statement = (f"经审查，您申请的“{header.item_name}”材料不齐全，暂不予受理。现一次性告知需补正的全部材料"
                 f"（共 {len(items)} 项），补齐后即可受理；{guide_section}将指导您准备材料。")
    return OneTimeNotice(header, items, supplement_by, guide_section, statement, ONE_TIME_NOTICE_BASIS,
                         (SignatureLine("申请人（签字）"), SignatureLine("经办人（签字）")))


def conditional_commitment(*, seq: int, case_no: str, issued_on: dt.date, applicant: str, item_name: str,
                           missing: Iterable[MissingMaterial], supplement_by: dt.date, by_agent: bool = False,
                           estimated: bool = False, bar_months: int = DEFAULT_BAR_MONTHS, issuer: str = ISSUER,
                           abbreviation: str = ISSUER_ABBREVIATION) -> ConditionalCommitment:
    """容缺受理承诺书: written by the applicant to the handling bureau (``issuer``), which prints
    it for the applicant to sign (S7; research/domain.md §1). ``estimated``: the date lies in a year
    whose holiday notice is not out (its 调休 unknown), which the applicant must read before signing."""
    kind = DocumentKind.CONDITIONAL_COMMITMENT
    header = _header(kind, seq, case_no, issued_on, applicant, item_name, issuer, abbreviation)
    items = tuple(missing)
    _need_missing(kind, items)
    _need_after(kind, "补正期限", supplement_by, issued_on)
    promises = (
        "本人（单位）自愿申请容缺受理，已知晓容缺受理的条件和后果",
        "已提交的材料真实、合法、有效",
        f"于{supplement_by.year}年{supplement_by.month}月{supplement_by.day}日前"
        f"{'（估算：节假日安排公布后如有变动，以重新告知的日期为准）' if estimated else ''}"
        "补齐所列材料，补交材料与承诺内容一致",
        "逾期未补齐的，视为放弃申请，同意退件办结，并承担由此产生的后果",
        f"违背承诺的，同意记入信用记录，{bar_months} 个月内不再申请容缺受理",
    )
    signatures = [SignatureLine("申请人（签字或盖章）")]
    if by_agent:  # an agent signs too, with a power of attorney (授权书)
        signatures.append(SignatureLine("受托代理人（签字，附授权委托书）"))
    return ConditionalCommitment(header, items, supplement_by, promises, tuple(signatures))


def conditional_notice(*, seq: int, case_no: str, issued_on: dt.date, applicant: str, item_name: str,
                       accepted_on: dt.date, missing: Iterable[MissingMaterial], supplement_by: dt.date,
                       estimated: bool = False, bar_months: int = DEFAULT_BAR_MONTHS, issuer: str = ISSUER,
                       abbreviation: str = ISSUER_ABBREVIATION) -> ConditionalNotice:
    """容缺受理通知书: the missing materials, the deadline and what missing it costs (S7)."""
    kind = DocumentKind.CONDITIONAL_NOTICE
    header = _header(kind, seq, case_no, issued_on, applicant, item_name, issuer, abbreviation)
    items = tuple(missing)
    _need_missing(kind, items)
    _need_after(kind, "补正期限", supplement_by, accepted_on)
    if bar_months < 1:
        raise DocumentError(f"暂停容缺资格的月数应至少为 1，而不是 {bar_months}")
    consequences = (
        "逾期未补齐的，视为放弃申请，按退件办结，退回已提交材料",
        "违背承诺的，记录为失信（违背承诺）行为",
        f"自违背承诺之日起 {bar_months} 个月内不得适用容缺受理",
    )
    return ConditionalNotice(header, accepted_on, items, supplement_by, estimated, SUPPLEMENT_WAYS, consequences,
                             bar_months, 2, (SignatureLine("经办人（签字）"), SignatureLine("申请人签收")))


def special_procedure_notice(*, seq: int, case_no: str, issued_on: dt.date, applicant: str, item_name: str,
                             procedure: str, started_on: dt.date, expected_working_days: int | None = None,
                             expected_end: dt.date | None = None, issuer: str = ISSUER,
                             abbreviation: str = ISSUER_ABBREVIATION) -> SpecialProcedureNotice:
    """特殊程序告知书: the time is excluded from the clock and must be told in writing (行政许可法 §45)."""
    kind = DocumentKind.SPECIAL_PROCEDURE_NOTICE
    header = _header(kind, seq, case_no, issued_on, applicant, item_name, issuer, abbreviation)
    if procedure not in SPECIAL_PROCEDURES:
        raise DocumentError(f"未知的特殊程序 {procedure}（可用：{', '.join(SPECIAL_PROCEDURES)}）")
    if expected_working_days is None and expected_end is None:
        raise DocumentError("特殊程序告知书应写明预计所需时间（工作日数或预计结束日期）")
    if expected_working_days is not None and expected_working_days < 1:
        raise DocumentError(f"预计所需时间应至少 1 个工作日，而不是 {expected_working_days}")
    if expected_end is not None and expected_end < started_on:
        raise DocumentError(f"预计结束日期 {expected_end:%Y-%m-%d} 早于开始日期 {started_on:%Y-%m-%d}")
    name = SPECIAL_PROCEDURES[procedure]
    statement = (f"您申请的“{header.item_name}”需进行{name}。依据{SPECIAL_PROCEDURE_BASIS}，"
                 f"{name}所需时间不计算在办理时限内，承诺办结日期相应顺延。")
    return SpecialProcedureNotice(header, procedure, name, started_on, expected_working_days, expected_end,
                                  SPECIAL_PROCEDURE_BASIS, statement,
                                  (SignatureLine("经办人（签字）"), SignatureLine("申请人签收")))
