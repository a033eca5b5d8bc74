"""Item progress and the hand-out at the issuing window (issue 13; S9).

``case_items.decision_no`` holds the approval decision's document number (决定文书号); the new
statuses (in_review, approved, refused, ready, handed_out) fit the existing ``status`` column.
``handouts`` records who handed out which items of a case to whom, at which counter; the
recipient's ID is stored masked only (PIPL minimum necessary).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hallterm.storage.tables import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_items", sa.Column("decision_no", sa.String(length=64), nullable=False,
                                          server_default=sa.text("''")))
    op.create_table(
        "handouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("item_codes", sa.String(length=400), nullable=False),
        sa.Column("recipient_kind", sa.String(length=8), nullable=False),
        sa.Column("recipient_name", sa.String(length=64), nullable=False),
        sa.Column("recipient_id_masked", sa.String(length=18), nullable=False),
        sa.Column("power_of_attorney", sa.Boolean(), nullable=False),
        sa.Column("staff_id", sa.String(length=32), nullable=False),
        sa.Column("counter_code", sa.String(length=16), nullable=False),
        sa.Column("handed_out_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("recipient_kind IN ('holder','agent')", name=op.f("ck_handouts_recipient_kind")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_handouts_case_id_cases")),
        sa.ForeignKeyConstraint(["counter_code"], ["counters.code"], name=op.f("fk_handouts_counter_code_counters")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.staff_id"], name=op.f("fk_handouts_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handouts")),
    )
    op.create_index("ix_handouts_case_id", "handouts", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_handouts_case_id", table_name="handouts")
    op.drop_table("handouts")
    with op.batch_alter_table("case_items", schema=None) as batch_op:
        batch_op.drop_column("decision_no")
