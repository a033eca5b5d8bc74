"""Card holders and whether one may use the green channel today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class CardStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


TIERS = "ABCDE"
TIER_NAMES = {"A": "A类（顶尖人才）", "B": "B类（领军人才）", "C": "C类（拔尖人才）",
              "D": "D类（骨干人才）", "E": "E类（基础人才）"}


@dataclass(frozen=True)
class Holder:
    card_no: str
    name: str
    id_number: str
    tier: str
    issued_on: dt.date
    expires_on: dt.date
    status: CardStatus
    phone: str = ""
    employer: str = ""
    open_cases: int = 0
    past_cases: int = 0


class Verdict(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_YET_VALID = "not_yet_valid"
    NOT_ELIGIBLE = "not_eligible"


@dataclass(frozen=True)
class CardCheck:
    verdict: Verdict
    message: str  # Chinese, says what is wrong and what to do
    holder: Holder | None = None

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.OK


REFER = "请引导至综合受理窗口按普通流程办理"


def assess(holder: Holder | None, card_no: str, today: dt.date, eligible_tiers: str) -> CardCheck:
    """Decide whether this card opens the green channel on ``today`` (S4: card holders only)."""
    if holder is None:
        return CardCheck(Verdict.UNKNOWN,
                         f"卡号 {card_no} 不在人才名册中：请核对卡号；若刚办卡，请联系人才办更新名册，{REFER}")
    if holder.status is CardStatus.REVOKED:
        return CardCheck(Verdict.REVOKED, f"此卡已被注销，不能使用绿色通道；{REFER}", holder)
    if holder.status is CardStatus.EXPIRED or holder.expires_on < today:
        return CardCheck(Verdict.EXPIRED,
                         f"此卡已于 {holder.expires_on:%Y-%m-%d} 过期：请持卡人到人才办续期；{REFER}", holder)
    if holder.issued_on > today:
        return CardCheck(Verdict.NOT_YET_VALID,
                         f"此卡自 {holder.issued_on:%Y-%m-%d} 起生效，今天尚不能使用；{REFER}", holder)
    if holder.tier not in eligible_tiers:
        return CardCheck(Verdict.NOT_ELIGIBLE,
                         f"{TIER_NAMES.get(holder.tier, holder.tier)}不在绿色通道服务范围"
                         f"（{eligible_tiers} 类）；{REFER}",
                         holder)
    return CardCheck(Verdict.OK, "持卡人有效，可走绿色通道", holder)
