"""Layers go one way only (DESIGN.md): tui -> services -> storage/domain.

The rules are import-linter contracts in pyproject.toml, checked here with ``lint-imports``. The
contracts read import statements; the first test also loads every module of the lower layers in a
fresh interpreter and looks at sys.modules, so a framework loaded through a third-party library
is caught too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import hallterm

PACKAGE_DIR = Path(hallterm.__file__).resolve().parent

PROBE = """
import importlib, json, pkgutil, sys
loaded = []
for package in sys.argv[1:]:
    pkg = importlib.import_module(package)
    loaded.append(package)
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        importlib.import_module(info.name)
        loaded.append(info.name)
top = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"imported": loaded, "top_level": top}))
"""


def load_in_fresh_interpreter(*packages: str) -> tuple[list[str], set[str]]:
    result = subprocess.run([sys.executable, "-c", PROBE, *packages], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return data["imported"], set(data["top_level"])


@pytest.mark.parametrize("forbidden, packages", [
    ({"textual"}, ("hallterm.domain", "hallterm.storage", "hallterm.services")),
    ({"textual", "sqlalchemy", "alembic"}, ("hallterm.domain",)),
], ids=["domain-storage-services-without-textual", "domain-without-sqlalchemy-or-textual"])
def test_lower_layers_do_not_load(forbidden: set[str], packages: tuple[str, ...]) -> None:
    imported, top_level = load_in_fresh_interpreter(*packages)
    for package in packages:  # the probe really walked every module file of the package
        files = {p.stem for p in (PACKAGE_DIR / package.split(".")[1]).glob("*.py") if p.stem != "__init__"}
        assert {f"{package}.{name}" for name in files} <= set(imported)
    assert not forbidden & top_level, f"{', '.join(packages)} loaded {sorted(forbidden & top_level)}"


CONTRACTS = (
    "domain imports nothing else of hallterm",
    "domain imports no framework, database or terminal library",
    "domain, storage and services do not import textual",
    "storage, printing and scanning do not import services or tui",
    "services do not import tui",
    "no import cycles between modules",
)


def test_import_contracts_are_kept() -> None:
    """``lint-imports`` with pyproject.toml's contracts: every import statement, inside functions too."""
    root = Path(__file__).resolve().parents[1]
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint if lint.exists() else "lint-imports"), "--config", str(root / "pyproject.toml"),
                             "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in CONTRACTS:  # none of them was dropped from pyproject.toml
        assert f"{name} KEPT" in result.stdout, f"contract {name!r} did not run:\n{result.stdout}"


HEAVY = {"sqlalchemy", "alembic", "psycopg", "PIL", "qrcode", "fpdf", "escpos", "fontTools", "pyzbar"}


def test_the_desk_and_the_display_start_without_the_heavy_libraries() -> None:
    """The start-up budget (DESIGN.md): the screens first drawn load none of these on the event loop."""
    modules = ["hallterm.cli", "hallterm.tui.desk.app", "hallterm.tui.desk.sign_in", "hallterm.tui.desk.desk_screen",
               "hallterm.tui.desk.coordinator", "hallterm.tui.display.app"]
    probe = (f"import json, sys; import {', '.join(modules)}; "
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert HEAVY & set(json.loads(result.stdout)) == set()
