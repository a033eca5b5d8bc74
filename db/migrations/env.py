"""Alembic environment: the connection comes from hallterm's Database (see storage/migrate.py).

Migrations run in one write transaction that first takes the database's writer lock: BEGIN
IMMEDIATE on SQLite, a transaction-level advisory lock on PostgreSQL. Several terminals that start
at once on a new or older database therefore migrate one after the other: the first upgrades, the
others then find the schema at head (Alembic reads the version inside the lock) and do nothing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from hallterm.storage.tables import metadata

# Any constant: the key of the PostgreSQL advisory lock that serialises migrations.
MIGRATION_LOCK_KEY = 0x6861_6C6C_7465_726D  # "hallterm"

config = context.config
database = config.attributes.get("database")
if database is None:  # plain `alembic` command line: read hallterm's settings
    from hallterm.config import load_settings
    from hallterm.storage.engine import Database

    settings = load_settings()
    database = Database(settings.db.resolved_url(), busy_timeout_ms=settings.db.busy_timeout_ms)

with database.write() as connection:  # BEGIN IMMEDIATE on SQLite; committed when all went well
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=database.is_sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
