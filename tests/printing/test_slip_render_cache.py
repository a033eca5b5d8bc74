"""The cached slip rendering (issue 17 point 7) draws exactly what the uncached one draws.

Glyph masks are kept between slips (``hallterm.printing.layout``): a slip drawn with the cache must
be byte-identical to the same slip drawn by ``ImageDraw.text`` every time, on both paper widths, in
Chinese and bilingual, and on a second pass where the masks come from the cache.
"""

from __future__ import annotations

import random

import pytest

from hallterm.domain.payloads import Keyring
from hallterm.printing import layout
from hallterm.printing.samples import random_slip, sample_slips
from hallterm.printing.slip_layouts import Slip, render
from tests.printing.conftest import NOW_LOCAL

RING = Keyring("K1", {"K1": b"render-cache-secret-0123-0123456"}, region="210300")


def _slips() -> list[Slip]:
    rng = random.Random(1717)
    slips = [random_slip(rng, RING, NOW_LOCAL.date()) for _ in range(12)]
    return slips + sample_slips(RING, NOW_LOCAL) + sample_slips(RING, NOW_LOCAL, bilingual=True)


def _uncached(slip: Slip, width: int, monkeypatch: pytest.MonkeyPatch) -> bytes:
    with monkeypatch.context() as patch:
        patch.setattr(layout, "_CACHE_ON", False)
        return render(slip, width).tobytes()


@pytest.mark.parametrize("width", [384, 576])
def test_cached_rendering_is_byte_identical_to_uncached(width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    slips = _slips()
    assert {s.kind for s in slips} == {"ticket", "appointment", "visit", "handout"}
    layout._mask.cache_clear()
    for slip in slips:
        reference = _uncached(slip, width, monkeypatch)
        first = render(slip, width)  # fills the cache
        second = render(slip, width)  # drawn from the cache
        assert first.mode == "1" and first.size == (width, first.size[1])
        assert first.tobytes() == reference, (slip.kind, slip.payload)
        assert second.tobytes() == reference, (slip.kind, slip.payload)
    # The lines every slip shares (hall name, headings, labels) really came from the cache.
    assert layout._mask.cache_info().hits > len(slips) * 5


def test_uncached_path_draws_text_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference is not trivially equal: a slip without its text differs from the drawn one."""
    slip = _slips()[0]
    reference = _uncached(slip, 576, monkeypatch)
    with monkeypatch.context() as patch:
        patch.setattr(layout, "_draw_text", lambda *args: None)
        blank = render(slip, 576).tobytes()
    assert blank != reference
