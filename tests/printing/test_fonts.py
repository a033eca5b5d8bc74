"""The shipped CJK font: licensed, used for everything, and never drawing a blank (issue 6, point 2)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from hallterm.config_locations import DEFAULT_ASSETS
from hallterm.printing import fonts
from hallterm.printing.layout import ImageSheet, Role

# Characters of real names that subset or GB2312 fonts lack (research/printing.md §3): 喆 玥 堃 are
# not in GB2312 at all, 圳 is missing from a 3,500-character subset.
RARE = "喆玥昊鑫睿堃圳"
NAMES = ("王喆", "李玥", "赵昊", "孙鑫", "周睿", "吴堃", "郑圳")


def _ink(ch: str, size: int = 48) -> tuple[int, bytes]:
    face = fonts.font(size)
    img = Image.new("L", (size * 2, size * 2), 255)
    ImageDraw.Draw(img).text((size // 2, size // 4), ch, font=face, fill=0)
    dark = sum(img.histogram()[:128])
    return dark, img.tobytes()


def test_the_font_ships_with_its_licence() -> None:
    folder = DEFAULT_ASSETS / "fonts"
    assert fonts.FONT_FILE.is_file() and fonts.FONT_FILE.parent == folder
    licence = (folder / "LICENSE-OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence
    assert fonts.FONT_FILE.stat().st_size < 12 * 2**20  # one Regular file; the repository stays small


def test_slips_are_drawn_with_the_shipped_font_and_not_the_machines() -> None:
    assert fonts.font(20).path == str(fonts.FONT_FILE)
    assert fonts.font(20).getname() == ("Noto Sans CJK SC", "Regular")


@pytest.mark.parametrize("ch", list(RARE))
def test_every_rare_name_character_is_drawn(ch: str) -> None:
    """Drawn: ink on the page, and not the box the font draws for a character it lacks."""
    dark, pixels = _ink(ch)
    notdef_dark, notdef_pixels = _ink("\U0010fffd")  # a private-use code point no font has
    assert dark > 60, f"{ch} drew (almost) nothing"
    assert pixels != notdef_pixels, f"{ch} is drawn as the missing-glyph box"
    assert notdef_dark > 0  # the box itself is visible: a gap is never silent


def test_names_with_rare_characters_render_every_glyph_on_a_slip() -> None:
    """Each name drawn on a slip-width sheet: every character leaves its own ink."""
    for name in NAMES:
        sheet = ImageSheet(576)
        sheet.text(name, Role.LARGE)
        img = sheet.image().convert("L")
        bbox = img.point(lambda v: 255 - v).getbbox()
        assert bbox is not None
        size = sheet.scale.sizes[Role.LARGE]
        left = sheet.scale.margin
        for i, ch in enumerate(name):  # one full-width cell per character
            cell = img.crop((left + i * size, bbox[1], left + (i + 1) * size, bbox[3]))
            assert sum(cell.histogram()[:128]) > 30, f"{ch} of {name} is blank"


def test_missing_glyphs_are_found_before_printing() -> None:
    assert fonts.missing_glyphs("王喆 李玥 昊鑫睿堃圳 䶮 ABC，。〔〕（）") == []
    assert fonts.missing_glyphs("金한수 \U0010fffd 한") == ["한", "수", "\U0010fffd"]
