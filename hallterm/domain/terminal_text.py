"""Text from data made safe for a terminal: control and format characters shown, never obeyed.

A name or employer carrying ``ESC [2J`` or an OSC 52 clipboard write would clear the screen or write to
the clipboard if printed raw; here every such character (Unicode categories Cc and Cf) becomes a
visible escape such as ``\\x1b`` or ``\\u202e``, so the reader sees that something odd was stored.
"""

from __future__ import annotations

import unicodedata


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with its control and format characters escaped (tabs and newlines too: one field, one line)."""
    if text.isprintable():
        return text  # the common case, without a walk over every character
    return "".join(_escape(ch) if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # past the BMP: a UTF-16 surrogate pair, the only form JSON knows
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def printable(text: str) -> str:
    """What a command line prints, made safe as it leaves (issue 16 point 2): every control and format
    character but newline and tab becomes ``\\uXXXX``. The escape is JSON's own, so ``--json`` output
    stays valid JSON; text already passed through ``visible`` holds none and is left as it is."""
    if text.isprintable():
        return text
    return "".join(_json_escape(ch) if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf") else ch
                   for ch in text)


# What no name, reason or other free text holds: control and format characters (NUL, an escape
# sequence, a right-to-left override), line and paragraph separators, lone surrogates.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def hidden_characters(text: str) -> str:
    """The distinct hidden characters of ``text`` (at most five), escaped for a message; "" when none."""
    if text.isprintable():
        return ""
    found = sorted({c for c in text if unicodedata.category(c) in _HIDDEN})
    return "".join(_escape(c) for c in found[:5])
