"""The one font slips and notices are drawn with, shipped in ``assets/fonts`` (never the machine's fonts).

Pillow draws nothing, with no error, for a character a font lacks (research/printing.md §3); the
shipped subset keeps a box outline for .notdef so a gap is at least visible, and
``missing_glyphs`` lets the caller warn before such a slip is printed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from hallterm.config_locations import SHIPPED_ASSETS
from hallterm.domain.errors import Refused

# The program's own font, even where the hall keeps its own copy of the reference data.
FONT_FILE = SHIPPED_ASSETS / "fonts" / "NotoSansCJKsc-Regular-subset.otf"
# Characters that are never drawn, so never "missing".
_INVISIBLE = {"\n", "\r", "\t", " ", "\u3000", "\u200b"}


class FontMissing(Refused, RuntimeError):
    """The shipped font file is gone; ``str()`` is the Chinese message."""


def font_path() -> Path:
    if not FONT_FILE.is_file():
        raise FontMissing(f"找不到打印字体 {FONT_FILE}：请重新安装 hallterm（字体随程序提供，不使用本机字体）")
    return FONT_FILE


@lru_cache(maxsize=32)
def font(size: int) -> ImageFont.FreeTypeFont:
    """The font at ``size`` pixels (cached: loading takes a few milliseconds)."""
    # The basic layout engine: no shaping is needed for Chinese and Latin text, and it is the faster one.
    return ImageFont.truetype(str(font_path()), size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=32)
def measure(size: int) -> Callable[[str], float]:
    """A fast text width in pixels at ``size``: the sum of cached per-character advances.

    Line breaking measures many prefixes of each line; asking FreeType each time was most of a
    slip's render time. The basic layout engine applies no shaping, so the sum equals the length
    Pillow draws, to within kerning of Latin pairs (none between CJK characters).
    """
    face = font(size)
    advance = lru_cache(maxsize=4096)(face.getlength)

    def width(text: str) -> float:
        return sum(advance(ch) for ch in text)

    return width


@lru_cache(maxsize=1)
def _codepoints() -> frozenset[int]:
    from fontTools.ttLib import TTFont  # lazy: ~50 ms to import; only the missing-glyph check reads the cmap

    with TTFont(str(font_path()), lazy=True) as face:
        return frozenset(face.getBestCmap())


def missing_glyphs(text: str) -> list[str]:
    """The characters of ``text`` the font has no glyph for, each once, in order."""
    seen: list[str] = []
    covered = _codepoints()
    for ch in text:
        if ch not in _INVISIBLE and ord(ch) not in covered and ch not in seen:
            seen.append(ch)
    return seen
