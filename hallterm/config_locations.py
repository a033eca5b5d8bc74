"""Where the program's own files are, and where the hall's files go when no setting says: the
repository's folders when run from a checkout, the user data folder (platformdirs) when installed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

APP_NAME = "hallterm"


@dataclass(frozen=True)
class Locations:
    """Where the program's own files are and where the hall's files go when no setting says.

    Run from the repository (the quick start, the tests) everything stays beside the code as
    before: ``db/`` for the database and signing key, ``spool/``, ``assets/``. Installed from the
    wheel, the shipped defaults are package data and the hall's files live in the user data
    folder (platformdirs; ``~/.local/share/hallterm`` on Linux), where an ``assets`` folder, when
    present, replaces the shipped reference data.
    """

    checkout: Path | None  # the repository's root when hallterm runs from one
    shipped_assets: Path  # the reference data shipped with the program (package data)
    data_dir: Path  # the hall's own files
    assets: Path  # the reference data in force unless [paths] assets says otherwise
    spool_dir: Path

    @property
    def db_file(self) -> Path:
        return self.data_dir / "hallterm.sqlite3"

    @property
    def demo_db_file(self) -> Path:
        return self.data_dir / "demo.sqlite3"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "signing.key"  # created 0600 on first use


def locate(package_dir: Path, shipped_assets: Path, user_data_dir: Callable[[], Path]) -> Locations:
    root = package_dir.parent
    if (root / "pyproject.toml").is_file() and (root / "db" / "migrations").is_dir():
        return Locations(root, shipped_assets, root / "db", shipped_assets, root / "spool")  # db/, spool/ git-ignored
    data = user_data_dir()
    override = data / "assets"
    return Locations(None, shipped_assets, data, override if override.is_dir() else shipped_assets, data / "spool")


def _user_data_dir() -> Path:
    import platformdirs  # lazy: only an installed program needs it (Textual loads it anyway)

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def _package_path(package: str) -> Path:
    """A package-data folder: a plain folder in the wheel, the repository's own one in an editable install.

    What ``importlib.resources.files`` answers for a package on disk, without its import time
    (~10 ms, more than the rest of this module: the desk's start-up budget).
    """
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{package} is missing: reinstall hallterm")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


LOCATIONS = locate(Path(__file__).resolve().parent, _package_path("hallterm._assets"), _user_data_dir)
PROJECT_ROOT = LOCATIONS.checkout or LOCATIONS.data_dir  # tests run from the checkout
SHIPPED_ASSETS = LOCATIONS.shipped_assets
DEFAULT_ASSETS = LOCATIONS.assets
DEFAULT_DB_DIR = LOCATIONS.data_dir
DEFAULT_DB_FILE = LOCATIONS.db_file
DEMO_DB_FILE = LOCATIONS.demo_db_file
DEFAULT_SPOOL_DIR = LOCATIONS.spool_dir
DEFAULT_KEY_FILE = LOCATIONS.key_file
