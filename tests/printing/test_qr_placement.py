"""The slips' QR codes place their data with cached positions and mask flips (issue 17 point 7): every
code must be the library's own, module for module, with the library's mask choice (a fixed mask was
rejected on purpose)."""

from __future__ import annotations

import random
import string

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from hallterm.printing import qr
from hallterm.printing.samples import random_slip
from tests.printing.conftest import NOW_LOCAL
from tests.printing.test_slip_render_cache import RING

ALPHABET = string.ascii_letters + string.digits + ":-_.~"


def _library(payload: str) -> qrcode.QRCode:  # type: ignore[type-arg]
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=qr.QUIET_ZONE)
    code.add_data(payload)
    code.make(fit=True)
    return code


def _ours(payload: str) -> qr._QRCode:
    code = qr._QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=qr.QUIET_ZONE)
    code.add_data(payload)
    code.make(fit=True)
    return code


def test_codes_of_every_size_equal_the_librarys_module_for_module() -> None:
    rng = random.Random(17)
    versions, masks = set(), set()
    for length in [1, 7, 20, 40, *range(60, 400, 23)]:
        for _ in range(3):
            payload = "".join(rng.choice(ALPHABET) for _ in range(length))
            reference, ours = _library(payload), _ours(payload)
            assert ours.version == reference.version
            assert ours.get_matrix() == reference.get_matrix(), payload
            versions.add(reference.version)
            masks.add(reference.best_mask_pattern())
    assert len(versions) >= 10  # sizes with and without version information (7 and up)
    assert min(versions) <= 2 and max(versions) >= 10
    assert len(masks) >= 4  # the mask really varies with the data: chosen, not fixed


def test_the_slips_codes_equal_the_librarys_and_the_image_draws_them() -> None:
    rng = random.Random(1718)
    for _ in range(20):
        payload = random_slip(rng, RING, NOW_LOCAL.date()).payload
        matrix = _library(payload).get_matrix()
        assert _ours(payload).get_matrix() == matrix
        image = qr.qr_image(payload, 4)
        assert image.size == (len(matrix) * 4, len(matrix) * 4)
        assert [image.getpixel((c * 4 + 1, r * 4 + 2)) == 0 for r in range(len(matrix))
                for c in range(len(matrix))] == [dark for row in matrix for dark in row]
