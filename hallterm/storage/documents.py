"""The notices issued for cases (受理通知书 …), saved as data with their numbers (``documents`` table)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from hallterm.storage.tables import documents


@dataclass(frozen=True)
class DocumentRow:
    id: int
    kind: str  # a DocumentKind value
    number: str
    content: dict[str, Any]  # the notice dataclass as JSON (``dataclasses.asdict`` with ISO dates)


def insert_document(conn: Connection, *, case_id: int, case_item_id: int | None, kind: str, number: str,
                    issued_at: dt.datetime, staff_id: str | None, content: dict[str, Any]) -> int:
    key = conn.execute(insert(documents).values(
        case_id=case_id, case_item_id=case_item_id, kind=kind, number=number, issued_at=issued_at,
        staff_id=staff_id, content=content)).inserted_primary_key
    assert key is not None
    return int(key[0])


def of_case(conn: Connection, case_id: int) -> list[DocumentRow]:
    """The case's notices, oldest first."""
    rows = conn.execute(select(documents.c.id, documents.c.kind, documents.c.number, documents.c.content)
                        .where(documents.c.case_id == case_id).order_by(documents.c.id)).all()
    return [DocumentRow(r.id, r.kind, r.number, r.content) for r in rows]
