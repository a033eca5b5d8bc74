"""Longer counter keys: the notices' number series (doc:<kind>:<issuing bureau>) exceed 16 characters.

SQLite never enforced the old length, so the bug showed only on PostgreSQL, where issuing any notice
failed ("value too long for type character varying(16)").

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sequences") as batch:
        batch.alter_column("series", type_=sa.String(length=64), existing_type=sa.String(length=16),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("sequences") as batch:
        batch.alter_column("series", type_=sa.String(length=16), existing_type=sa.String(length=64),
                           existing_nullable=False)
