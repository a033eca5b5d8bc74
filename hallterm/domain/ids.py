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


# Nobody born before 1900 holds a card or comes to the window: such a birth date is a typo (1890 for
# 1990) or a forged number, not a person. The standard's own 1880 example is valid arithmetic only.
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def resident_id_problem(text: str, today: dt.date, *, show_birth_date: bool = True) -> str | None:
    """What is wrong with a resident ID number, in Chinese and without what to do (the caller says that:
    re-type at the window, correct the file for the roster); None when it is valid.

    Valid: 18 characters, 17 ASCII digits, a birth date (characters 7–14, YYYYMMDD) that is a real calendar
    date between EARLIEST_BIRTH and ``today`` (the hall's day, from the services' clock: the domain reads no
    clock), and the GB 11643 check character. ``show_birth_date=False`` leaves the date out, for messages
    that are printed or saved (roster import errors), where the date is personal data.
    """
    value = text.strip().upper()
    if not value:
        return "身份证号码为空"
    if len(value) != 18:
        return f"身份证号码应为 18 位，现为 {len(value)} 位"
    if not value[:17].isascii() or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "身份证号码前 17 位应为数字，末位为数字或 X"
    year, month, day = value[6:10], value[10:12], value[12:14]
    shown = f" {year}-{month}-{day} " if show_birth_date else ""
    try:
        birth = dt.date(int(year), int(month), int(day))
    except ValueError:
        return f"身份证号码中的出生日期{shown}不存在"
    if birth > today:
        return f"身份证号码中的出生日期{shown}晚于今天" + (f"（{today:%Y-%m-%d}）" if show_birth_date else "")
    if birth < EARLIEST_BIRTH:
        return f"身份证号码中的出生日期{shown}早于 {EARLIEST_BIRTH.year} 年"
    if resident_id_check_char(value[:17]) != value[17]:
        return "身份证号码校验不通过（末位校验码与前 17 位不符，可能输错）"
    return None


def is_valid_resident_id(text: str, today: dt.date) -> bool:
    """True for an 18-character resident ID with a plausible, real birth date (not after ``today``, not
    before 1900) and a correct check character; ``resident_id_problem`` says what is wrong otherwise."""
    return isinstance(text, str) and resident_id_problem(text, today) is None


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
