"""Talent-card numbers and what a scanner or a person types at the scan field.

A keyboard-wedge scanner ends with CR, LF or Tab; people type lower case, full-width characters
from a Chinese input method, stray spaces. Everything is normalised (NFKC, strip, upper) before it
is parsed; anything that is not a card or one of the hall's own slips raises ``ScanError`` with a
Chinese message saying what is wrong and what to do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from hallterm.domain.errors import Refused
from hallterm.domain.terminal_text import visible

_ALNUM36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_SCAN_LENGTH = 512  # longer than any card or slip payload: a stuck key or a pasted document
SLIP_PREFIXES = ("HT2:", "HT1:")  # domain.payloads: this format, and the old one it refuses with its reason


class ScanError(Refused, ValueError):
    """What was scanned or typed is not usable; ``str()`` is the Chinese message for staff."""


def mod37_36_check_char(text: str) -> str:
    """ISO/IEC 7064 MOD 37,36 (hybrid system) check character over 0-9A-Z."""
    m = 36
    p = m
    for ch in text:
        s = (p + _ALNUM36.index(ch)) % m
        if s == 0:
            s = m
        p = (s * 2) % (m + 1)
    return _ALNUM36[(m + 1 - p) % m]


@dataclass(frozen=True)
class CardFormat:
    """The talent office's card-number format: a regex with named groups and a check method."""

    pattern: str
    check: str = "mod37_36"

    @property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.pattern)

    def validate(self, card_no: str) -> re.Match[str]:
        """Return the match of a well-formed card number, or raise ScanError saying what is wrong."""
        match = self.regex.fullmatch(card_no)
        if match is None:
            raise ScanError(f"卡号格式不对：“{_shown(card_no)}”不是钢都英才卡号"
                            "（例如 GD2022A000178），请核对后重新输入")
        if self.check == "mod37_36":
            start = match.start("check")
            body = card_no[:start]
            if any(ch not in _ALNUM36 for ch in body) or mod37_36_check_char(body) != match.group("check"):
                raise ScanError(f"卡号 {card_no} 的校验位不对，可能输错或扫错了一位，请核对卡面后重新输入")
        return match

    def is_valid(self, card_no: str) -> bool:
        try:
            self.validate(card_no)
        except ScanError:
            return False
        return True

    def make(self, body: str) -> str:
        """Append the check character (used by the demo and the bench to issue numbers)."""
        return body + mod37_36_check_char(body) if self.check == "mod37_36" else body

    def tier_of(self, card_no: str) -> str:
        return self.validate(card_no).group("tier")


@lru_cache(maxsize=8)
def _compile(pattern: str) -> re.Pattern[str]:
    # ASCII: card numbers are plain 0-9A-Z; without it \d would also match e.g. Arabic-Indic digits,
    # which NFKC leaves alone, and a check-less format would accept them as a different card number.
    return re.compile(pattern, re.ASCII)


DEFAULT_FORMAT = CardFormat(r"GD(?P<year>\d{4})(?P<tier>[A-E])(?P<serial>\d{5})(?P<check>[0-9A-Z])")


@dataclass(frozen=True)
class Scan:
    """A parsed scan: a card (``card_no``) or one of the hall's slips (``slip_fields``)."""

    kind: str  # "card" or "slip"
    raw: str
    card_no: str = ""
    slip_fields: tuple[str, ...] = field(default_factory=tuple)


def normalize(text: str) -> str:
    """NFKC (full-width → ASCII, IME colon → ':'), drop the scanner suffix and spaces, upper-case."""
    if len(text) > MAX_SCAN_LENGTH:
        raise ScanError(f"输入过长（{len(text)} 个字符），不是卡号或回执；请清空后重新扫描")
    value = unicodedata.normalize("NFKC", text).strip(" \t\r\n\u3000")
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in value):
        raise ScanError("输入含有控制字符（扫码枪设置可能有误），请清空后重新扫描或手工输入卡号")
    return value


def parse_scan(text: str, card_format: CardFormat = DEFAULT_FORMAT) -> Scan:
    """Parse what the scan field received.

    Accepts a bare card number (any case, spaces inside, full-width), a payload in which the card
    number stands as its own token (a card QR code carrying a URL), or a hall slip
    ``HT2:…`` (``HT1:…`` before issue 16).
    Raises ScanError with a message saying what is wrong and what to do.
    """
    value = normalize(text)
    if not value:
        raise ScanError("没有读到内容：请扫描钢都英才卡或输入卡号")
    if value.upper().startswith(SLIP_PREFIXES):
        fields = tuple(value.split(":"))
        if len(fields) < 4 or not value.isascii():
            raise ScanError("回执二维码内容不完整或已损坏，请重新扫描或手工输入卡号")
        return Scan(kind="slip", raw=value, slip_fields=fields)
    compact = re.sub(r"\s+", "", value).upper()
    if card_format.regex.fullmatch(compact) or _looks_like_card(compact, card_format):
        card_format.validate(compact)
        return Scan(kind="card", raw=value, card_no=compact)
    for token in re.findall(r"[0-9A-Za-z]+", value):
        token = token.upper()
        if card_format.regex.fullmatch(token):
            card_format.validate(token)
            return Scan(kind="card", raw=value, card_no=token)
    raise ScanError(f"无法识别“{_shown(value)}”：既不是钢都英才卡号（例如 GD2022A000178），也不是本大厅的回执")


def _looks_like_card(compact: str, card_format: CardFormat) -> bool:
    """A near miss of the format (right prefix, wrong length) gets the format message, not 'unknown'."""
    prefix = re.match(r"[A-Z]+", card_format.pattern.lstrip("^"))
    return prefix is not None and compact.isalnum() and compact.startswith(prefix.group(0)) and len(compact) <= 24


def _shown(text: str, limit: int = 24) -> str:
    """What was typed or scanned, quoted in a message: cut short, its control characters shown, never obeyed."""
    return visible(text[:limit]) + ("…" if len(text) > limit else "")
