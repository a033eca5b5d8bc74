"""The hall's own QR payloads: ASCII only, signed, expiring (DESIGN.md "Scanning"; research/printing.md §5).

    HT2:<region>:<kind>:<field>:…:<key id>:<signature>

``signature`` is HMAC-SHA256 with the secret of ``key id`` over everything before ``:<signature>``,
truncated to 10 bytes (80 bits) and written in RFC 4648 base32 without padding (16 characters).
Every character is in QR's alphanumeric set (0-9, A-Z, ``:`` and ``-``), so the code stays small
and a keyboard-wedge scanner types it the same under Caps Lock or a Chinese IME once normalised
(NFKC + upper case). The key id lets the hall rotate keys: a new key signs, retired keys still verify
until their slips have expired.

``region`` is the issuing hall's region code (GB/T 2260, six digits), inside the signed text: a
slip of another hall is refused as another hall's even when both halls share a key id or, by
mistake, a key (issue 16 point 10). ``TEST`` in its place marks the samples of ``hallterm print
test``: signed like the rest, so a scanner and printer can be checked, but refused at every desk,
and the signature forbids turning one into a real slip (issue 16 point 1).

Kinds:
    Q  queue ticket          HT2:<region>:Q:<day YYYYMMDD>:<ticket number>:<kid>:<sig>
    A  appointment slip      HT2:<region>:A:<appointment id>:<day YYYYMMDD>:<start HHMM>:<kid>:<sig>
    V  green-channel visit   HT2:<region>:V:<case number>:<day YYYYMMDD>:<kid>:<sig>
    H  hand-out receipt      HT2:<region>:H:<case number>:<hand-out id>:<day YYYYMMDD>:<kid>:<sig>  (领证回执, S9)
A slip is valid on its day only (hall-local): a ticket is void after the day (过号无效, daily
reset), an appointment slip checks in on the booked day.

Slips printed before the region was signed (``HT1:<kind>:…``) are refused with a message that says
so (``Refusal.OLD_FORMAT``): they named no hall, and ``hallterm print test`` signed its samples as
real ones then.

Pure: no I/O, no clock; secrets and today's date are passed in.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from hallterm.domain.errors import Refused
from hallterm.domain.secret_rules import MIN_SECRET_BYTES

PREFIX = "HT2"
OLD_PREFIXES = ("HT1",)  # before issue 16: no region in the signed text; refused, never verified
TEST_REGION = "TEST"  # in the region's place on the samples of ``hallterm print test``
SIGNATURE_BYTES = 10  # 80 bits: 16 base32 characters (research/printing.md §5)
SIGNATURE_CHARS = 16

_FIELD = re.compile(r"[0-9A-Z][0-9A-Z-]{0,31}")
KEY_ID = re.compile(r"[A-Z][0-9A-Z]{0,7}")
REGION = re.compile(r"[0-9]{6}")
_SIGNATURE = re.compile(r"[A-Z2-7]{16}")
_DAY = re.compile(r"\d{8}")
_HHMM = re.compile(r"([01]\d|2[0-3])[0-5]\d")


class Kind(StrEnum):
    TICKET = "Q"
    APPOINTMENT = "A"
    VISIT = "V"
    HANDOUT = "H"


KIND_NAMES = {Kind.TICKET: "排队票", Kind.APPOINTMENT: "预约回执", Kind.VISIT: "绿色通道引导单",
              Kind.HANDOUT: "领证回执"}
_ARITY = {Kind.TICKET: 2, Kind.APPOINTMENT: 3, Kind.VISIT: 2, Kind.HANDOUT: 3}
_DAY_FIELD = {Kind.TICKET: 0, Kind.HANDOUT: 2}  # others: the second field


class Refusal(StrEnum):
    """Why a payload was refused: recorded in the ``slip_refused`` event."""

    MALFORMED = "malformed"  # not HT2:…, damaged, wrong number of fields
    UNKNOWN_KEY = "unknown_key"  # a key id this hall does not have (another hall, or a key removed)
    BAD_SIGNATURE = "bad_signature"  # forged or altered
    EXPIRED = "expired"  # the slip's day is over
    NOT_YET = "not_yet"  # an appointment slip brought before its day
    OTHER_HALL = "other_hall"  # signed text names another hall's region code
    TEST_SLIP = "test_slip"  # a sample of ``hallterm print test``
    OLD_FORMAT = "old_format"  # HT1: printed before the region was signed


class PayloadError(Refused, ValueError):
    """A payload that must be refused; ``str()`` is the Chinese message, ``reason`` the code."""

    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Keyring:
    """The hall's signing identity: its region code, named in every payload, and its secrets by key id;
    ``current`` signs, every key verifies."""

    current: str
    secrets: Mapping[str, bytes] = field(repr=False)
    region: str = field(kw_only=True)  # six digits, or TEST_REGION for the samples of `print test`

    def __post_init__(self) -> None:
        if not (REGION.fullmatch(self.region) or self.region == TEST_REGION):
            raise ValueError(f"region code {self.region!r}: six digits (GB/T 2260)")
        if self.current not in self.secrets:
            raise ValueError(f"signing key {self.current!r} is not in the keyring")
        for kid, secret in self.secrets.items():
            if not KEY_ID.fullmatch(kid):
                raise ValueError(f"key id {kid!r}: 1-8 characters A-Z/0-9, starting with a letter")
            if len(secret) < MIN_SECRET_BYTES:
                raise ValueError(f"the secret of key {kid} is shorter than {MIN_SECRET_BYTES} bytes")

    def for_test_slips(self) -> Keyring:
        """The same keys, signing as no hall: what ``hallterm print test`` signs its samples with."""
        return dataclasses.replace(self, region=TEST_REGION)


@dataclass(frozen=True)
class Payload:
    """A verified payload."""

    kind: Kind
    fields: tuple[str, ...]
    key_id: str
    text: str
    region: str = ""

    @property
    def is_test(self) -> bool:
        return self.region == TEST_REGION

    @property
    def day(self) -> dt.date:
        return parse_day(self.fields[_DAY_FIELD.get(self.kind, 1)])


def signature(secret: bytes, message: str) -> str:
    digest = hmac.new(secret, message.encode("ascii"), hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.b32encode(digest).decode("ascii").rstrip("=")


def sign(kind: Kind, fields: tuple[str, ...] | list[str], keyring: Keyring) -> str:
    """``HT2:<region>:<kind>:<fields…>:<kid>:<sig>``; fields must already be upper-case ASCII without ``:``."""
    fields = tuple(fields)
    if len(fields) != _ARITY[kind]:
        raise ValueError(f"kind {kind.value} takes {_ARITY[kind]} fields, not {len(fields)}")
    for value in fields:
        if not _FIELD.fullmatch(value):
            raise ValueError(f"payload field {value!r}: 1-32 characters of 0-9, A-Z and '-'")
    message = ":".join((PREFIX, keyring.region, kind.value, *fields, keyring.current))
    return f"{message}:{signature(keyring.secrets[keyring.current], message)}"


def normalize(text: str) -> str:
    """What a scanner or a person typed, as the payload was printed: NFKC, no spaces, upper case."""
    value = unicodedata.normalize("NFKC", text).replace("。", ".")
    return re.sub(r"\s+", "", value).upper()


def verify(text: str, keyring: Keyring, *, test_ok: bool = False) -> Payload:
    """Check form, hall, key and signature (not the date: see ``check_day``); raise PayloadError.

    A sample of ``hallterm print test`` is refused unless ``test_ok`` (``hallterm scan`` names it).
    """
    value = normalize(text)
    parts = value.split(":")
    # Printed payloads are printable ASCII: a NUL or an escape is damage, never quoted back in a message.
    if not value.isascii() or not value.isprintable():
        raise PayloadError(Refusal.MALFORMED, "回执二维码内容不完整或已损坏，请重新扫描；仍不行请人工核对")
    if parts[0] in OLD_PREFIXES and len(parts) >= 4:
        raise PayloadError(Refusal.OLD_FORMAT,
                           f"这是系统升级前打印的旧版回执（{parts[0]}），已停用：预约请扫描持卡人的英才卡签到，"
                           "排队票请重新取号，其他回执请人工核对")
    if len(parts) < 6 or parts[0] != PREFIX:
        raise PayloadError(Refusal.MALFORMED, "回执二维码内容不完整或已损坏，请重新扫描；仍不行请人工核对")
    try:
        kind = Kind(parts[2])
    except ValueError:
        raise PayloadError(Refusal.MALFORMED, f"不认识的回执类型“{parts[2][:4]}”，请人工核对") from None
    _, region, _, *body, kid, sig = parts
    fields = tuple(body)
    name = KIND_NAMES[kind]
    if len(fields) != _ARITY[kind] or not all(_FIELD.fullmatch(f) for f in fields) \
            or not (REGION.fullmatch(region) or region == TEST_REGION) \
            or not KEY_ID.fullmatch(kid) or not _SIGNATURE.fullmatch(sig):
        raise PayloadError(Refusal.MALFORMED, f"{name}二维码内容不完整或已被改动，请人工核对")
    # The hall and the test mark are read before the key: another hall's key is not here to check with,
    # and a refusal needs none (issue 16 points 1 and 10).
    if region == TEST_REGION and not test_ok:
        raise PayloadError(Refusal.TEST_SLIP,
                           f"这是打印测试样张（hallterm print test），不是真实的{name}，不能据此办理：请人工核对")
    if region not in (keyring.region, TEST_REGION):
        raise PayloadError(Refusal.OTHER_HALL,
                           f"这是其他大厅（区划代码 {region}）签发的{name}，本大厅不能据此办理："
                           "请持卡人到签发的大厅办理，或在本大厅重新取号、预约")
    secret = keyring.secrets.get(kid)
    if secret is None:
        raise PayloadError(Refusal.UNKNOWN_KEY,
                           f"{name}的签名密钥 {kid} 本机没有：可能是已停用密钥签发的回执，"
                           "也可能是本大厅各台电脑的签名密钥不一致，请人工核对")
    message = value[: len(value) - len(sig) - 1]
    if not hmac.compare_digest(signature(secret, message), sig):
        raise PayloadError(Refusal.BAD_SIGNATURE,
                           f"{name}签名校验失败：二维码内容与签名不符，可能是伪造或被涂改的回执，"
                           "请勿据此办理，并请人工核对")
    try:
        _check_fields(kind, fields)
    except ValueError:
        raise PayloadError(Refusal.MALFORMED, f"{name}二维码中的日期或时间无效，请人工核对") from None
    return Payload(kind, fields, kid, value, region)


def is_slip(text: str) -> bool:
    """Whether normalised scanner text is one of the hall's slips, of this format or an old one."""
    return text.split(":", 1)[0] in (PREFIX, *OLD_PREFIXES) and ":" in text


def check_day(payload: Payload, today: dt.date) -> None:
    """A slip is good on its own day only (hall-local); raise PayloadError otherwise."""
    day = payload.day
    name = KIND_NAMES[payload.kind]
    if day < today:
        what = "过号无效，请重新取号" if payload.kind is Kind.TICKET else "已过期，请重新预约或现场取号"
        raise PayloadError(Refusal.EXPIRED, f"这是 {day:%Y-%m-%d} 的{name}，{what}")
    if day > today:
        raise PayloadError(Refusal.NOT_YET,
                           f"这是 {day:%Y-%m-%d} 的{name}，未到预约日期，请在预约当天再来签到")


def parse_day(text: str) -> dt.date:
    if not _DAY.fullmatch(text):
        raise ValueError(text)
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))


def day_field(day: dt.date) -> str:
    return f"{day:%Y%m%d}"


def _check_fields(kind: Kind, fields: tuple[str, ...]) -> None:
    if kind is Kind.TICKET:
        parse_day(fields[0])
    elif kind is Kind.APPOINTMENT:
        if not fields[0].isdigit():
            raise ValueError(fields[0])
        parse_day(fields[1])
        if not _HHMM.fullmatch(fields[2]):
            raise ValueError(fields[2])
    elif kind is Kind.HANDOUT:
        if not fields[1].isdigit():
            raise ValueError(fields[1])
        parse_day(fields[2])
    else:
        parse_day(fields[1])


# --- typed builders: what the renderers and services call ------------------------------------------


def ticket_payload(day: dt.date, ticket_no: str, keyring: Keyring) -> str:
    return sign(Kind.TICKET, (day_field(day), ticket_no.upper()), keyring)


def appointment_payload(appointment_id: int, day: dt.date, start: str, keyring: Keyring) -> str:
    """``start`` as ``HH:MM`` (the appointments table) or ``HHMM``."""
    return sign(Kind.APPOINTMENT, (str(int(appointment_id)), day_field(day), start.replace(":", "")), keyring)


def visit_payload(case_no: str, day: dt.date, keyring: Keyring) -> str:
    return sign(Kind.VISIT, (case_no.upper(), day_field(day)), keyring)


def handout_payload(case_no: str, handout_id: int, day: dt.date, keyring: Keyring) -> str:
    """The 领证回执's QR: which case, which hand-out record, on which day (S9)."""
    return sign(Kind.HANDOUT, (case_no.upper(), str(int(handout_id)), day_field(day)), keyring)


__all__ = ["KIND_NAMES", "OLD_PREFIXES", "PREFIX", "TEST_REGION", "Keyring", "Kind", "Payload", "PayloadError",
           "Refusal", "appointment_payload", "check_day", "day_field", "handout_payload", "is_slip", "normalize",
           "parse_day", "sign", "signature",
           "ticket_payload", "verify", "visit_payload"]
