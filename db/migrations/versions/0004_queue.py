"""Walk-in queue, calling and the display (issue 5).

Tickets get the time they came back to the front of the queue (after a hold or a transfer) and the
counter a transfer sent them to. Plain nullable columns: ``ADD COLUMN`` on both SQLite and
PostgreSQL, no table rebuild.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallterm.storage.tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("returned_at", hallterm.storage.tables.UTCDateTime(timezone=True),
                                       nullable=True))
    op.add_column("tickets", sa.Column("for_counter", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("for_counter")
        batch_op.drop_column("returned_at")
