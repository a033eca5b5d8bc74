"""An item's progress after acceptance, up to the hand-out at the 统一发证窗口 (issue 13; S4, S6, S9).

    accepted / conditional ──review──▶ in_review ──approve──▶ approved ──ready──▶ ready ──hand_out──▶ handed_out
                                           │  (special procedure: clock paused, S6; no decision meanwhile)
                                           └──refuse──▶ refused (the item ends)

The allowed steps are one table (``TRANSITIONS``); every other step is refused with a Chinese reason
saying what is wrong and what to do. A case closes by itself once every item has ended
(``ENDED_STATUSES``: handed out, refused or returned) and no 全程代办 task still runs. An item given a
one-time notice has not ended: the applicant comes back with what it listed and it is accepted on the
same case (S1 指导办), so the case waits for them.

Pure: statuses, whether the clock is paused and whether 容缺 supplements are owed are passed in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from hallterm.domain.checklist import ITEM_STATUS_NAMES, ItemStatus
from hallterm.domain.errors import Refused

DECISION_NO_MAX = 64  # case_items.decision_no
DECISION_NO_EXAMPLE = "鞍审批准字〔2026〕第0012号"
REASON_MAX = 200


class ProgressError(Refused, ValueError):
    """A progress step that cannot be taken; ``str()`` says why and what to do."""


class Step(StrEnum):
    REVIEW = "review"  # 转入审查
    APPROVE = "approve"  # 准予许可 (with the decision's document number)
    REFUSE = "refuse"  # 不予许可 (with a reason)
    READY = "ready"  # 送统一发证窗口待领取
    HAND_OUT = "hand_out"  # 发证窗口发放


STEP_NAMES = {Step.REVIEW: "转入审查", Step.APPROVE: "准予许可", Step.REFUSE: "不予许可",
              Step.READY: "送发证窗口待领取", Step.HAND_OUT: "发放"}

# (from, step) → to. Everything not listed is refused.
TRANSITIONS: dict[tuple[ItemStatus, Step], ItemStatus] = {
    (ItemStatus.ACCEPTED, Step.REVIEW): ItemStatus.IN_REVIEW,
    (ItemStatus.CONDITIONAL, Step.REVIEW): ItemStatus.IN_REVIEW,  # 边办边补 (S7)
    (ItemStatus.IN_REVIEW, Step.APPROVE): ItemStatus.APPROVED,
    (ItemStatus.IN_REVIEW, Step.REFUSE): ItemStatus.REFUSED,
    (ItemStatus.APPROVED, Step.READY): ItemStatus.READY,
    (ItemStatus.READY, Step.HAND_OUT): ItemStatus.HANDED_OUT,
}

# Nothing more will happen to the item: the case closes when all its items are here.
ENDED_STATUSES = frozenset({ItemStatus.HANDED_OUT, ItemStatus.REFUSED, ItemStatus.RETURNED})

# What the step needs first, said to whoever tried it from the wrong state.
_NEEDS = {
    Step.REVIEW: ("只有已受理（含容缺受理）的事项可以转入审查；"
                  "已一次性告知的，待申请人补齐材料、在材料清单中受理后再转入"),
    Step.APPROVE: "只有审查中的事项可以作出决定：请先转入审查",
    Step.REFUSE: "只有审查中的事项可以作出决定：请先转入审查",
    Step.READY: "只有已准予许可的事项可以送统一发证窗口待领取",
    Step.HAND_OUT: "只有已送统一发证窗口待领取的事项可以发放：请先由协调员标记待领取",
}


# Decided, not yet ended: said instead of _NEEDS to whoever tries to review or decide it again.
_DECIDED = {
    ItemStatus.APPROVED: "该事项已准予许可",
    ItemStatus.READY: "该事项已准予许可并送发证窗口待领取",
}


@dataclass(frozen=True)
class ItemFacts:
    """What the rules need to know of one item."""

    status: ItemStatus
    paused: bool = False  # a clock-exempt special procedure is running (S6)
    pause_name: str = ""  # its Chinese name, for the message
    owes_supplement: bool = False  # 容缺受理 with supplements still outstanding (S7)


def next_status(facts: ItemFacts, step: Step) -> ItemStatus:
    """The status after ``step``, or ProgressError saying why it cannot be taken now."""
    status = facts.status
    target = TRANSITIONS.get((status, step))
    now = ITEM_STATUS_NAMES[status]
    if target is None:
        if status in ENDED_STATUSES:
            raise ProgressError(f"该事项已办结（{now}），不能再{STEP_NAMES[step]}")
        if status is ItemStatus.RECEIVED:
            raise ProgressError(f"该事项尚未受理（{now}），不能{STEP_NAMES[step]}：请先在材料清单中作出受理决定")
        if (status, step) == (ItemStatus.READY, Step.READY):
            raise ProgressError("该事项已在统一发证窗口待领取")
        if (status, step) == (ItemStatus.IN_REVIEW, Step.REVIEW):
            raise ProgressError("该事项已在审查中")
        # Decided already: "请先转入审查" would be wrong advice (the decision cannot be taken again).
        if status in _DECIDED and step in (Step.REVIEW, Step.APPROVE, Step.REFUSE):
            raise ProgressError(f"{_DECIDED[status]}，不能再{STEP_NAMES[step]}")
        raise ProgressError(f"该事项当前为“{now}”，不能{STEP_NAMES[step]}：{_NEEDS[step]}")
    if step in (Step.APPROVE, Step.REFUSE) and facts.paused:
        what = facts.pause_name or "特殊程序"
        raise ProgressError(f"该事项正在{what}（暂停计时），不能作出决定：请先结束特殊程序（R）再决定")
    if step is Step.APPROVE and facts.owes_supplement:
        raise ProgressError("该事项为容缺受理，补正材料尚未补齐，不能准予许可：请申请人在补正期限内补齐后再决定（S7）")
    return target


def case_finished(statuses: Iterable[str], open_proxy_tasks: int = 0) -> bool:
    """Every item has ended (handed out, refused, returned) and no 全程代办 task is still
    running (S3: the connections may outlast the licence): the case closes."""
    seen = [ItemStatus(s) for s in statuses]
    return bool(seen) and all(s in ENDED_STATUSES for s in seen) and open_proxy_tasks == 0


def _clean(text: str) -> str:
    value = unicodedata.normalize("NFKC", text).strip()
    return "".join(c for c in value if unicodedata.category(c)[0] != "C")


def check_decision_no(text: str) -> str:
    """The decision's document number (决定文书号, e.g. 鞍审批准字〔2026〕第0012号), required to approve."""
    raw = unicodedata.normalize("NFKC", text).strip()
    if any(unicodedata.category(c)[0] == "C" for c in raw):
        raise ProgressError("决定文书号含有不可见的控制字符：请重新输入")
    value = _clean(text)
    if not value:
        raise ProgressError(f"准予许可须填写决定文书号（如 {DECISION_NO_EXAMPLE}）")
    if len(value) > DECISION_NO_MAX:
        raise ProgressError(f"决定文书号过长（{len(value)} 个字符，最多 {DECISION_NO_MAX} 个）：请核对")
    # A document number always carries its serial number (and year): text without a digit is not one.
    if not any(c.isdigit() for c in value):
        raise ProgressError(f"“{value}”不像决定文书号：文书号含年份和序号，如 {DECISION_NO_EXAMPLE}，请按决定书核对")
    return value


def check_reason(text: str) -> str:
    """Why an item was not approved: required, shown to the applicant at the window."""
    value = _clean(text)
    if not value:
        raise ProgressError("不予许可须填写理由")
    if len(value) > REASON_MAX:
        raise ProgressError(f"理由过长（{len(value)} 个字，最多 {REASON_MAX} 个）：请精简")
    return value
