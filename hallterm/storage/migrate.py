"""Alembic migrations run from the program: ``hallterm db upgrade`` and on first use.

The scripts are the package ``hallterm._migrations`` (``db/migrations`` in the repository, package
data in the wheel), found through the import system: no assumption about where this file sits.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from hallterm.storage.engine import Database

MIGRATIONS_PACKAGE = "hallterm._migrations"


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["database"] = db
    return cfg


def head_revision() -> str:
    script = ScriptDirectory(str(migrations_dir()))
    head = script.get_current_head()
    assert head is not None
    return head


def is_known_revision(revision: str) -> bool:
    """A revision among this program's migrations (a backup from a newer hallterm is not)."""
    try:
        return ScriptDirectory(str(migrations_dir())).get_revision(revision) is not None
    except CommandError:
        return False


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> None:
    command.upgrade(alembic_config(db), revision)


def ensure_current(db: Database) -> bool:
    """Create or migrate the schema when it is behind; return True when something was done."""
    if current_revision(db) == head_revision():
        return False
    upgrade(db)
    return True


@cache
def migrations_dir() -> Path:
    return Path(str(files(MIGRATIONS_PACKAGE)))
