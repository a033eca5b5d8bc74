"""Checksums of Chinese identifiers (research/domain.md §5)."""

from __future__ import annotations

import datetime as dt

_RID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_RID_CHECK = "10X98765432"

# GB 32100-2015: 31 characters, the letters I O S V Z are not used.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [3**i % 31 for i in range(17)]


def resident_id_check_char(first17: str) -> str:
    """The GB 11643-1999 (ISO 7064 MOD 11-2) check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _RID_WEIGHTS, strict=True))
    return _RID_CHECK[total % 11]


def is_valid_resident_id(text: str) -> bool:
    """True for an 18-character resident ID with a real birth date and a correct check character."""
    if not isinstance(text, str):
        return False
    value = text.strip().upper()
    if len(value) != 18 or not value[:17].isascii() or not value[:17].isdigit():
        return False
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if birth.year < 1800:
        return False
    return resident_id_check_char(value[:17]) == value[17]


def birth_date(resident_id: str) -> dt.date:
    value = resident_id.strip()
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def looks_like_uscc(text: str) -> bool:
    """True for text shaped like a credit code (18 of its characters, checksum aside): what a name
    field must never hold (issue 11: a code typed over the prefilled enterprise name)."""
    value = "".join(text.split()).upper()
    return len(value) == 18 and all(c in _USCC_CHARS for c in value)


def has_cjk(text: str) -> bool:
    """True when the text holds a Chinese character: a name, never a code."""
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def is_valid_uscc(text: str) -> bool:
    """True for an 18-character unified social credit code with a correct GB 32100 check character.

    Some early pilot codes are real but fail this check (domain.md §5b); callers warn and allow
    an override with a reason rather than blocking.
    """
    if not isinstance(text, str):
        return False
    value = text.strip().upper()
    if len(value) != 18 or any(c not in _USCC_CHARS for c in value):
        return False
    return uscc_check_char(value[:17]) == value[17]


def mask_id(resident_id: str) -> str:
    """Keep the region's first 3 and the last 2 characters: personal data is minimised (DESIGN.md)."""
    value = resident_id.strip()
    if len(value) <= 5:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def mask_name(name: str) -> str:
    """张*明 for 张三明, 李* for 李四: the display and slips show masked names."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """138****5678 for a mobile; shorter numbers keep at most half of their characters, at the end."""
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    keep = min(4, len(digits) // 2)
    return "*" * (len(digits) - keep) + digits[len(digits) - keep:]
