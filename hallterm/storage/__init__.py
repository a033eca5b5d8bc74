"""SQLAlchemy 2.x storage: engine, tables, migrations, queries returning plain dataclasses."""
