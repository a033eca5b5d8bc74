"""Early consultation (提前介入, S5): a contact with an entrepreneur before the application, logged.

An approval section contacts the talent — by network, phone or on site — before anything is filed,
and logs it: who (a card holder, or a company not yet carded), which section, the topic, notes and a
follow-up date. The log is found again by its follow-ups and turned into an appointment or a case.
Pure rules: the clock and the sections known to the hall are passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from hallterm.domain.errors import Refused
from hallterm.domain.ids import has_cjk, is_valid_uscc, looks_like_uscc


class ConsultationError(Refused, ValueError):
    """A consultation that cannot be logged, found or converted; ``str()`` says why and what to do."""


class Channel(StrEnum):
    """How the section reached the entrepreneur (S5: 网络、电话、现场)."""

    NETWORK = "network"
    PHONE = "phone"
    ON_SITE = "on_site"


CHANNEL_NAMES = {Channel.NETWORK: "网络", Channel.PHONE: "电话", Channel.ON_SITE: "现场"}


class ConsultationStatus(StrEnum):
    OPEN = "open"  # to be followed up
    CONVERTED = "converted"  # turned into an appointment or a case
    CLOSED = "closed"  # followed up, nothing more to do


STATUS_NAMES = {ConsultationStatus.OPEN: "待跟进", ConsultationStatus.CONVERTED: "已转办",
                ConsultationStatus.CLOSED: "已完结"}

# The follow-up date left blank: this many working days after the contact (S5; the hall may change it).
DEFAULT_FOLLOW_UP_WORKING_DAYS = 3
# A follow-up further ahead than this is a typo (2062 for 2026), not a plan.
MAX_FOLLOW_UP_DAYS = 366
MAX_TOPIC = 200
MAX_NOTES = 1000
MAX_COMPANY = 200


def consultation_no(consultation_id: int) -> str:
    """The number staff read and search by: ZX000012."""
    return f"ZX{consultation_id:06d}"


def parse_channel(value: str) -> Channel:
    for channel, name in CHANNEL_NAMES.items():
        if value.strip() in (channel.value, name):
            return channel
    raise ConsultationError(f"咨询方式 {value!r} 不对：请选 网络、电话 或 现场")


def parse_follow_up(text: str, today: dt.date) -> dt.date | None:
    """A follow-up date as typed: 2026-12-08, 12-08 (this year, or next when already past), 20261208;
    blank is None (the default of working days applies)."""
    value = text.strip().replace("／", "-").replace("/", "-").replace(".", "-")
    if not value:
        return None
    try:
        if value.isascii() and value.isdigit() and len(value) == 8:
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        parts = value.split("-")
        if len(parts) == 3:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        if len(parts) == 2:
            day = dt.date(today.year, int(parts[0]), int(parts[1]))
            return day if day >= today else dt.date(today.year + 1, day.month, day.day)
    except ValueError:
        pass
    raise ConsultationError(f"跟进日期 {text.strip()!r} 看不懂：请写成 2026-12-08 或 12-08；不填则默认 "
                            f"{DEFAULT_FOLLOW_UP_WORKING_DAYS} 个工作日后")


@dataclass(frozen=True)
class ConsultationDraft:
    """What the clerk typed; ``card_no`` empty for a company not yet carded."""

    channel: Channel
    section: str
    topic: str
    notes: str = ""
    card_no: str = ""
    company_name: str = ""
    uscc: str = ""
    follow_up_on: dt.date | None = None  # None: the default working days after today


def clean(text: str) -> str:
    """Runs of spaces and control characters (a scanner's CR, a pasted tab) become one space."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def check_draft(draft: ConsultationDraft, *, today: dt.date, sections: tuple[str, ...],
                default_follow_up: dt.date) -> ConsultationDraft:
    """The draft cleaned and with its follow-up date set, or ConsultationError naming every problem."""
    problems: list[str] = []
    card_no = draft.card_no.strip().upper()
    company = clean(draft.company_name)
    uscc = "".join(draft.uscc.split()).upper()
    topic = clean(draft.topic)
    notes = "\n".join(clean(line) for line in draft.notes.splitlines()).strip()
    if not card_no and not company:
        problems.append("请扫描持卡人的卡号，或填写尚未办卡的企业名称")
    if company and looks_like_uscc(company):
        problems.append("企业名称一栏填的是信用代码：请把代码移到“统一社会信用代码”一栏")
    if len(company) > MAX_COMPANY:
        problems.append(f"企业名称最多 {MAX_COMPANY} 个字")
    if uscc:
        if has_cjk(uscc):
            problems.append("统一社会信用代码一栏填的是文字：请填 18 位代码，或留空")
        elif not is_valid_uscc(uscc):
            problems.append(f"统一社会信用代码 {uscc} 校验不通过（GB 32100）：请核对营业执照；不确定可先留空")
    if draft.section not in sections:
        problems.append(f"请选择科室（{'、'.join(sections)}）" if sections else "没有可选的科室：请先载入基础数据")
    if not topic:
        problems.append("请填写咨询事项（例如：公司设立登记需要哪些材料）")
    elif len(topic) > MAX_TOPIC:
        problems.append(f"咨询事项最多 {MAX_TOPIC} 个字，现在 {len(topic)} 个：详情请写在备注")
    if len(notes) > MAX_NOTES:
        problems.append(f"备注最多 {MAX_NOTES} 个字，现在 {len(notes)} 个")
    follow_up = draft.follow_up_on or default_follow_up
    if follow_up < today:
        problems.append(f"跟进日期 {follow_up:%Y-%m-%d} 已经过去：请填今天或以后的日期")
    elif (follow_up - today).days > MAX_FOLLOW_UP_DAYS:
        problems.append(f"跟进日期 {follow_up:%Y-%m-%d} 超过一年：请核对年份")
    if problems:
        raise ConsultationError("；".join(problems))
    return ConsultationDraft(draft.channel, draft.section, topic, notes, card_no, company, uscc, follow_up)


def check_convertible(status: ConsultationStatus, number: str, *, has_holder: bool, target: str,
                      linked: str) -> None:
    """Whether a consultation may become an appointment or a case now (``target``: 预约 or 办件).

    ``linked`` names what it already became of that kind ("" when nothing): a consultation becomes one
    appointment and one case at most, so one key pressed twice never books or opens twice."""
    if linked:
        raise ConsultationError(f"咨询 {number} 已转为{target} {linked}，不能重复转办")
    if status is ConsultationStatus.CLOSED:
        raise ConsultationError(f"咨询 {number} 已完结，不能再转{target}：请新记一条咨询")
    if not has_holder:
        raise ConsultationError(f"咨询 {number} 的对象是尚未办卡的企业：{target}须凭钢都英才卡，"
                                "请待其办卡后扫描卡号新记咨询，或引导至综合受理窗口")


def check_closable(status: ConsultationStatus, number: str, note: str) -> str:
    if status is not ConsultationStatus.OPEN:
        raise ConsultationError(f"咨询 {number} {STATUS_NAMES[status]}，无需再完结")
    text = clean(note)
    if not text:
        raise ConsultationError("请写明跟进结果（例如：已电话答复，暂不申请）")
    if len(text) > 200:
        raise ConsultationError(f"跟进结果最多 200 个字，现在 {len(text)} 个")
    return text
