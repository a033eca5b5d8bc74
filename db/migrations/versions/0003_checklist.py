"""Checklist, conditional acceptance and deadlines (issue 4): decisions, pauses, documents.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallterm.storage.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_items") as batch:
        batch.add_column(sa.Column("decision", sa.String(length=24), nullable=False, server_default="pending"))
        batch.add_column(sa.Column("commitment_signed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("commitment_breached", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("material_checks") as batch:
        batch.add_column(sa.Column("applies", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "item_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_item_id", sa.Integer(), nullable=False),
        sa.Column("procedure", sa.String(length=32), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("staff_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["case_item_id"], ["case_items.id"], name=op.f("fk_item_pauses_case_item_id_case_items"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.staff_id"], name=op.f("fk_item_pauses_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_pauses")),
    )
    op.create_index("ix_item_pauses_case_item_id", "item_pauses", ["case_item_id"])
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("case_item_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("issued_at", hallterm.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.String(length=32), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_documents_case_id_cases")),
        sa.ForeignKeyConstraint(["case_item_id"], ["case_items.id"], name=op.f("fk_documents_case_item_id_case_items")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.staff_id"], name=op.f("fk_documents_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("number", name=op.f("uq_documents_number")),
    )
    op.create_index("ix_documents_case_id", "documents", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_documents_case_id", table_name="documents")
    op.drop_table("documents")
    op.drop_index("ix_item_pauses_case_item_id", table_name="item_pauses")
    op.drop_table("item_pauses")
    with op.batch_alter_table("material_checks") as batch:
        batch.drop_column("applies")
    with op.batch_alter_table("case_items") as batch:
        batch.drop_column("commitment_breached")
        batch.drop_column("commitment_signed")
        batch.drop_column("decision")
