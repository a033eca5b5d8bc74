"""Keeping and deleting (issue 16 point 12): a card holder no longer on the talent office's roster is
marked with the time the roster first left them out; after ``[privacy] purge_after_days`` their name,
ID number, phone and employer are blanked (``purged_at``), their cases and figures kept.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("card_holders") as batch:
        batch.add_column(sa.Column("off_roster_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("card_holders") as batch:
        batch.drop_column("purged_at")
        batch.drop_column("off_roster_since")
