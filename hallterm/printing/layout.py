"""Top-to-bottom layout on paper of a fixed width, drawn by Pillow or written out as plain text.

A slip's layout function writes to a ``Sheet``: titles, text that wraps, label–value rows, rules,
gaps and a QR code. ``ImageSheet`` draws that in black on white and returns a 1-bit image at the
printer's resolution (thresholded, never dithered: thermal printers have no grey); ``TextSheet``
writes the same content as plain text for the desk's preview, so what staff see before printing
is what is printed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol

from PIL import Image, ImageDraw, ImageFont

from hallterm.linebreak import NO_LINE_END, NO_LINE_START, display_width, tokens, wrap
from hallterm.printing import fonts

__all__ = ["NO_LINE_END", "NO_LINE_START", "display_width", "tokens", "wrap"]  # and the sheets below

class Role(StrEnum):
    TITLE = "title"  # the hall's name
    HEADING = "heading"  # what the slip is
    BIG = "big"  # the ticket number
    LARGE = "large"  # the appointment time
    BODY = "body"
    SMALL = "small"  # rules and English lines


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class Sheet(Protocol):
    width: int

    def text(self, text: str, role: Role = Role.BODY, *, align: Align = Align.LEFT, bold: bool = False,
             indent: int = 0, bullet: str = "") -> None: ...

    def label_column(self, labels: list[str]) -> None: ...

    def pair(self, label: str, value: str, *, role: Role = Role.BODY) -> None: ...

    def rule(self, *, dashed: bool = False) -> None: ...

    def gap(self, lines: float = 0.5) -> None: ...

    def qr(self, payload: str, caption: str = "") -> None: ...


# --- drawing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """Pixel sizes of each role on one paper width."""

    margin: int
    sizes: dict[Role, int]
    qr_module: int  # dots per QR module: 4-5 dots (0.5-0.6 mm at 203 dpi) scan reliably (printing.md §5)
    label_chars: int = 5  # width of the label column in body characters

    @staticmethod
    def for_width(width: int) -> Scale:
        if width <= 400:  # 58 mm: 384 dots
            return Scale(12, {Role.TITLE: 28, Role.HEADING: 26, Role.BIG: 104, Role.LARGE: 34, Role.BODY: 22,
                              Role.SMALL: 19}, 4)
        if width <= 640:  # 80 mm: 576 dots
            return Scale(20, {Role.TITLE: 34, Role.HEADING: 30, Role.BIG: 136, Role.LARGE: 42, Role.BODY: 26,
                              Role.SMALL: 22}, 5)
        # A page (notices rasterised for a preview): proportionally larger.
        factor = width / 576
        return Scale(int(20 * factor), {r: int(s * factor) for r, s in Scale.for_width(576).sizes.items()},
                     int(5 * factor))


_Op = Callable[[ImageDraw.ImageDraw, Image.Image, int], None]


class ImageSheet:
    """Draws onto a white page ``width`` dots wide; ``image()`` gives the 1-bit result."""

    def __init__(self, width: int, scale: Scale | None = None) -> None:
        self.width = width
        self.scale = scale or Scale.for_width(width)
        self._ops: list[tuple[int, _Op]] = []  # (height, draw at y)
        self.height = self.scale.margin
        self._label_w = 0.0

    @property
    def inner(self) -> int:
        return self.width - 2 * self.scale.margin

    def _add(self, height: int, op: _Op) -> None:
        y = self.height
        self._ops.append((y, op))
        self.height += height

    def _line_height(self, size: int) -> int:
        return round(size * 1.32)

    def text(self, text: str, role: Role = Role.BODY, *, align: Align = Align.LEFT, bold: bool = False,
             indent: int = 0, bullet: str = "") -> None:
        """Wrapped text; with ``bullet``, the bullet hangs and every line starts after it."""
        size = self.scale.sizes[role]
        face = fonts.font(size)
        hang = int(fonts.measure(size)(bullet + " ")) if bullet else 0
        left = self.scale.margin + indent * size
        avail = self.width - self.scale.margin - left - hang
        stroke = max(1, size // 36) if bold else 0
        line_h = self._line_height(size)
        for i, line in enumerate(wrap(text, avail, fonts.measure(size))):
            if bullet and i == 0:
                self._ops.append((self.height, _text_op(bullet, face, left, hang, Align.LEFT, 0, size, line_h)))
            self._add(line_h, _text_op(line, face, left + hang, avail, align, stroke, size, line_h))

    def label_column(self, labels: list[str]) -> None:
        """The rows that follow line their values up after the widest of ``labels``."""
        size = self.scale.sizes[Role.BODY]
        self._label_w = max([fonts.measure(size)(label) + size * 0.6 for label in labels], default=0)

    def pair(self, label: str, value: str, *, role: Role = Role.BODY) -> None:
        size = self.scale.sizes[role]
        face = fonts.font(size)
        label_w = max(self._label_w, fonts.measure(size)(label) + size * 0.6, self.scale.label_chars * size)
        if label_w > self.inner * 0.45:  # a long (bilingual) label: the label above, the value below it
            self.text(label, Role.SMALL)
            self.text(value, role, indent=1)
            return
        left = self.scale.margin + label_w
        avail = self.width - self.scale.margin - left
        line_h = self._line_height(size)
        for i, line in enumerate(wrap(value, avail, fonts.measure(size))):
            self._add(line_h, _pair_op(label if i == 0 else "", line, face, self.scale.margin, int(left),
                                       size, line_h))

    def rule(self, *, dashed: bool = False) -> None:
        margin = self.scale.margin
        width = self.width

        def op(draw: ImageDraw.ImageDraw, _img: Image.Image, y: int) -> None:
            mid = y + 8
            if dashed:
                for x in range(margin, width - margin, 12):
                    draw.line((x, mid, min(x + 6, width - margin), mid), fill=0, width=2)
            else:
                draw.line((margin, mid, width - margin, mid), fill=0, width=2)

        self._add(18, op)

    def gap(self, lines: float = 0.5) -> None:
        self.height += round(self.scale.sizes[Role.BODY] * lines)

    def qr(self, payload: str, caption: str = "") -> None:
        from hallterm.printing.qr import qr_image  # lazy: qrcode costs ~30 ms; slips without a code never need it

        code = qr_image(payload, self.scale.qr_module)
        x = (self.width - code.width) // 2

        def op(_draw: ImageDraw.ImageDraw, img: Image.Image, y: int) -> None:
            img.paste(code, (x, y))

        self._add(code.height, op)
        if caption:
            self.text(caption, Role.SMALL, align=Align.CENTER)

    def image(self) -> Image.Image:
        """The page, black on white, 1 bit per dot."""
        height = self.height + self.scale.margin
        img = Image.new("L", (self.width, height), 255)
        draw = ImageDraw.Draw(img)
        for y, op in self._ops:
            op(draw, img, y)
        return img.convert("1", dither=Image.Dither.NONE)


def _text_op(line: str, face: ImageFont.FreeTypeFont, left: int, avail: int, align: Align, stroke: int, size: int,
             line_h: int) -> _Op:
    def op(draw: ImageDraw.ImageDraw, img: Image.Image, y: int) -> None:
        x: float = left
        if align is not Align.LEFT:
            room = max(0, avail - _length(size, line))
            x = left + (room / 2 if align is Align.CENTER else room)
        _draw_text(draw, img, (x, y + (line_h - size) // 2), line, size, stroke)

    return op


def _pair_op(label: str, value: str, face: ImageFont.FreeTypeFont, margin: int, left: int, size: int,
             line_h: int) -> _Op:
    def op(draw: ImageDraw.ImageDraw, img: Image.Image, y: int) -> None:
        top = y + (line_h - size) // 2
        if label:
            _draw_text(draw, img, (margin, top), label, size, 0)
        _draw_text(draw, img, (left, top), value, size, 0)

    return op


# --- cached glyph masks ----------------------------------------------------------------------------
# Most lines of a slip are the same on every slip (the hall's name, headings, labels, the rules under
# the QR code): rasterising them with FreeType was a third of a slip's render time. A line's mask
# depends only on its text, size, stroke and the fraction of its x position, so it is kept and drawn
# again exactly as ``ImageDraw.text`` draws it (same mask, same offset, same compositing): the slip is
# byte-identical to one drawn without the cache (tests/test_slip_render_cache.py).

SLIP_MAX_WIDTH = 640  # Scale.for_width: up to 80 mm paper
_MEASURE_DRAW = ImageDraw.Draw(Image.new("L", (1, 1), 255))


@lru_cache(maxsize=4096)
def _length(size: int, line: str) -> float:
    """``ImageDraw.textlength`` of ``line`` at ``size`` on an ``L`` page (cached)."""
    return _MEASURE_DRAW.textlength(line, font=fonts.font(size))


@lru_cache(maxsize=1024)
def _mask(size: int, line: str, stroke: int, start_x: float) -> tuple[Any, tuple[int, int]]:
    # What ImageDraw.text asks FreeType for a one-line text in an ``L`` image, anchor "la", ink 0
    # (black); a stroke drawn in the fill's own colour is drawn once, filled.
    return fonts.font(size).getmask2(line, "L", None, None, None, stroke, "la", 0, (start_x, 0.0),
                                     stroke_filled=True)


def _draw_text(draw: ImageDraw.ImageDraw, img: Image.Image, xy: tuple[float, int], line: str, size: int,
               stroke: int) -> None:
    """``draw.text(xy, line, font=fonts.font(size), fill=0, stroke_width=stroke, stroke_fill=0)``, cached
    on thermal slips (a page's lines are larger and rarely repeat: kept, they would only hold memory)."""
    if "\n" in line or img.mode != "L" or img.width > SLIP_MAX_WIDTH or not _CACHE_ON:
        draw.text(xy, line, font=fonts.font(size), fill=0, stroke_width=stroke, stroke_fill=0)
        return
    start_x, whole_x = math.modf(xy[0])
    mask, offset = _mask(size, line, stroke, start_x)
    draw.draw.draw_bitmap((int(whole_x) + offset[0], xy[1] + offset[1]), mask, 0)


_CACHE_ON = True  # the byte-identity test turns it off to draw the reference slips


# --- plain text (the desk's preview) ---------------------------------------------------------------


class TextSheet:
    """The same content as lines of text ``width`` terminal cells wide."""

    def __init__(self, width: int = 44) -> None:
        self.width = width
        self.lines: list[str] = []
        self._label_w = 10

    def text(self, text: str, role: Role = Role.BODY, *, align: Align = Align.LEFT, bold: bool = False,
             indent: int = 0, bullet: str = "") -> None:
        if role is Role.BIG:
            text = " ".join(text)  # spaced out: the big number
        hang = display_width(bullet) + 1 if bullet else 0
        avail = self.width - 2 * indent - hang
        for i, line in enumerate(wrap(text, avail, display_width)):
            if align is Align.CENTER:
                line = " " * max(0, (self.width - display_width(line)) // 2) + line
            elif align is Align.RIGHT:
                line = " " * max(0, self.width - display_width(line)) + line
            else:
                head = (bullet + " ") if bullet and i == 0 else " " * hang
                line = "  " * indent + head + line
            self.lines.append(line.rstrip())

    def label_column(self, labels: list[str]) -> None:
        self._label_w = max([display_width(label) + 2 for label in labels], default=10)

    def pair(self, label: str, value: str, *, role: Role = Role.BODY) -> None:
        label_w = max(display_width(label) + 2, self._label_w, 10)
        if label_w > self.width * 0.45:
            self.text(label, Role.SMALL)
            self.text(value, role, indent=1)
            return
        for i, line in enumerate(wrap(value, self.width - label_w, display_width)):
            head = label if i == 0 else ""
            self.lines.append(head + " " * (label_w - display_width(head)) + line)

    def rule(self, *, dashed: bool = False) -> None:
        self.lines.append(("- " * (self.width // 2)).rstrip() if dashed else "─" * self.width)

    def gap(self, lines: float = 0.5) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def qr(self, payload: str, caption: str = "") -> None:
        self.text("[二维码]", Role.SMALL, align=Align.CENTER)
        self.text(payload, Role.SMALL, align=Align.CENTER)
        if caption:
            self.text(caption, Role.SMALL, align=Align.CENTER)

    def render(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"
