"""The supervision report (issue 14; S10): the day each item was decided, and indexes for a month's figures.

``case_items.decided_on`` is the hall-local day of the approval decision (准予许可 or 不予许可,
``item_decided``): the end of the item's clock for the on-time rate (S6: the promised working days run
to the decision; the hand-out waits on the applicant). Items decided before this revision get it from
their ``item_decided`` event (the item's code is in its details), in the hall's time zone.

The indexes let a month's report seek its rows in a history of years instead of scanning it: cases by
the time they opened and closed, items by the day they were decided and closed (a null ``closed_on``
with ``due_on`` serves the overdue items still open).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_cases_opened_at": ("cases", ["opened_at"]),
    "ix_cases_closed_at": ("cases", ["closed_at"]),
    "ix_case_items_decided_on": ("case_items", ["decided_on"]),
    "ix_case_items_closed_due": ("case_items", ["closed_on", "due_on"]),
}


def _hall_tz() -> dt.tzinfo:
    try:
        from hallterm.config import load_settings

        return load_settings().hall.tz
    except Exception:  # a settings file that does not load must not stop the schema: the default zone
        return ZoneInfo("Asia/Shanghai")


def upgrade() -> None:
    op.add_column("case_items", sa.Column("decided_on", sa.Date(), nullable=True))
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)
    _backfill_decided_on()


def _backfill_decided_on() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT case_id, at, details FROM events WHERE kind = 'item_decided' "
                                "ORDER BY id")).all()
    if not rows:
        return
    tz = _hall_tz()
    decided: dict[tuple[int, str], dt.date] = {}
    for case_id, at, details in rows:
        if isinstance(details, str):
            details = json.loads(details)
        code = (details or {}).get("item")
        if case_id is None or not code:
            continue
        when = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        decided[(case_id, code)] = when.astimezone(tz).date()  # the last decision stands
    update = sa.text("UPDATE case_items SET decided_on = :day WHERE case_id = :case_id AND item_code = :code "
                     "AND status IN ('approved', 'refused', 'ready', 'handed_out')")
    conn.execute(update, [{"day": day, "case_id": case_id, "code": code} for (case_id, code), day in decided.items()])


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("case_items", schema=None) as batch_op:
        batch_op.drop_column("decided_on")
