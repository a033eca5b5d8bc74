"""Early consultation (S5) and joint review (S8), issue 13 points 4 and 5: three new tables.

``consultations`` links what a consultation became (appointment, case); the cases table is left alone.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallterm.storage.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.Column("company_name", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("section", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.String(length=1000), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.String(length=32), nullable=True),
        sa.Column("logged_at", hallterm.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("converted_at", hallterm.storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_note", sa.String(length=200), nullable=False),
        sa.CheckConstraint("channel IN ('network','phone','on_site')", name=op.f("ck_consultations_channel")),
        sa.CheckConstraint("status IN ('open','converted','closed')", name=op.f("ck_consultations_status")),
        sa.ForeignKeyConstraint(["holder_id"], ["card_holders.id"], name=op.f("fk_consultations_holder_id_card_holders")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.staff_id"], name=op.f("fk_consultations_staff_id_staff")),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"], name=op.f("fk_consultations_appointment_id_appointments")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_consultations_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
    )
    op.create_index("ix_consultations_holder_id", "consultations", ["holder_id"])
    op.create_index("ix_consultations_status_follow_up_on", "consultations", ["status", "follow_up_on"])
    op.create_index("ix_consultations_case_id", "consultations", ["case_id"])
    op.create_table(
        "joint_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start", sa.String(length=5), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("conclusion", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=1000), nullable=False),
        sa.Column("staff_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", hallterm.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("concluded_at", hallterm.storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("concluded_by", sa.String(length=32), nullable=True),
        sa.CheckConstraint("status IN ('scheduled','concluded')", name=op.f("ck_joint_reviews_status")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_joint_reviews_case_id_cases")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.staff_id"], name=op.f("fk_joint_reviews_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_reviews")),
        sa.UniqueConstraint("number", name=op.f("uq_joint_reviews_number")),
    )
    op.create_index("ix_joint_reviews_case_id", "joint_reviews", ["case_id"])
    op.create_table(
        "joint_review_departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("opinion", sa.String(length=16), nullable=False),
        sa.Column("opinion_text", sa.String(length=1000), nullable=False),
        sa.Column("recorded_at", hallterm.storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["review_id"], ["joint_reviews.id"], name=op.f("fk_joint_review_departments_review_id_joint_reviews"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_review_departments")),
        sa.UniqueConstraint("review_id", "department", name="uq_joint_review_departments_review_department"),
    )


def downgrade() -> None:
    op.drop_table("joint_review_departments")
    op.drop_index("ix_joint_reviews_case_id", table_name="joint_reviews")
    op.drop_table("joint_reviews")
    op.drop_index("ix_consultations_case_id", table_name="consultations")
    op.drop_index("ix_consultations_status_follow_up_on", table_name="consultations")
    op.drop_index("ix_consultations_holder_id", table_name="consultations")
    op.drop_table("consultations")
