"""Opening a case is idempotent (issue 15 point 4): the desk sends each case form with a request key,
kept across resubmits of the same form; a key seen before returns the case it opened instead of a
second one. A commit whose answer was lost to an outage (PostgreSQL restarted, network cut) is then
safe to send again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("request_key", sa.String(36), nullable=True))
    # NULLs never collide in a unique index (SQLite and PostgreSQL alike): cases opened before have none.
    op.create_index("ux_cases_request_key", "cases", ["request_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_cases_request_key", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("request_key")
