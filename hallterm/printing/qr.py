"""QR codes for slips: the hall's signed ASCII payloads, error correction M, a 4-module quiet zone."""

from __future__ import annotations

from typing import Any

import qrcode
from PIL import Image
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks (python-escpos's own QR uses 1)


def qr_image(payload: str, module: int) -> Image.Image:
    """The QR code of ``payload`` as an ``L`` image, ``module`` dots per module.

    Only ASCII is accepted: zbar guesses the encoding of other bytes (Shift-JIS, Big5) and garbles
    them, and a keyboard-wedge scanner cannot type them (research/printing.md §2, §5).
    """
    if not payload.isascii():
        raise ValueError("QR payloads printed by the hall are ASCII only")
    code = _QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=QUIET_ZONE)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    raw = bytes(0 if dark else 255 for row in matrix for dark in row)
    return Image.frombytes("L", (n, n), raw).resize((n * module, n * module), Image.Resampling.NEAREST)


class _QRCode(qrcode.QRCode):
    """The library's QR code with its data placed faster: what does not change between codes of one
    version (where each data bit goes, and which of them each mask flips) is worked out once.

    The library places the bits module by module, asking the mask function of each, for every one of
    the 8 masks it scores and again for the one it keeps: that was most of a slip's QR time. The
    mask is still the library's own choice (the lowest ISO penalty): a fixed mask was rejected on
    purpose. tests/printing/test_qr_placement.py checks the codes equal the library's, module for module.
    """

    _bits_of: tuple[Any, list[bool]] | None = None

    def map_data(self, data: list[int], mask_pattern: int) -> None:
        places = _PLACES.get(self.version) or _places(self.version, self.modules)
        flips = _FLIPS.get((self.version, mask_pattern)) or _flips(self.version, mask_pattern, places)
        if self._bits_of is None or self._bits_of[0] is not data:  # the same data for all 9 placements
            self._bits_of = (data, _bits(data, len(places)))
        modules = self.modules
        for (row, col), bit, flip in zip(places, self._bits_of[1], flips, strict=True):
            modules[row][col] = bit != flip


_PLACES: dict[int, list[tuple[int, int]]] = {}
_FLIPS: dict[tuple[int, int], list[bool]] = {}


def _places(version: int, modules: list[list[bool | None]]) -> list[tuple[int, int]]:
    """The data modules of a code of ``version``, in the order the library fills them (two columns at a
    time from the right, up then down, skipping the vertical timing pattern); ``modules`` holds only
    the function patterns yet (the data modules are None)."""
    count = len(modules)
    order: list[tuple[int, int]] = []
    upward = True
    for right in range(count - 1, 0, -2):
        col = right - 1 if right <= 6 else right
        rows = range(count - 1, -1, -1) if upward else range(count)
        order.extend((row, c) for row in rows for c in (col, col - 1) if modules[row][c] is None)
        upward = not upward
    _PLACES[version] = order
    return order


def _flips(version: int, mask_pattern: int, places: list[tuple[int, int]]) -> list[bool]:
    flip = util.mask_func(mask_pattern)
    flips = [bool(flip(row, col)) for row, col in places]
    _FLIPS[(version, mask_pattern)] = flips
    return flips


def _bits(data: list[int], count: int) -> list[bool]:
    """The first ``count`` bits of ``data``, most significant first, False past its end."""
    bits = [(byte >> shift) & 1 == 1 for byte in data for shift in range(7, -1, -1)][:count]
    return bits + [False] * (count - len(bits))
