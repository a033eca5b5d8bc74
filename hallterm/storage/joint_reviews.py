"""Joint reviews (S8) and the departments invited to each: rows in, plain rows out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hallterm.storage.tables import joint_review_departments, joint_reviews


@dataclass(frozen=True)
class DepartmentRow:
    department: str
    opinion: str  # "" until given
    opinion_text: str
    recorded_at: dt.datetime | None
    recorded_by: str | None


@dataclass(frozen=True)
class JointReviewRow:
    id: int
    case_id: int
    number: str
    day: dt.date
    start: str
    place: str
    status: str
    conclusion: str
    outcome: str
    staff_id: str | None
    created_at: dt.datetime
    concluded_at: dt.datetime | None
    concluded_by: str | None
    departments: tuple[DepartmentRow, ...]


def insert_review(conn: Connection, departments: tuple[str, ...], **values: Any) -> int:
    key = conn.execute(insert(joint_reviews).values(**values)).inserted_primary_key
    assert key is not None
    review_id = int(key[0])
    conn.execute(insert(joint_review_departments), [
        {"review_id": review_id, "position": n, "department": d, "opinion": "", "opinion_text": ""}
        for n, d in enumerate(departments)])
    return review_id


def _departments(conn: Connection, review_ids: list[int]) -> dict[int, list[DepartmentRow]]:
    found: dict[int, list[DepartmentRow]] = {i: [] for i in review_ids}
    if not review_ids:
        return found
    t = joint_review_departments
    for r in conn.execute(select(t).where(t.c.review_id.in_(review_ids)).order_by(t.c.review_id, t.c.position)):
        found[r.review_id].append(DepartmentRow(r.department, r.opinion, r.opinion_text, r.recorded_at,
                                                r.recorded_by))
    return found


def _rows(conn: Connection, query: Any) -> list[JointReviewRow]:
    rows = list(conn.execute(query))
    departments = _departments(conn, [r.id for r in rows])
    return [JointReviewRow(r.id, r.case_id, r.number, r.day, r.start, r.place, r.status, r.conclusion, r.outcome,
                           r.staff_id, r.created_at, r.concluded_at, r.concluded_by, tuple(departments[r.id]))
            for r in rows]


def get(conn: Connection, review_id: int, *, lock: bool = False) -> JointReviewRow | None:
    query = select(joint_reviews).where(joint_reviews.c.id == review_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    found = _rows(conn, query)
    return found[0] if found else None


def of_case(conn: Connection, case_id: int) -> list[JointReviewRow]:
    """The case's joint reviews, oldest first."""
    return _rows(conn, select(joint_reviews).where(joint_reviews.c.case_id == case_id).order_by(joint_reviews.c.id))


def pending_number(conn: Connection, case_id: int) -> str:
    """The number of the case's meeting still without an outcome ("" when none)."""
    return conn.execute(select(joint_reviews.c.number).where(joint_reviews.c.case_id == case_id,
                                                             joint_reviews.c.status == "scheduled")
                        .limit(1)).scalar_one_or_none() or ""


def set_opinion(conn: Connection, review_id: int, department: str, *, opinion: str, text: str, at: dt.datetime,
                staff_id: str | None) -> bool:
    t = joint_review_departments
    result = conn.execute(update(t).where(t.c.review_id == review_id, t.c.department == department)
                          .values(opinion=opinion, opinion_text=text, recorded_at=at, recorded_by=staff_id))
    return result.rowcount == 1


def conclude(conn: Connection, review_id: int, *, conclusion: str, outcome: str, at: dt.datetime,
             staff_id: str | None) -> bool:
    """False when another terminal concluded it first."""
    result = conn.execute(update(joint_reviews)
                          .where(joint_reviews.c.id == review_id, joint_reviews.c.status == "scheduled")
                          .values(status="concluded", conclusion=conclusion, outcome=outcome, concluded_at=at,
                                  concluded_by=staff_id))
    return result.rowcount == 1
