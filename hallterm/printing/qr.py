"""QR codes for slips: the hall's signed ASCII payloads, error correction M, a 4-module quiet zone."""

from __future__ import annotations

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks (python-escpos's own QR uses 1)
# One fixed mask instead of trying all eight and scoring each (ISO/IEC 18004's penalty rules): the
# search was ~80% of encoding a slip's code (15 ms of a 34 ms render under load; research/printing.md
# measured 5.8-9.0 ms against 1.7-3.3 ms), against a render budget of p95 <= 20 ms. The penalty only
# steers away from patterns that can trouble a poor capture; the hall's codes are short ASCII payloads
# printed at several dots a module, and 1,000 random slips (tests/printing/test_roundtrip.py) and every
# bench run (slip_decode_ok_ratio) decode back through pyzbar with it.
MASK_PATTERN = 0


def qr_image(payload: str, module: int) -> Image.Image:
    """The QR code of ``payload`` as an ``L`` image, ``module`` dots per module.

    Only ASCII is accepted: zbar guesses the encoding of other bytes (Shift-JIS, Big5) and garbles
    them, and a keyboard-wedge scanner cannot type them (research/printing.md §2, §5).
    """
    if not payload.isascii():
        raise ValueError("QR payloads printed by the hall are ASCII only")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=QUIET_ZONE,
                          mask_pattern=MASK_PATTERN)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    raw = bytes(0 if dark else 255 for row in matrix for dark in row)
    return Image.frombytes("L", (n, n), raw).resize((n * module, n * module), Image.Resampling.NEAREST)
