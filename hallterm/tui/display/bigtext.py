"""Large ticket numbers for the hall display: a 5×5 block font for 0–9 and A–Z, drawn with half blocks.

Textual's ``Digits`` draws only 0–9, A–F and a few signs (research/textual.md, pitfall 18), so a
series letter such as K or T would not show; this font has every letter a series may use. A font
pixel is ``h`` cells wide and ``h`` half-cells tall (a terminal cell is about twice as tall as
wide), so the glyphs stay square at every size; ``h`` is chosen to fill the space given.
"""

from __future__ import annotations

_FONT_ROWS = {
    "A": (" ### ", "#   #", "#####", "#   #", "#   #"),
    "B": ("#### ", "#   #", "#### ", "#   #", "#### "),
    "C": (" ####", "#    ", "#    ", "#    ", " ####"),
    "D": ("#### ", "#   #", "#   #", "#   #", "#### "),
    "E": ("#####", "#    ", "#### ", "#    ", "#####"),
    "F": ("#####", "#    ", "#### ", "#    ", "#    "),
    "G": (" ####", "#    ", "#  ##", "#   #", " ####"),
    "H": ("#   #", "#   #", "#####", "#   #", "#   #"),
    "I": ("#####", "  #  ", "  #  ", "  #  ", "#####"),
    "J": ("#####", "   # ", "   # ", "#  # ", " ##  "),
    "K": ("#   #", "#  # ", "###  ", "#  # ", "#   #"),
    "L": ("#    ", "#    ", "#    ", "#    ", "#####"),
    "M": ("#   #", "## ##", "# # #", "#   #", "#   #"),
    "N": ("#   #", "##  #", "# # #", "#  ##", "#   #"),
    "O": (" ### ", "#   #", "#   #", "#   #", " ### "),
    "P": ("#### ", "#   #", "#### ", "#    ", "#    "),
    "Q": (" ### ", "#   #", "# # #", "#  # ", " ## #"),
    "R": ("#### ", "#   #", "#### ", "#  # ", "#   #"),
    "S": (" ####", "#    ", " ### ", "    #", "#### "),
    "T": ("#####", "  #  ", "  #  ", "  #  ", "  #  "),
    "U": ("#   #", "#   #", "#   #", "#   #", " ### "),
    "V": ("#   #", "#   #", "#   #", " # # ", "  #  "),
    "W": ("#   #", "#   #", "# # #", "## ##", "#   #"),
    "X": ("#   #", " # # ", "  #  ", " # # ", "#   #"),
    "Y": ("#   #", " # # ", "  #  ", "  #  ", "  #  "),
    "Z": ("#####", "   # ", "  #  ", " #   ", "#####"),
    "0": (" ### ", "#  ##", "# # #", "##  #", " ### "),  # slashed: never mistaken for O
    "1": ("  #  ", " ##  ", "  #  ", "  #  ", " ### "),
    "2": (" ### ", "#   #", "  ## ", " #   ", "#####"),
    "3": ("#### ", "    #", " ### ", "    #", "#### "),
    "4": ("#   #", "#   #", "#####", "    #", "    #"),
    "5": ("#####", "#    ", "#### ", "    #", "#### "),
    "6": (" ### ", "#    ", "#### ", "#   #", " ### "),
    "7": ("#####", "    #", "   # ", "  #  ", "  #  "),
    "8": (" ### ", "#   #", " ### ", "#   #", " ### "),
    "9": (" ### ", "#   #", " ####", "    #", " ### "),
    " ": ("     ",) * 5,
}
GLYPH = 5  # pixels across and down
BLANK = _FONT_ROWS[" "]


def glyph(ch: str) -> tuple[str, ...]:
    return _FONT_ROWS.get(ch.upper(), BLANK)


def size_for(text: str, h: int) -> tuple[int, int]:
    """Cells (width, height) that ``text`` takes with font pixels of size ``h``."""
    n = len(text)
    return (n * GLYPH * h + max(0, n - 1) * h, -(-GLYPH * h // 2))


def fit(text: str, width: int, height: int, largest: int = 12) -> int:
    """The largest pixel size that fits, or 0 when even the smallest does not (show plain text then)."""
    best = 0
    for h in range(1, largest + 1):
        w, t = size_for(text, h)
        if w <= width and t <= height:
            best = h
    return best


def render(text: str, h: int) -> list[str]:
    """The lines of ``text`` drawn with half blocks at pixel size ``h`` (h ≥ 1)."""
    if h < 1:
        return [text]
    glyphs = [glyph(ch) for ch in text]
    pixel_rows = GLYPH * h  # in half-cells

    def on(row: int, col: int) -> bool:
        if row >= pixel_rows:
            return False
        span = GLYPH * h + h  # a glyph and the gap after it
        g, x = divmod(col, span)
        if g >= len(glyphs) or x >= GLYPH * h:
            return False
        return glyphs[g][row // h][x // h] == "#"

    width = size_for(text, h)[0]
    lines = []
    for r in range(size_for(text, h)[1]):
        cells = []
        for c in range(width):
            top, bottom = on(2 * r, c), on(2 * r + 1, c)
            cells.append("█" if top and bottom else "▀" if top else "▄" if bottom else " ")
        lines.append("".join(cells).rstrip())
    return lines
