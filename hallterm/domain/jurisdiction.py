"""Which bureau handles a case (S2), and what the city's green channel does for the others."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from hallterm.domain.errors import Refused


class CaseKind(StrEnum):
    ENTERPRISE = "enterprise"  # 申办企业
    STARTUP = "startup"  # 创业项目


CASE_KIND_NAMES = {CaseKind.ENTERPRISE: "申办企业", CaseKind.STARTUP: "创业项目"}


class EnterpriseKind(StrEnum):
    CENTRAL_PROVINCIAL = "central_provincial"
    JOINT_STOCK = "joint_stock"
    FOREIGN = "foreign"
    REFINED_OIL = "refined_oil"
    NO_DIVISION = "no_division"
    LIMITED = "limited"
    PARTNERSHIP = "partnership"
    SOLE = "sole"
    OTHER = "other"


ENTERPRISE_KIND_NAMES = {
    EnterpriseKind.CENTRAL_PROVINCIAL: "中省直企业",
    EnterpriseKind.JOINT_STOCK: "股份有限公司及其分公司",
    EnterpriseKind.FOREIGN: "外资企业",
    EnterpriseKind.REFINED_OIL: "成品油企业",
    EnterpriseKind.NO_DIVISION: "无行政区划企业",
    EnterpriseKind.LIMITED: "有限责任公司",
    EnterpriseKind.PARTNERSHIP: "合伙企业",
    EnterpriseKind.SOLE: "个人独资企业/个体工商户",
    EnterpriseKind.OTHER: "其他企业",
}

# S2: these kinds are registered and approved by the city bureau itself.
CITY_KINDS = frozenset({
    EnterpriseKind.CENTRAL_PROVINCIAL, EnterpriseKind.JOINT_STOCK, EnterpriseKind.FOREIGN,
    EnterpriseKind.REFINED_OIL, EnterpriseKind.NO_DIVISION,
})

# Anshan's county-level bureaus (GB/T 2260 districts and counties plus the two development zones).
DISTRICTS = ("铁东区", "铁西区", "立山区", "千山区", "高新区", "经济开发区", "台安县", "岫岩满族自治县", "海城市")


class Bureau(StrEnum):
    CITY = "city"
    DISTRICT = "district"


class Handling(StrEnum):
    """What the city's green channel does for a case that belongs elsewhere (S2)."""

    DIRECT = "direct"  # the city bureau handles it itself
    COORDINATION = "coordination"  # 业务协调科 coordinates with the county/district bureau
    PROXY = "proxy"  # 政务服务中心帮办代办 files it on the applicant's behalf


HANDLING_NAMES = {Handling.DIRECT: "市局直接办理", Handling.COORDINATION: "协调办理", Handling.PROXY: "帮办代办"}


class JurisdictionError(Refused, ValueError):
    """A choice that cannot stand; ``str()`` is the Chinese message."""


@dataclass(frozen=True)
class Jurisdiction:
    bureau: Bureau
    district: str
    handling: Handling

    def describe(self) -> str:
        if self.bureau is Bureau.CITY:
            return "帮办代办（公用服务报装）" if self.handling is Handling.PROXY else "市行政审批局办理"
        return f"{self.district}行政审批局办理（{HANDLING_NAMES[self.handling]}）"


PROXY_SCOPE = "proxy"  # a catalog item's ``jurisdiction`` when only the proxy service files it (S3)


def requires_proxy(item_scopes: Iterable[str]) -> bool:
    """S3: an item only the proxy service files (水电气报装) needs a 帮办代办 staff member whatever
    else the case holds, so it is run as 全程代办."""
    return PROXY_SCOPE in set(item_scopes)


def decide(enterprise_kind: EnterpriseKind, item_scopes: Iterable[str], district: str = "",
           handling: Handling = Handling.COORDINATION) -> Jurisdiction:
    """S2: the enterprise's kind decides, unless every item is fixed at the city (or proxy-only).

    ``item_scopes`` are the catalog items' ``jurisdiction`` values: "city", "enterprise_kind" or
    "proxy" (utilities, handled by the proxy service wherever the enterprise is).
    """
    scopes = set(item_scopes)
    if scopes == {PROXY_SCOPE}:  # utilities (水电气): the proxy service files them wherever the firm is (S3)
        return Jurisdiction(Bureau.CITY, "", Handling.PROXY)
    if enterprise_kind in CITY_KINDS or "enterprise_kind" not in scopes:
        return Jurisdiction(Bureau.CITY, "", Handling.DIRECT)
    if not district:
        raise JurisdictionError(
            f"{ENTERPRISE_KIND_NAMES[enterprise_kind]}由县区行政审批局办理：请选择所属县区")
    if district not in DISTRICTS:
        raise JurisdictionError(f"未知的县区：{district}")
    if handling is Handling.DIRECT:
        raise JurisdictionError("县区办理的事项请选择“协调办理”或“帮办代办”")
    return Jurisdiction(Bureau.DISTRICT, district, handling)
