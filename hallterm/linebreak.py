"""Line breaking for Chinese mixed with Latin words and numbers, on paper and on screen.

A light 禁则: closing punctuation never starts a line, opening brackets never end one, Latin words
and numbers (dates, card numbers) stay whole, and any CJK character is a break opportunity. Rich
breaks only at spaces, so a terminal message like "此卡已于 2025-12-17 过期：…" would otherwise
leave half a line empty; the slips and the desk's message lines both use ``wrap``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Line-breaking rules (a light 禁则): these never start a line, those never end one.
NO_LINE_START = set("，。、；：！？）》」』】〕〉”’%·…—,.;:!?)]}")
NO_LINE_END = set("（《「『【〔〈“‘([{")
# Latin words, numbers, times (08:30), dates and codes stay whole; every other character is a token.
_TOKEN = re.compile(r"[A-Za-z0-9@#&*+=/\\_'.:\-]+ *|\s|.")


def tokens(text: str) -> list[str]:
    """Latin words stay whole (with their trailing space); every other character is its own token."""
    out: list[str] = []
    carry = ""
    for tok in _TOKEN.findall(text):
        if tok in NO_LINE_END:  # an opening bracket goes with what follows it
            carry += tok
            continue
        out.append(carry + tok)
        carry = ""
    if carry:
        out.append(carry)
    return out


def wrap(text: str, width: float, measure: Callable[[str], float], *, hang: bool = True) -> list[str]:
    """Greedy line breaking of ``text`` (with ``\\n`` as hard breaks) to ``width`` units of ``measure``.

    Closing punctuation that does not fit hangs past the edge (``hang``, for paper, which has a
    margin) or takes the character before it to the next line (on a terminal, which has none).
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        last = ""  # the line's last token: what goes down with punctuation that may not start a line
        for tok in tokens(paragraph):
            fits = not line or measure(line + tok.rstrip()) <= width
            if not fits and tok[0] in NO_LINE_START and not hang and line.rstrip() != last.rstrip():
                lines.append(line[: len(line) - len(last)].rstrip())
                line = last.lstrip() + tok
            elif fits or tok[0] in NO_LINE_START:
                line += tok
            else:
                lines.append(line.rstrip())
                line = tok.lstrip()
            last = tok
            while measure(line.rstrip()) > width and len(line) > 1 and line[-1] not in NO_LINE_START:
                # A Latin word (or a code) longer than the line: cut it where it overflows.
                cut = len(line) - 1
                while cut > 1 and measure(line[:cut]) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line.rstrip())
    return lines


def display_width(text: str) -> int:
    """Terminal cells: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
