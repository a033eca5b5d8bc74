"""Text for the screens' message lines, broken where Chinese may break.

Textual wraps only at spaces: "此卡已于 2025-12-17 过期：…" left half a line empty, and a line could
start with "；" or "、". ``Paragraph`` breaks with ``hallterm.linebreak`` at the width Textual
lays it out at, so Chinese fills the line and punctuation stays where Chinese typesetting puts it.
It is a Textual ``Visual``: ``str()`` of what a widget renders is still the message itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.content import Content
from textual.visual import Visual

from hallterm.linebreak import wrap

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.strip import Strip
    from textual.style import Style
    from textual.visual import RenderOptions


class Paragraph(Visual):
    """A plain string (never markup: names and reasons come from data)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def lines(self, width: int) -> list[str]:
        return wrap(self.text, max(width, 2), cell_len, hang=False)

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return Content("\n".join(self.lines(width))).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((cell_len(line) for line in self.text.split("\n")), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lines(width))

    def __str__(self) -> str:
        return self.text
