"""Who may take a result away at the 统一发证窗口 (S9): the holder, or an agent they authorised.

The holder shows their resident ID (read by the ID reader, which types it, or typed): it must be
the very number the talent office's roster holds for them, compared whole. An agent gives a name
and a resident ID number (its GB 11643 check character and its birth date, a real day neither after
today nor before 1900, are verified) and hands over the holder's 授权委托书, which staff tick as seen;
without it nothing is handed out.

What is kept of the person (PIPL art. 6, minimum necessary): the name and the ID masked as the
hall masks it everywhere (first 3 and last 2 characters). The whole number was checked at the
window; the 授权委托书 itself, with the agent's ID copy, goes into the paper file. A hash would not
protect it: an 18-digit ID has so little entropy (region, birth date, 3 digits) that any digest of
it is reversed by trying them all, so storing one would keep the number in all but name.

Pure: the roster's number and the hall's day (for the birth date's check) are passed in.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from hallterm.domain.errors import Refused
from hallterm.domain.ids import mask_id, resident_id_problem

NAME_MAX = 64  # handouts.recipient_name


class RecipientError(Refused, ValueError):
    """The person at the window may not take the result; ``str()`` says why and what to do."""


class RecipientKind(StrEnum):
    HOLDER = "holder"  # 持卡人本人
    AGENT = "agent"  # 受托代理人


RECIPIENT_KIND_NAMES = {RecipientKind.HOLDER: "本人领取", RecipientKind.AGENT: "代理人领取"}


@dataclass(frozen=True)
class Recipient:
    """What staff entered at the window."""

    kind: RecipientKind
    id_number: str  # whole, as read or typed; never stored
    name: str = ""  # the agent's name (the holder's comes from the roster)
    power_of_attorney_seen: bool = False  # 授权委托书 ticked as seen (agent only)


@dataclass(frozen=True)
class CheckedRecipient:
    """What is recorded of the person who took the result."""

    kind: RecipientKind
    name: str
    id_masked: str
    power_of_attorney: bool

    @property
    def kind_name(self) -> str:
        return RECIPIENT_KIND_NAMES[self.kind]


def normalize_id(text: str) -> str:
    """A resident ID as read or typed: full-width digits, spaces, a lower-case x."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def _clean_name(text: str) -> str:
    value = unicodedata.normalize("NFKC", text).strip()
    return "".join(c for c in value if unicodedata.category(c)[0] != "C")


def check_recipient(recipient: Recipient, holder_name: str, holder_id_number: str, *,
                    today: dt.date) -> CheckedRecipient:
    """Accept the holder (their ID equal to the roster's) or an authorised agent; refuse otherwise.

    ``today``: the hall's day, from the services' clock; a birth date after it (or before 1900, or not a
    date at all) is a mistyped or forged number, refused whoever presents it."""
    typed = normalize_id(recipient.id_number)
    if recipient.kind is RecipientKind.HOLDER:
        if not typed:
            raise RecipientError("请读取或输入持卡人本人的居民身份证号码")
        problem = resident_id_problem(typed, today)
        if typed != normalize_id(holder_id_number):
            hint = f"；所输{problem.replace('身份证号码', '号码', 1)}" if problem else ""
            raise RecipientError(f"身份证号码与持卡人名册登记的不一致{hint}：请核对证件；"
                                 "他人代领请选“代理人领取”，并查验授权委托书")
        if problem:  # the roster's own number, imported before its birth date was checked against the day
            raise RecipientError(f"{problem}：请核对证件；证件无误时请联系人才办更正持卡人名册")
        return CheckedRecipient(RecipientKind.HOLDER, holder_name, mask_id(typed), False)
    name = _clean_name(recipient.name)
    if not name:
        raise RecipientError("代理人领取须填写代理人姓名")
    if len(name) > NAME_MAX:
        raise RecipientError(f"代理人姓名过长（最多 {NAME_MAX} 个字）：请核对")
    if not typed:
        raise RecipientError("代理人领取须填写代理人的居民身份证号码")
    problem = resident_id_problem(typed, today)
    if problem:
        raise RecipientError(f"代理人{problem}：请核对证件后重新输入")  # the field still shows it
    if not recipient.power_of_attorney_seen:
        raise RecipientError("代理人领取须查验持卡人签署的授权委托书：核对无误后勾选“已查验授权委托书”")
    return CheckedRecipient(RecipientKind.AGENT, name, mask_id(typed), True)
