"""Text for the screens' message lines and panels, broken where Chinese may break.

Textual and Rich wrap only at spaces: "此卡已于 2025-12-17 过期：…" left half a line empty, a run of
Chinese was cut with "…", and a line could start with "；" or "、". ``Paragraph`` breaks with
``hallterm.linebreak`` at the width Textual lays it out at, so Chinese fills the line and
punctuation stays where Chinese typesetting puts it. Styles of a Rich ``Text`` are kept.
It is a Textual ``Visual``: ``str()`` of what a widget renders is still the text itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.content import Content
from textual.visual import Visual

from hallterm.linebreak import wrap

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.strip import Strip
    from textual.style import Style
    from textual.visual import RenderOptions


class Paragraph(Visual):
    """Plain text (never markup: names and reasons come from data), or a Rich ``Text`` with its styles."""

    def __init__(self, text: str | Text) -> None:
        self.rich = text if isinstance(text, Text) else Text(text)
        self.text = self.rich.plain

    def lines(self, width: int) -> list[Text]:
        out: list[Text] = []
        for paragraph in self.rich.split("\n", allow_blank=True):
            plain, position = paragraph.plain, 0
            for line in wrap(plain, max(width, 2), cell_len, hang=False):
                # Every wrapped line is a stretch of the paragraph with only its edge spaces trimmed.
                start = plain.find(line, position) if line else position
                start = position if start < 0 else start
                out.append(paragraph[start:start + len(line)])
                position = start + len(line)
        return out

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        content = Content("\n").join(Content.from_rich_text(line) for line in self.lines(width))
        return content.render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((cell_len(line) for line in self.text.split("\n")), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lines(width))

    def __str__(self) -> str:
        return self.text


class RichParagraph:
    """The same breaking inside Rich layouts (a table cell), at the width Rich gives the cell."""

    def __init__(self, text: str | Text) -> None:
        self.paragraph = Paragraph(text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.paragraph.lines(options.max_width):
            line.end = "\n"
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((cell_len(line) for line in self.paragraph.text.split("\n")), default=0)
        return Measurement(min(longest, 8), longest)
