"""Rebuild NotoSansCJKsc-Regular-subset.otf from Debian's fonts-noto-cjk (how the shipped file was made).

    apt-get download fonts-noto-cjk            # 1:20220127+repack1-1 (Debian 12), SIL OFL 1.1
    dpkg-deb -x fonts-noto-cjk_*.deb x
    python assets/fonts/make_subset.py x/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
        assets/fonts/NotoSansCJKsc-Regular-subset.otf        # needs fonttools; takes a few minutes

Face 2 of the collection is Simplified Chinese (0 JP, 1 KR, 3 TC, 4 HK): its glyph forms are the
mainland ones. The subset keeps every code point that face maps except Hangul, i.e. all of its
CJK Unified Ideographs (the basic block, Extension A, and the Extension B–G characters it has,
including those of 通用规范汉字表 that names use), kana, Latin, punctuation and symbols; only the
layout features a horizontal slip needs are kept, so the other regions' glyph variants (locl) go.
The .notdef glyph keeps its box outline: a character the font lacks prints as a visible box,
never as a blank. Names and copyright notices are kept as they are (the OFL's Reserved Font Name
is "Source", which this font does not use).
"""

import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xD7B0, 0xD7FF))


def main(ttc: str, out: str) -> None:
    face = TTCollection(ttc, lazy=True).fonts[2]
    assert face["name"].getDebugName(4) == "Noto Sans CJK SC", "face 2 should be Simplified Chinese"
    codepoints = [c for c in face.getBestCmap() if not any(lo <= c <= hi for lo, hi in HANGUL)]
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = True
    options.drop_tables = []
    options.layout_features = ["ccmp", "kern", "liga", "palt", "halt", "vert", "vrt2", "fwid", "hwid", "pwid"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(face)
    face.save(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
