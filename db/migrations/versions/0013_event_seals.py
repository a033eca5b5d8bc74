"""The events log sealed (issue 15 point 1): a SHA-256 chain over the events, so ``db check`` can tell
that no event was changed or removed, even by someone who dropped the append-only triggers first.

Each seal covers the events with ids in ``first_event_id..last_event_id`` (the ones present then):
its digest is SHA-256 of the previous seal's digest followed by each event's canonical bytes. The
seals table is append-only by trigger, as the events table is.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_seals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("first_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("last_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER event_seals_no_{action.lower()} BEFORE {action} ON event_seals "
                       "BEGIN SELECT RAISE(ABORT, 'event seals are append-only'); END")
    else:
        op.execute("CREATE TRIGGER event_seals_append_only BEFORE UPDATE OR DELETE ON event_seals "
                   "FOR EACH ROW EXECUTE FUNCTION hallterm_events_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS event_seals_no_update")
        op.execute("DROP TRIGGER IF EXISTS event_seals_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS event_seals_append_only ON event_seals")
    op.drop_table("event_seals")
