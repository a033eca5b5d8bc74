"""Hypothesis profiles for the fuzz tests.

``ci`` (the default) is derandomized and small so the 10-minute suite stays deterministic and fast;
``HYPOTHESIS_PROFILE=long`` runs many more examples for a deeper search.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=50,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", deadline=None, max_examples=2000,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The Pilot fuzz tests (scan field, case form) drive the desk as tests/tui does, with its fixtures.
from tests.tui.conftest import _quick_frames, _steady_cursor, desk_app  # noqa: E402, F401
