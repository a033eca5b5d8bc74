"""The wheel a hall's IT person installs on each front-desk PC works outside the checkout (issue 10, point 5).

The wheel is built from a copy of the files the build needs, installed with pip into a fresh
virtual environment in a temporary folder, and run from another folder with an empty home. To keep
the test quick and off the network, the new environment finds the third-party dependencies in this
environment's site-packages through a ``.pth`` line; that line adds the folder only, so the
editable install of hallterm there (its own ``.pth`` finder) does not leak in, and the test checks
that ``hallterm`` is the wheel's copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_INPUTS = ("pyproject.toml", "README.md", "hallterm", "assets", "db/migrations")


def run(args: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in BUILD_INPUTS:  # a copy: no stale build/ folder of the checkout ends up in the wheel
        source, target = ROOT / name, src / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3*", "*.key"))
        else:
            shutil.copy2(source, target)
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "-q", "-w", dist, src], cwd=src)
    (found,) = dist.glob("hallterm-*.whl")
    return found


def test_the_wheel_carries_every_package_the_assets_and_the_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {str(p.parent.relative_to(ROOT)) for p in (ROOT / "hallterm").rglob("__init__.py")}
    assert {f"{p}/__init__.py" for p in packages} <= names  # pyproject.toml lists packages by hand
    migrations = {f"hallterm/_migrations/versions/{p.name}" for p in (ROOT / "db/migrations/versions").glob("*.py")}
    assert migrations and migrations <= names
    assert {"hallterm/_migrations/env.py", "hallterm/_migrations/script.py.mako", "hallterm/_assets/hall.toml",
            "hallterm/_assets/items.toml", "hallterm/_assets/staff.toml", "hallterm/_assets/hours.toml",
            "hallterm/_assets/demo_names.toml",
            "hallterm/_assets/calendar/local.toml", "hallterm/_assets/fonts/NotoSansCJKsc-Regular-subset.otf",
            "hallterm/tui/styles/desk_screen.tcss", "hallterm/tui/display/templates/app_index.html"} <= names


def test_an_installed_wheel_runs_the_demo_and_prints_from_any_folder(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
         "--disable-pip-version-check", "-q", wheel], cwd=tmp_path)
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                    cwd=tmp_path).stdout.strip())
    (site / "_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")

    desk_pc = tmp_path / "front-desk"  # the working folder: nothing of the checkout around it
    home, data = desk_pc / "home", desk_pc / "data"
    home.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HALLTERM_", "PYTHON", "VIRTUAL_ENV", "XDG_"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(data))

    where = run([python, "-c", "import hallterm, hallterm.config_locations as c, hallterm.storage.migrate as m; "
                 "print(hallterm.__file__, c.LOCATIONS.checkout, c.DEFAULT_ASSETS, m.migrations_dir(), sep='\\n')"],
                cwd=desk_pc, env=env).stdout.splitlines()
    assert Path(where[0]).is_relative_to(venv)  # the wheel's own files, not the checkout's
    assert where[1] == "None"
    assert Path(where[2]).is_relative_to(venv) and Path(where[3]).is_relative_to(venv)

    hallterm = venv / "bin" / "hallterm"
    db = desk_pc / "x.sqlite3"
    demo = run([hallterm, "--db", f"sqlite:///{db}", "demo", "--no-ui", "--days", "1"], cwd=desk_pc, env=env)
    assert "演示数据库已生成" in demo.stdout and db.is_file()

    out = desk_pc / "slips"
    printed = run([hallterm, "print", "test", "--to", out], cwd=desk_pc, env=env)
    assert "失败" not in printed.stdout
    assert list(out.rglob("*.png")) and list(out.rglob("*.pdf"))
    # The hall's own files go to the user data folder (platformdirs honours XDG_DATA_HOME on Linux).
    assert (data / "hallterm" / "signing.key").is_file()
    shown = run([hallterm, "config"], cwd=desk_pc, env=env).stdout
    assert str(data / "hallterm" / "hallterm.sqlite3") in shown


def test_run_from_the_checkout_the_repositorys_own_folders_are_used() -> None:
    """The quick start's editable install maps the two packages onto assets/ and db/migrations/."""
    from importlib.resources import files

    from hallterm.config_locations import LOCATIONS
    from hallterm.storage.migrate import migrations_dir

    if LOCATIONS.checkout is None:
        pytest.skip("hallterm is not installed from this checkout")
    assert LOCATIONS.checkout == ROOT
    assert Path(str(files("hallterm._assets"))) == LOCATIONS.shipped_assets == ROOT / "assets"
    assert migrations_dir() == ROOT / "db" / "migrations"
    assert LOCATIONS.db_file == ROOT / "db" / "hallterm.sqlite3" and LOCATIONS.spool_dir == ROOT / "spool"
