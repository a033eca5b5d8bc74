"""No module of hallterm/ over 500 lines (issue 10 point 6): a longer one holds more than one concern."""

from __future__ import annotations

from pathlib import Path

import hallterm

PACKAGE_DIR = Path(hallterm.__file__).resolve().parent
MAX_LINES = 500


def test_no_module_is_over_500_lines() -> None:
    sizes = {str(p.relative_to(PACKAGE_DIR)): len(p.read_text(encoding="utf-8").splitlines())
             for p in PACKAGE_DIR.rglob("*.py")}
    too_long = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert not too_long, f"over {MAX_LINES} lines (split by concern): {too_long}"
