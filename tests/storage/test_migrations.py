"""Alembic migrations against the schema in hallterm.storage.tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from hallterm.storage import migrate
from hallterm.storage.engine import Database
from hallterm.storage.tables import metadata

ALL_TABLES = set(metadata.tables)


def table_names(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def schema_diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, metadata))


def test_upgrade_from_empty_creates_every_table(empty_db_url: str) -> None:
    db = Database(empty_db_url)
    try:
        assert migrate.current_revision(db) is None
        migrate.upgrade(db)
        assert table_names(db) == ALL_TABLES | {"alembic_version"}
        assert migrate.current_revision(db) == migrate.head_revision()
    finally:
        db.dispose()


def test_migrations_match_the_tables_module(empty_db_url: str) -> None:
    """What autogenerate would write next is nothing: the migrations and tables.py agree."""
    db = Database(empty_db_url)
    try:
        migrate.upgrade(db)
        assert schema_diff(db) == []
    finally:
        db.dispose()


def test_downgrade_to_base_and_upgrade_again(empty_db_url: str) -> None:
    db = Database(empty_db_url)
    try:
        migrate.upgrade(db)
        command.downgrade(migrate.alembic_config(db), "base")
        assert table_names(db) <= {"alembic_version"}
        assert migrate.current_revision(db) is None
        migrate.upgrade(db)
        assert table_names(db) == ALL_TABLES | {"alembic_version"}
        assert schema_diff(db) == []
    finally:
        db.dispose()


def test_ensure_current_is_a_no_op_the_second_time(empty_db_url: str) -> None:
    db = Database(empty_db_url)
    try:
        assert migrate.ensure_current(db) is True
        assert migrate.ensure_current(db) is False
        assert migrate.current_revision(db) == migrate.head_revision()
    finally:
        db.dispose()


def test_sqlite_file_and_folder_are_created_on_first_use(tmp_path) -> None:
    from hallterm.config import sqlite_url

    path = tmp_path / "new" / "folder" / "hall.sqlite3"
    db = Database(sqlite_url(path))
    try:
        assert migrate.ensure_current(db) is True
        assert path.is_file()
    finally:
        db.dispose()
