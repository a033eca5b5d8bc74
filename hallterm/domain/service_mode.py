"""The five service modes (五办, S1) and which one a case is given."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ServiceMode(StrEnum):
    IMMEDIATE = "immediate"  # 资料齐全马上办
    GUIDED = "guided"  # 资料不全指导办
    OVERTIME = "overtime"  # 紧急项目加班办
    FOCUSED = "focused"  # 特殊项目重点办
    TRACKED = "tracked"  # 重大项目跟踪办
    # Not one of the five: nobody has checked the papers yet, so neither 马上办 (资料齐全) nor
    # 指导办 (资料不全) can be claimed. The checklist's decision settles it (S1, S7).
    PENDING = "pending"


MODE_NAMES = {
    ServiceMode.IMMEDIATE: "马上办",
    ServiceMode.GUIDED: "指导办",
    ServiceMode.OVERTIME: "加班办",
    ServiceMode.FOCUSED: "重点办",
    ServiceMode.TRACKED: "跟踪办",
    ServiceMode.PENDING: "待定",
}
MODE_REASONS = {
    ServiceMode.IMMEDIATE: "资料齐全",
    ServiceMode.GUIDED: "资料不全，由企业登记科指导",
    ServiceMode.OVERTIME: "紧急项目",
    ServiceMode.FOCUSED: "特殊项目",
    ServiceMode.TRACKED: "重大项目",
    ServiceMode.PENDING: "材料未核验，F12 清单核验后定为马上办或指导办",
}
# S1: these three get a dedicated proxy/helper (帮办代办) and tracking.
PROXY_MODES = frozenset({ServiceMode.OVERTIME, ServiceMode.FOCUSED, ServiceMode.TRACKED})
# The modes the materials decide (S1): the checklist may move a case between these, never out of
# a mode its flags gave it.
MATERIAL_MODES = frozenset({ServiceMode.PENDING, ServiceMode.IMMEDIATE, ServiceMode.GUIDED})
# What staff may choose on the form: the five modes (待定 is what nobody chose).
FIVE_MODES = tuple(m for m in ServiceMode if m is not ServiceMode.PENDING)


@dataclass(frozen=True)
class CaseFlags:
    urgent: bool = False
    special: bool = False
    major: bool = False

    def codes(self) -> str:
        return ",".join(name for name in ("urgent", "special", "major") if getattr(self, name))

    @classmethod
    def from_codes(cls, text: str) -> CaseFlags:
        names = set(filter(None, text.split(",")))
        return cls("urgent" in names, "special" in names, "major" in names)


def suggest(flags: CaseFlags, materials_complete: bool | None) -> ServiceMode:
    """S1, in the order the policy lists them: urgent, special, major, then by the materials.

    ``materials_complete`` is None while nobody has checked the papers: the mode stays 待定 until
    the checklist decides (``follow_checklist``)."""
    if flags.urgent:
        return ServiceMode.OVERTIME
    if flags.special:
        return ServiceMode.FOCUSED
    if flags.major:
        return ServiceMode.TRACKED
    if materials_complete is None:
        return ServiceMode.PENDING
    return ServiceMode.IMMEDIATE if materials_complete else ServiceMode.GUIDED


def follow_checklist(current: ServiceMode, materials_complete: bool | None) -> ServiceMode:
    """The mode once the checklist has decided (S1): a 待定 case becomes 马上办 when every item was
    accepted with all its materials and 指导办 when one was not (资料不全指导办, which includes
    容缺预审受理, S7); a 马上办 case whose papers turn out incomplete becomes 指导办. A case once
    guided stays 指导办, and a mode the flags gave (加班办, 重点办, 跟踪办) never changes here."""
    if materials_complete is None or current not in MATERIAL_MODES:
        return current
    if current is ServiceMode.PENDING:
        return ServiceMode.IMMEDIATE if materials_complete else ServiceMode.GUIDED
    if current is ServiceMode.IMMEDIATE and not materials_complete:
        return ServiceMode.GUIDED
    return current


def needs_proxy(mode: ServiceMode, full_proxy: bool) -> bool:
    """加班办, 重点办 and 跟踪办 (S1), and 全程代办 on request (S3), get a proxy staff member."""
    return full_proxy or mode in PROXY_MODES
