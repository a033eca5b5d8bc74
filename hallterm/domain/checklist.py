"""The missing-documents checklist and its decision: 受理, 指导办 or 容缺受理 (S1, S7).

research/domain.md §1: 容缺受理 needs every core material (主审要件) present, statutory fees and taxes
paid, an item that allows it, an applicant who is not barred (a 失信 record, or a breached
commitment still in force), and the applicant's signed commitment (承诺书). Otherwise an incomplete
application is not accepted: the applicant is guided (指导办, S1) with a one-time notice
(一次性告知书, 行政许可法 §32) listing every missing material at once.

A conditional material (kind ``conditional``) is required only when its condition applies to this
case; when it applies and is missing it blocks 容缺 like a core material (the catalog's conditional
materials are a power of attorney and pre-approvals, without which nobody may accept the file).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from hallterm.domain.errors import Refused
from hallterm.domain.reference import Item
from hallterm.domain.workdays import WorkCalendar

DEFAULT_BAR_MONTHS = 6  # Dalian's rule, used as the default (research/domain.md §1)


class MaterialKind(StrEnum):
    CORE = "core"  # 主审要件: never 容缺
    SECONDARY = "secondary"  # 次要材料: may be supplemented later (S7)
    CONDITIONAL = "conditional"  # required only when its condition applies


KIND_NAMES = {MaterialKind.CORE: "主审要件", MaterialKind.SECONDARY: "次要材料",
              MaterialKind.CONDITIONAL: "条件材料"}


class MaterialForm(StrEnum):
    """How a received material was handed in."""

    ORIGINAL = "original"
    COPY = "copy"


FORM_NAMES = {MaterialForm.ORIGINAL: "原件", MaterialForm.COPY: "复印件"}


class ItemStatus(StrEnum):
    """Where one item of a case stands (the ``case_items.status`` column)."""

    RECEIVED = "received"  # materials being checked, no decision yet
    ACCEPTED = "accepted"  # 受理
    CONDITIONAL = "conditional"  # 容缺受理: supplements outstanding
    NOT_ACCEPTED = "not_accepted"  # 指导办: one-time notice issued
    RETURNED = "returned"  # 退件办结: the supplement deadline passed (S7)
    # After acceptance the item goes on (issue 13; ``domain.progress`` holds the allowed steps):
    IN_REVIEW = "in_review"  # 审查中: the approval section works on it (clock running, may pause)
    APPROVED = "approved"  # 准予许可: decided, with the decision's document number
    REFUSED = "refused"  # 不予许可: decided against; the item ends here
    READY = "ready"  # 待领取: the result waits at the 统一发证窗口 (S9)
    HANDED_OUT = "handed_out"  # 已领取: handed out at the issuing window


def materials_verdict(statuses: Iterable[ItemStatus]) -> bool | None:
    """Whether the checklist found the case's materials complete (S1): True once every item is
    accepted outright, False as soon as one is accepted conditionally (容缺, S7) or refused with a
    one-time notice, None while some item is still undecided."""
    seen = list(statuses)
    if any(s in (ItemStatus.CONDITIONAL, ItemStatus.NOT_ACCEPTED, ItemStatus.RETURNED) for s in seen):
        return False
    # An item past acceptance (in review, decided, at the window) was accepted with its materials.
    if seen and all(s is ItemStatus.ACCEPTED or s in PAST_ACCEPTANCE for s in seen):
        return True
    return None


ITEM_STATUS_NAMES = {ItemStatus.RECEIVED: "待审核", ItemStatus.ACCEPTED: "已受理", ItemStatus.CONDITIONAL: "容缺受理",
                     ItemStatus.NOT_ACCEPTED: "已一次性告知", ItemStatus.RETURNED: "退件办结",
                     ItemStatus.IN_REVIEW: "审查中", ItemStatus.APPROVED: "准予许可", ItemStatus.REFUSED: "不予许可",
                     ItemStatus.READY: "待领取", ItemStatus.HANDED_OUT: "已领取"}
OPEN_ITEM_STATUSES = (ItemStatus.RECEIVED, ItemStatus.ACCEPTED, ItemStatus.CONDITIONAL, ItemStatus.NOT_ACCEPTED,
                      ItemStatus.IN_REVIEW, ItemStatus.APPROVED, ItemStatus.READY)
# The item's clock runs (S6): accepted and not yet decided.
CLOCK_STATUSES = (ItemStatus.ACCEPTED, ItemStatus.CONDITIONAL, ItemStatus.IN_REVIEW)
# A 受理通知书 (or 容缺受理通知书) was issued: the materials it rests on are not changed any more.
ACCEPTED_STATUSES = (*CLOCK_STATUSES, ItemStatus.APPROVED, ItemStatus.REFUSED, ItemStatus.READY,
                     ItemStatus.HANDED_OUT)


PAST_ACCEPTANCE = frozenset({ItemStatus.IN_REVIEW, ItemStatus.APPROVED, ItemStatus.REFUSED, ItemStatus.READY,
                              ItemStatus.HANDED_OUT})


def owes_supplement(status: str, decision: str) -> bool:
    """Accepted conditionally (容缺, S7) and the supplements not all in yet: the item may be in review
    meanwhile (边办边补), and the sweep returns it when the supplement deadline passes."""
    return decision == Decision.CONDITIONAL.value and status in (ItemStatus.CONDITIONAL, ItemStatus.IN_REVIEW)


@dataclass(frozen=True)
class MaterialState:
    """One material of one item on the checklist."""

    name: str
    kind: MaterialKind
    received: bool
    applies: bool = True  # only read for a conditional material: does its condition hold here?
    condition: str = ""
    note: str = ""

    @property
    def required(self) -> bool:
        return self.kind is not MaterialKind.CONDITIONAL or self.applies

    @property
    def missing(self) -> bool:
        return self.required and not self.received

    @property
    def blocks_conditional(self) -> bool:
        """Missing and not a secondary material: 容缺 is impossible (S7)."""
        return self.missing and self.kind is not MaterialKind.SECONDARY


@dataclass(frozen=True)
class ChecklistInput:
    materials: tuple[MaterialState, ...]
    fees_paid: bool  # statutory fees and taxes (S7)
    allows_conditional: bool  # the item is on the department's 容缺 list
    holder_barred: bool  # 失信, or a breached 容缺 commitment still in force
    commitment_signed: bool  # 容缺受理承诺书 signed by the applicant
    barred_until: dt.date | None = None  # shown in the explanation when known


class Decision(StrEnum):
    ACCEPTED = "accepted"  # 受理: every required material present
    NOT_ACCEPTED = "not_accepted"  # 指导办 with a one-time notice of every missing material
    CONDITIONAL = "conditional"  # 容缺受理, commitment signed
    CONDITIONAL_NEEDS_COMMITMENT = "conditional_needs_commitment"  # 容缺 possible once the 承诺书 is signed


DECISION_NAMES = {
    Decision.ACCEPTED: "受理",
    Decision.NOT_ACCEPTED: "不予受理（资料不全，指导办）",
    Decision.CONDITIONAL: "容缺受理",
    Decision.CONDITIONAL_NEEDS_COMMITMENT: "可容缺受理（待签承诺书）",
}


@dataclass(frozen=True)
class ChecklistDecision:
    decision: Decision
    missing: tuple[MaterialState, ...]  # every missing required material, in checklist order
    reasons: tuple[str, ...]  # why 容缺 is not possible (empty unless NOT_ACCEPTED with materials missing)
    explanation: str  # one Chinese sentence or two for the screen

    @property
    def name(self) -> str:
        return DECISION_NAMES[self.decision]

    @property
    def accepted(self) -> bool:
        """The case may go on (受理 or 容缺受理 with a signed commitment)."""
        return self.decision in (Decision.ACCEPTED, Decision.CONDITIONAL)

    @property
    def guided(self) -> bool:
        """指导办 (S1): the one-time notice is due."""
        return self.decision is Decision.NOT_ACCEPTED


def decide(checklist: ChecklistInput) -> ChecklistDecision:
    """The decision for one item, recomputed live as the checklist changes (S1, S7)."""
    missing = tuple(m for m in checklist.materials if m.missing)
    if not missing:
        return ChecklistDecision(Decision.ACCEPTED, (), (), "材料齐全，予以受理（马上办）")
    names = "、".join(m.name for m in missing)
    reasons: list[str] = []
    blocking = [m.name for m in missing if m.blocks_conditional]
    if blocking:
        reasons.append(f"缺少主审要件：{'、'.join(blocking)}")
    if not checklist.fees_paid:
        reasons.append("法定费用、税款尚未缴纳")
    if not checklist.allows_conditional:
        reasons.append("本事项不在容缺受理清单内")
    if checklist.holder_barred:
        until = f"（至 {checklist.barred_until:%Y-%m-%d}）" if checklist.barred_until else ""
        reasons.append(f"申请人有失信记录或未履行的容缺承诺，暂停容缺受理资格{until}")
    if reasons:
        return ChecklistDecision(Decision.NOT_ACCEPTED, missing, tuple(reasons),
                                 f"缺少 {len(missing)} 项材料（{names}），不能容缺：{'；'.join(reasons)}。"
                                 "请出具一次性告知书，指导补齐后再受理（指导办）")
    if not checklist.commitment_signed:
        return ChecklistDecision(Decision.CONDITIONAL_NEEDS_COMMITMENT, missing, (),
                                 f"仅缺次要材料（{names}），可容缺受理：请申请人自愿签署容缺受理承诺书；"
                                 "不愿承诺的，按一次性告知补齐后受理")
    return ChecklistDecision(Decision.CONDITIONAL, missing, (),
                             f"容缺受理：主审要件齐全，次要材料（{names}）须在补正期限前补齐（边办边补）")


def materials_of(item: Item, received: Iterable[str] = (), applies: Mapping[str, bool] | None = None,
                 ) -> tuple[MaterialState, ...]:
    """The checklist rows of a catalog item: ``received`` names the materials ticked, ``applies``
    says for each conditional material (by name) whether its condition holds (default: it does)."""
    got = set(received)
    conditions = applies or {}
    return tuple(MaterialState(m.name, MaterialKind(m.kind), m.name in got, conditions.get(m.name, True),
                               m.condition, m.note) for m in item.materials)


class SupplementDeadlineError(Refused, ValueError):
    """A supplement deadline staff entered cannot stand; ``str()`` says why in Chinese."""


def supplement_deadline(cal: WorkCalendar, accepted_on: dt.date, promised_days: int,
                        requested: dt.date | None = None) -> tuple[dt.date, bool]:
    """The latest date for a 容缺 supplement: no later than the item's promised working days (S7).

    Returns ``(deadline, estimated)``; ``estimated`` when the deadline runs past the holiday data
    (then Monday–Friday was assumed). ``requested`` may set an earlier deadline, never a later one.
    """
    if promised_days < 1:
        raise SupplementDeadlineError("即办件（承诺时限 0 个工作日）不适用容缺受理")
    limit, estimated = cal.add_working_days_estimated(accepted_on, promised_days)
    if requested is None:
        return limit, estimated
    if requested <= accepted_on:
        raise SupplementDeadlineError(f"补正期限 {requested:%Y-%m-%d} 应晚于受理日期 {accepted_on:%Y-%m-%d}")
    if requested > limit:
        raise SupplementDeadlineError(f"补正期限不得晚于 {limit:%Y-%m-%d}"
                                      f"（事项承诺时限 {promised_days} 个工作日）")
    return requested, False  # a date staff chose is exact, whatever the data behind the limit


def bar_until(breached_on: dt.date, months: int = DEFAULT_BAR_MONTHS) -> dt.date:
    """Last day (inclusive) of the 容缺 bar after a commitment breached on ``breached_on``:
    ``months`` later, the day before (research/domain.md §1, Dalian: 6 months by default)."""
    if months < 1:
        raise ValueError(f"months must be >= 1, got {months}")
    index = breached_on.month - 1 + months
    year, month = breached_on.year + index // 12, index % 12 + 1
    same_day = dt.date(year, month, min(breached_on.day, calendar.monthrange(year, month)[1]))
    return same_day - dt.timedelta(days=1)


def is_barred(today: dt.date, barred_until: dt.date | None) -> bool:
    return barred_until is not None and today <= barred_until
