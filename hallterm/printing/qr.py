"""QR codes for slips: the hall's signed ASCII payloads, error correction M, a 4-module quiet zone."""

from __future__ import annotations

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks (python-escpos's own QR uses 1)


def qr_image(payload: str, module: int) -> Image.Image:
    """The QR code of ``payload`` as an ``L`` image, ``module`` dots per module.

    Only ASCII is accepted: zbar guesses the encoding of other bytes (Shift-JIS, Big5) and garbles
    them, and a keyboard-wedge scanner cannot type them (research/printing.md §2, §5).
    """
    if not payload.isascii():
        raise ValueError("QR payloads printed by the hall are ASCII only")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=QUIET_ZONE)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    raw = bytes(0 if dark else 255 for row in matrix for dark in row)
    return Image.frombytes("L", (n, n), raw).resize((n * module, n * module), Image.Resampling.NEAREST)
