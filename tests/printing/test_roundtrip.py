"""1,000 random slips: render → pyzbar → the same payload, signature valid (issue 6, point 8).

Split in chunks so that ``pytest -n 2`` shares them between the workers. No timing asserts: the
figures are in ``hallterm bench`` (``slip_render_p95_ms``, ``slip_decode_ok_ratio``).
"""

from __future__ import annotations

import random

import pytest

from hallterm.domain.payloads import Keyring, check_day, verify
from hallterm.printing.samples import random_slip
from hallterm.printing.slip_layouts import render
from hallterm.scanning import decode_image
from tests.printing.conftest import NOW_LOCAL

SLIPS = 1000
CHUNKS = 4


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_slips_decode_back_to_their_signed_payload(chunk: int) -> None:
    ring = Keyring("K1", {"K1": b"round-trip-secret-0123-012345678"}, region="210300")
    rng = random.Random(6000 + chunk)
    today = NOW_LOCAL.date()
    failures = []
    for n in range(SLIPS // CHUNKS):
        slip = random_slip(rng, ring, today)
        width = 384 if n % 2 else 576
        found = decode_image(render(slip, width))
        texts = [f.text for f in found]
        if texts != [slip.payload]:
            failures.append((slip.kind, width, slip.payload, texts))
            continue
        payload = verify(texts[0], ring)  # raises if the signature does not hold
        assert payload.text == slip.payload
        if slip.kind != "appointment":
            check_day(payload, today)
    assert failures == []
