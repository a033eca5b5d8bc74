"""好差评 (issue 13 point 6): ratings taken on the pad at the issuing window, and the follow-ups of a 差评.

``ratings`` has no staff or holder column on purpose (the rater stays anonymous, 国办发〔2019〕51号);
its unique hand-out event id makes it one rating per hand-out (一次一评) on both databases.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallterm.storage.tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hand_out_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("counter", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("rated_at", hallterm.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name=op.f("ck_ratings_level")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_ratings_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("hand_out_event_id", name=op.f("uq_ratings_hand_out_event_id")),
    )
    op.create_index("ix_ratings_case_id", "ratings", ["case_id"])
    op.create_index("ix_ratings_rated_at", "ratings", ["rated_at"])
    op.create_table(
        "rating_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("opened_at", hallterm.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", hallterm.storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=32), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.CheckConstraint("task IN ('call_back','put_right')", name=op.f("ck_rating_follow_ups_task")),
        sa.ForeignKeyConstraint(["rating_id"], ["ratings.id"], name=op.f("fk_rating_follow_ups_rating_id_ratings")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_rating_follow_ups_case_id_cases")),
        sa.ForeignKeyConstraint(["owner_id"], ["staff.staff_id"], name=op.f("fk_rating_follow_ups_owner_id_staff")),
        sa.ForeignKeyConstraint(["closed_by"], ["staff.staff_id"],
                                name=op.f("fk_rating_follow_ups_closed_by_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_follow_ups")),
        sa.UniqueConstraint("rating_id", "task", name="uq_rating_follow_ups_rating_task"),
    )
    op.create_index("ix_rating_follow_ups_owner_closed", "rating_follow_ups", ["owner_id", "closed_at"])
    op.create_index("ix_rating_follow_ups_closed_at", "rating_follow_ups", ["closed_at"])


def downgrade() -> None:
    op.drop_table("rating_follow_ups")
    op.drop_table("ratings")
