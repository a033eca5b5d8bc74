"""Appointments that can be booked (issue 12): section, phone and note, and a seat counter per slot.

``appointment_seats`` holds, per (section, day, slot start), how many seats are taken; booking bumps it
with one guarded statement, so capacity holds on SQLite and PostgreSQL alike. The new appointment
columns are NOT NULL with an empty default: plain ``ADD COLUMN`` on both databases.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("appointments", sa.Column("section", sa.String(length=64), nullable=False, server_default=sa.text("''")))
    op.add_column("appointments", sa.Column("phone", sa.String(length=32), nullable=False, server_default=sa.text("''")))
    op.add_column("appointments", sa.Column("note", sa.String(length=200), nullable=False, server_default=sa.text("''")))
    op.create_index("ix_appointments_holder_status", "appointments", ["holder_id", "status"])
    op.create_table(
        "appointment_seats",
        sa.Column("section", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot_start", sa.String(length=5), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("section", "day", "slot_start"),
    )


def downgrade() -> None:
    op.drop_table("appointment_seats")
    op.drop_index("ix_appointments_holder_status", table_name="appointments")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("phone")
        batch_op.drop_column("section")
