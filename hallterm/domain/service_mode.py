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


MODE_NAMES = {
    ServiceMode.IMMEDIATE: "马上办",
    ServiceMode.GUIDED: "指导办",
    ServiceMode.OVERTIME: "加班办",
    ServiceMode.FOCUSED: "重点办",
    ServiceMode.TRACKED: "跟踪办",
}
MODE_REASONS = {
    ServiceMode.IMMEDIATE: "资料齐全",
    ServiceMode.GUIDED: "资料不全，由企业登记科指导",
    ServiceMode.OVERTIME: "紧急项目",
    ServiceMode.FOCUSED: "特殊项目",
    ServiceMode.TRACKED: "重大项目",
}
# S1: these three get a dedicated proxy/helper (帮办代办) and tracking.
PROXY_MODES = frozenset({ServiceMode.OVERTIME, ServiceMode.FOCUSED, ServiceMode.TRACKED})


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


def suggest(flags: CaseFlags, materials_complete: bool) -> ServiceMode:
    """S1, in the order the policy lists them: urgent, special, major, then by the materials."""
    if flags.urgent:
        return ServiceMode.OVERTIME
    if flags.special:
        return ServiceMode.FOCUSED
    if flags.major:
        return ServiceMode.TRACKED
    return ServiceMode.IMMEDIATE if materials_complete else ServiceMode.GUIDED


def needs_proxy(mode: ServiceMode, full_proxy: bool) -> bool:
    """加班办, 重点办 and 跟踪办 (S1), and 全程代办 on request (S3), get a proxy staff member."""
    return full_proxy or mode in PROXY_MODES
