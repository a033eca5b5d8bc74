"""Proxy tasks of a 全程代办 case (issue 13 point 3, S3): owner, state, due date, notes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hallterm.storage.tables import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proxy_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=True),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_estimated", sa.Boolean(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("state IN ('pending','in_progress','done','cancelled')", name=op.f("ck_proxy_tasks_state")),
        sa.CheckConstraint("kind IN ('market_access','above_city','water','power','gas','heating')",
                           name=op.f("ck_proxy_tasks_kind")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_proxy_tasks_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["staff.staff_id"], name=op.f("fk_proxy_tasks_owner_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxy_tasks")),
    )
    op.create_index("ix_proxy_tasks_case_id", "proxy_tasks", ["case_id"])
    op.create_index("ix_proxy_tasks_owner_state", "proxy_tasks", ["owner_id", "state"])
    op.create_table(
        "proxy_task_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("staff_id", sa.String(length=32), nullable=True),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["proxy_tasks.id"], name=op.f("fk_proxy_task_notes_task_id_proxy_tasks"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.staff_id"], name=op.f("fk_proxy_task_notes_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxy_task_notes")),
    )
    op.create_index("ix_proxy_task_notes_task_id", "proxy_task_notes", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_proxy_task_notes_task_id", table_name="proxy_task_notes")
    op.drop_table("proxy_task_notes")
    op.drop_index("ix_proxy_tasks_owner_state", table_name="proxy_tasks")
    op.drop_index("ix_proxy_tasks_case_id", table_name="proxy_tasks")
    op.drop_table("proxy_tasks")
