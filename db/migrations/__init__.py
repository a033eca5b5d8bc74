"""The Alembic migrations; installed as the package ``hallterm._migrations`` (see pyproject.toml)."""
