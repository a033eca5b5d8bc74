"""Alembic environment: the connection comes from hallterm's Database (see storage/migrate.py)."""

from __future__ import annotations

from alembic import context

from hallterm.storage.tables import metadata

config = context.config
database = config.attributes.get("database")
if database is None:  # plain `alembic` command line: read hallterm's settings
    from hallterm.config import load_settings
    from hallterm.storage.engine import Database

    settings = load_settings()
    database = Database(settings.db.resolved_url(), busy_timeout_ms=settings.db.busy_timeout_ms)

with database.engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=database.is_sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
