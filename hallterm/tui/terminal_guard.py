"""The last guard between data and the terminal (issue 16 point 2): no control or format character in a
screen's text is ever written out.

Screens show data through ``terminal_text.visible`` (the clerk sees ``\\x1b``, so it can be reported) and
as ``rich.text.Text``, never markup. Should one forget, Textual would write the character as it is:
``ESC [2J`` in a holder's name would clear the desk's screen, an OSC 52 sequence in an employer would
write to the clipboard. Here every line a screen draws (a ``textual.strip.Strip``) drops such characters
as it becomes terminal output. They are zero cells wide to Textual's layout, so dropping them moves
nothing; the styling escapes Textual adds itself are not part of a strip's text and are kept.

It wraps ``Strip.render`` (Textual is pinned exactly); ``tests/tui/test_terminal_text_on_screens.py``
fails if an upgrade renders lines another way.
"""

from __future__ import annotations

import unicodedata

from rich.console import Console
from rich.segment import Segment
from textual.strip import Strip

_HIDDEN = ("Cc", "Cf")


def _drop_hidden(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) not in _HIDDEN)


def _clean(strip: Strip) -> Strip | None:
    """``strip`` without its hidden characters, or None when it has none (the common case)."""
    segments = list(strip)
    if all(control or text.isprintable() or _drop_hidden(text) == text for text, _, control in segments):
        return None
    return Strip([seg if seg.control else Segment(_drop_hidden(seg.text), seg.style, seg.control)
                  for seg in segments], strip.cell_length)


_original_render = Strip.render


def _render(self: Strip, console: Console) -> str:
    if self._render_cache is None and (clean := _clean(self)) is not None:
        self._render_cache = _original_render(clean, console)
    return _original_render(self, console)


def install() -> None:
    """Guard every screen of this process (idempotent)."""
    if Strip.render is not _render:
        Strip.render = _render  # type: ignore[method-assign]
