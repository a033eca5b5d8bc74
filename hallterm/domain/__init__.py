"""Pure rules: no Textual, no SQLAlchemy, no I/O, no clock reads (time is passed in)."""
