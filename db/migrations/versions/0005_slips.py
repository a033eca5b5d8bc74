"""Slips, notices and printing (issue 6): the slips table (spool path, status, error, content).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallterm.storage.tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('slips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', hallterm.storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.String(length=32), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('spool_path', sa.String(length=500), nullable=False),
    sa.Column('files', sa.String(length=40), nullable=False),
    sa.Column('backend', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('printed_at', hallterm.storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('content', sa.JSON(), nullable=True),
    sa.CheckConstraint("status IN ('pending','printed','spooled','failed')", name=op.f('ck_slips_status')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_slips_case_id_cases')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_slips_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slips'))
    )
    with op.batch_alter_table('slips', schema=None) as batch_op:
        batch_op.create_index('ix_slips_day', ['day'], unique=False)
        batch_op.create_index('ix_slips_status', ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('slips', schema=None) as batch_op:
        batch_op.drop_index('ix_slips_status')
        batch_op.drop_index('ix_slips_day')

    op.drop_table('slips')
