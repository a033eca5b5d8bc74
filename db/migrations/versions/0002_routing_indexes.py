"""Indexes for routing: coordinator, proxy and lounge loads are index seeks on a large history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_cases_coordinator_status": ["coordinator_id", "status"],
    "ix_cases_coordinator_opened": ["coordinator_id", "opened_at"],
    "ix_cases_proxy_status": ["proxy_staff_id", "status"],
    "ix_cases_proxy_opened": ["proxy_staff_id", "opened_at"],
    "ix_cases_lounge_status": ["lounge_code", "status"],
}


def upgrade() -> None:
    op.drop_index("ix_cases_coordinator_id", table_name="cases")  # a prefix of the new composite ones
    for name, columns in INDEXES.items():
        op.create_index(name, "cases", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="cases")
    op.create_index("ix_cases_coordinator_id", "cases", ["coordinator_id"])
