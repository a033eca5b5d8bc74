"""Cases (办件): their states, numbers, and the checks on what staff enter to open one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from hallterm.domain.errors import Refused
from hallterm.domain.ids import has_cjk, is_valid_uscc, looks_like_uscc
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind, Handling
from hallterm.domain.service_mode import CaseFlags, ServiceMode
from hallterm.domain.terminal_text import hidden_characters


class CaseStatus(StrEnum):
    QUEUED = "queued"  # no seat or no coordinator free yet: waits in order (S9)
    WAITING = "waiting"  # seated in a lounge, the coordinator is on the way
    MET = "met"  # the coordinator has met the visitor
    IN_PROGRESS = "in_progress"  # the visitor has left the lounge; approval goes on
    CLOSED = "closed"


STATUS_NAMES = {
    CaseStatus.QUEUED: "排队等候分配",
    CaseStatus.WAITING: "洽谈室等候",
    CaseStatus.MET: "协调员已接待",
    CaseStatus.IN_PROGRESS: "办理中",
    CaseStatus.CLOSED: "已办结",
}
VISIT_STATUSES = (CaseStatus.WAITING, CaseStatus.MET)  # occupying a lounge seat
ACTIVE_STATUSES = (CaseStatus.QUEUED, CaseStatus.WAITING, CaseStatus.MET, CaseStatus.IN_PROGRESS)


def case_number(region_code: str, day: dt.date, seq: int) -> str:
    """``210300-YYYYMMDD-NNNN``: region code, the hall's local day, the day's sequence."""
    return f"{region_code}-{day:%Y%m%d}-{seq:04d}"


MAX_NAME = 200  # enterprise and project names (storage/tables.py cases)
MAX_REASON = 200  # the form's reason fields
USCC_LENGTH = 18  # GB 32100


class CaseInputError(Refused, ValueError):
    """Something entered to open a case cannot stand; ``str()`` says what and how to fix it."""


@dataclass(frozen=True)
class CaseDraft:
    """What the desk collects to open a case."""

    card_no: str
    kind: CaseKind
    item_codes: tuple[str, ...]
    enterprise_kind: EnterpriseKind = EnterpriseKind.LIMITED
    enterprise_name: str = ""
    project_name: str = ""
    uscc: str = ""
    uscc_override_reason: str = ""  # some early codes fail the checksum (research/domain.md §5b)
    district: str = ""
    handling: Handling = Handling.COORDINATION
    flags: CaseFlags = field(default_factory=CaseFlags)
    # None: nobody has checked the papers yet (the mode is 待定 until the checklist decides, S1).
    materials_complete: bool | None = None
    mode: ServiceMode | None = None  # None: take the suggestion
    mode_reason: str = ""  # required when staff change the suggested mode
    full_proxy: bool = False  # 全程代办 on the applicant's request (S3)
    card_override_reason: str = ""  # a supervisor let a refused card through
    # Kept across resubmits of one form: the same key never opens a second case (issue 15 point 4).
    request_key: str = ""


def check_draft(draft: CaseDraft, suggested: ServiceMode) -> list[str]:
    """Return the problems, each a Chinese sentence; empty when the draft can be opened."""
    problems: list[str] = []
    if not draft.item_codes:
        problems.append("请至少选择一个审批事项")
    if draft.kind is CaseKind.ENTERPRISE and not draft.enterprise_name.strip():
        problems.append("申办企业请填写企业名称")
    if draft.kind is CaseKind.STARTUP and not draft.project_name.strip():
        problems.append("创业项目请填写项目名称")
    # A value in the wrong field (issue 11): a name field holding a credit code, or the code field
    # holding a name, is refused outright; no override reason makes it right.
    for label, value in (("企业名称", draft.enterprise_name), ("项目名称", draft.project_name)):
        if looks_like_uscc(value):
            problems.append(f"{label}栏填的是信用代码 {value.strip()}：请把它填到信用代码栏，"
                            f"{label}栏填写{label[:2]}全称")
    # Free text is stored, printed on slips and exported: no control characters, and it must fit its column.
    for label, value, limit in (("企业名称", draft.enterprise_name, MAX_NAME),
                                ("项目名称", draft.project_name, MAX_NAME),
                                ("放行理由", draft.uscc_override_reason, MAX_REASON),
                                ("更改办理方式的理由", draft.mode_reason, MAX_REASON)):
        hidden = hidden_characters(value)
        if hidden:
            problems.append(f"{label}含有控制字符或不可见字符（{hidden}）：请删去后重新填写")
        if len(value.strip()) > limit:
            problems.append(f"{label}最多 {limit} 个字，现在 {len(value.strip())} 个")
    uscc = draft.uscc.strip().upper()
    if hidden := hidden_characters(uscc):
        problems.append(f"统一社会信用代码含有控制字符或不可见字符（{hidden}）：请删去后重新填写")
    elif len(uscc) > USCC_LENGTH and not has_cjk(uscc):
        problems.append(f"统一社会信用代码应为 {USCC_LENGTH} 位，现在 {len(uscc)} 位：请核对营业执照")
    elif has_cjk(uscc):
        problems.append(f"信用代码栏填的是“{draft.uscc.strip()}”，不是统一社会信用代码（18 位数字和大写字母）："
                        "名称请填到企业名称或项目名称栏")
    elif uscc and not is_valid_uscc(uscc) and not draft.uscc_override_reason.strip():
        problems.append(f"统一社会信用代码 {uscc} 校验不通过：请核对；确属早期代码请填写放行理由")
    if draft.mode is ServiceMode.PENDING:
        problems.append("办理方式“待定”不能选择：请按建议，或选择五办之一并填写理由")
    elif draft.mode is not None and draft.mode is not suggested and not draft.mode_reason.strip():
        problems.append("更改建议的办理方式须填写理由")
    return problems
