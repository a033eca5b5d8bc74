"""Layers go one way only (DESIGN.md): tui -> services -> storage/domain.

domain/, storage/ and services/ never load Textual, and domain/ loads neither SQLAlchemy nor
Textual. Each check imports every module of those packages in a fresh interpreter and looks at
sys.modules, so an indirect import (through a helper module) is caught as well as a direct one.
"""

from __future__ import annotations

import ast
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


def test_domain_source_names_no_framework() -> None:
    """A statement-level check too: even an import inside a function would break the rule."""
    offenders = []
    for path in sorted((PACKAGE_DIR / "domain").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}:{node.lineno} {n}" for n in names
                          if n.split(".")[0] in {"textual", "sqlalchemy", "alembic"}]
    assert offenders == []
