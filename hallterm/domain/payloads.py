"""The hall's own QR payloads: ASCII only, signed, expiring (DESIGN.md "Scanning"; research/printing.md §5).

    HT1:<kind>:<field>:…:<key id>:<signature>

``signature`` is HMAC-SHA256 with the secret of ``key id`` over everything before ``:<signature>``,
truncated to 10 bytes (80 bits) and written in RFC 4648 base32 without padding (16 characters).
Every character is in QR's alphanumeric set (0-9, A-Z, ``:`` and ``-``), so the code stays small
and a keyboard-wedge scanner types it the same under Caps Lock or a Chinese IME once normalised
(NFKC + upper case). The key id lets the hall rotate keys: a new key signs, retired keys still verify
until their slips have expired.

Kinds:
    Q  queue ticket          HT1:Q:<day YYYYMMDD>:<ticket number>:<kid>:<sig>
    A  appointment slip      HT1:A:<appointment id>:<day YYYYMMDD>:<start HHMM>:<kid>:<sig>
    V  green-channel visit   HT1:V:<case number>:<day YYYYMMDD>:<kid>:<sig>
    H  hand-out receipt      HT1:H:<case number>:<hand-out id>:<day YYYYMMDD>:<kid>:<sig>  (领证回执, S9)
A slip is valid on its day only (hall-local): a ticket is void after the day (过号无效, daily
reset), an appointment slip checks in on the booked day.

Pure: no I/O, no clock; secrets and today's date are passed in.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from hallterm.domain.errors import Refused

PREFIX = "HT1"
SIGNATURE_BYTES = 10  # 80 bits: 16 base32 characters (research/printing.md §5)
SIGNATURE_CHARS = 16
MIN_SECRET_BYTES = 16

_FIELD = re.compile(r"[0-9A-Z][0-9A-Z-]{0,31}")
KEY_ID = re.compile(r"[A-Z][0-9A-Z]{0,7}")
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

    MALFORMED = "malformed"  # not HT1:…, damaged, wrong number of fields
    UNKNOWN_KEY = "unknown_key"  # a key id this hall does not have (another hall, or a key removed)
    BAD_SIGNATURE = "bad_signature"  # forged or altered
    EXPIRED = "expired"  # the slip's day is over
    NOT_YET = "not_yet"  # an appointment slip brought before its day


class PayloadError(Refused, ValueError):
    """A payload that must be refused; ``str()`` is the Chinese message, ``reason`` the code."""

    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Keyring:
    """The secrets by key id; ``current`` signs, every key verifies."""

    current: str
    secrets: Mapping[str, bytes]

    def __post_init__(self) -> None:
        if self.current not in self.secrets:
            raise ValueError(f"signing key {self.current!r} is not in the keyring")
        for kid, secret in self.secrets.items():
            if not KEY_ID.fullmatch(kid):
                raise ValueError(f"key id {kid!r}: 1-8 characters A-Z/0-9, starting with a letter")
            if len(secret) < MIN_SECRET_BYTES:
                raise ValueError(f"the secret of key {kid} is shorter than {MIN_SECRET_BYTES} bytes")


@dataclass(frozen=True)
class Payload:
    """A verified payload."""

    kind: Kind
    fields: tuple[str, ...]
    key_id: str
    text: str

    @property
    def day(self) -> dt.date:
        return parse_day(self.fields[_DAY_FIELD.get(self.kind, 1)])


def signature(secret: bytes, message: str) -> str:
    digest = hmac.new(secret, message.encode("ascii"), hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.b32encode(digest).decode("ascii").rstrip("=")


def sign(kind: Kind, fields: tuple[str, ...] | list[str], keyring: Keyring) -> str:
    """``HT1:<kind>:<fields…>:<kid>:<sig>``; fields must already be upper-case ASCII without ``:``."""
    fields = tuple(fields)
    if len(fields) != _ARITY[kind]:
        raise ValueError(f"kind {kind.value} takes {_ARITY[kind]} fields, not {len(fields)}")
    for value in fields:
        if not _FIELD.fullmatch(value):
            raise ValueError(f"payload field {value!r}: 1-32 characters of 0-9, A-Z and '-'")
    message = ":".join((PREFIX, kind.value, *fields, keyring.current))
    return f"{message}:{signature(keyring.secrets[keyring.current], message)}"


def normalize(text: str) -> str:
    """What a scanner or a person typed, as the payload was printed: NFKC, no spaces, upper case."""
    value = unicodedata.normalize("NFKC", text).replace("。", ".")
    return re.sub(r"\s+", "", value).upper()


def verify(text: str, keyring: Keyring) -> Payload:
    """Check form, key and signature (not the date: see ``check_day``); raise PayloadError."""
    value = normalize(text)
    parts = value.split(":")
    # Printed payloads are printable ASCII: a NUL or an escape is damage, never quoted back in a message.
    if not value.isascii() or not value.isprintable() or len(parts) < 5 or parts[0] != PREFIX:
        raise PayloadError(Refusal.MALFORMED, "回执二维码内容不完整或已损坏，请重新扫描；仍不行请人工核对")
    try:
        kind = Kind(parts[1])
    except ValueError:
        raise PayloadError(Refusal.MALFORMED, f"不认识的回执类型“{parts[1][:4]}”，请人工核对") from None
    *body, kid, sig = parts
    fields = tuple(body[2:])
    if len(fields) != _ARITY[kind] or not all(_FIELD.fullmatch(f) for f in fields) \
            or not KEY_ID.fullmatch(kid) or not _SIGNATURE.fullmatch(sig):
        raise PayloadError(Refusal.MALFORMED, f"{KIND_NAMES[kind]}二维码内容不完整或已被改动，请人工核对")
    secret = keyring.secrets.get(kid)
    if secret is None:
        raise PayloadError(Refusal.UNKNOWN_KEY,
                           f"{KIND_NAMES[kind]}的签名密钥 {kid} 本机没有：可能是其他大厅或已停用密钥签发的回执，"
                           "也可能是本大厅各台电脑的签名密钥不一致，请人工核对")
    message = value[: len(value) - len(sig) - 1]
    if not hmac.compare_digest(signature(secret, message), sig):
        raise PayloadError(Refusal.BAD_SIGNATURE,
                           f"{KIND_NAMES[kind]}签名校验失败：二维码内容与签名不符，可能是伪造或被涂改的回执，"
                           "请勿据此办理，并请人工核对")
    try:
        _check_fields(kind, fields)
    except ValueError:
        raise PayloadError(Refusal.MALFORMED, f"{KIND_NAMES[kind]}二维码中的日期或时间无效，请人工核对") from None
    return Payload(kind, fields, kid, value)


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


__all__ = ["KIND_NAMES", "PREFIX", "Keyring", "Kind", "Payload", "PayloadError", "Refusal", "appointment_payload",
           "check_day", "day_field", "handout_payload", "normalize", "parse_day", "sign", "signature",
           "ticket_payload", "verify", "visit_payload"]
