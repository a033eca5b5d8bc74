"""Ratings (好差评) and the follow-ups of a 差评, as plain rows; the hand-outs the rating pad looks for.

Nothing here reads or writes who rated: the ratings table has no such column (国办发〔2019〕51号).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from hallterm.domain.events import EventKind
from hallterm.storage.tables import card_holders, cases, counters, events, items, rating_follow_ups, ratings, staff


@dataclass(frozen=True)
class HandOutRow:
    event_id: int
    at: dt.datetime
    case_id: int
    counter: str
    item_codes: tuple[str, ...]


@dataclass(frozen=True)
class RatingRow:
    id: int
    hand_out_event_id: int
    case_id: int
    counter: str
    level: int
    reason: str
    rated_at: dt.datetime


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    rating_id: int
    case_id: int
    case_no: str
    task: str
    owner_id: str | None
    owner_name: str | None
    due_on: dt.date
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    closed_by: str | None
    note: str
    level: int
    reason: str


def hand_outs_since(conn: Connection, counter: str, since: dt.datetime, *, limit: int = 50) -> list[HandOutRow]:
    """The hand-outs at ``counter`` recorded at or after ``since``, oldest first.

    The counter is in the event's JSON details, which SQLite and PostgreSQL query differently: the
    (kind, at) index narrows to a few recent hand-outs and the counter is matched here.
    """
    query = (select(events.c.id, events.c.at, events.c.case_id, events.c.details)
             .where(events.c.kind == EventKind.ITEMS_HANDED_OUT.value, events.c.at >= since,
                    events.c.case_id.is_not(None))
             .order_by(events.c.id.desc()).limit(limit))
    found = []
    for r in conn.execute(query):
        details = dict(r.details or {})
        if str(details.get("counter", "")) != counter:
            continue
        codes = details.get("items") or []
        found.append(HandOutRow(int(r.id), r.at, int(r.case_id), counter,
                                tuple(str(c) for c in codes) if isinstance(codes, list) else ()))
    return sorted(found, key=lambda h: h.event_id)


def hand_out(conn: Connection, event_id: int) -> HandOutRow | None:
    r = conn.execute(select(events.c.id, events.c.at, events.c.case_id, events.c.details)
                     .where(events.c.id == event_id, events.c.kind == EventKind.ITEMS_HANDED_OUT.value)).first()
    if r is None or r.case_id is None:
        return None
    details = dict(r.details or {})
    codes = details.get("items") or []
    return HandOutRow(int(r.id), r.at, int(r.case_id), str(details.get("counter", "")),
                      tuple(str(c) for c in codes) if isinstance(codes, list) else ())


def rated_hand_outs(conn: Connection, event_ids: list[int]) -> set[int]:
    if not event_ids:
        return set()
    query = select(ratings.c.hand_out_event_id).where(ratings.c.hand_out_event_id.in_(event_ids))
    return {int(v) for v in conn.execute(query).scalars()}


def counter_exists(conn: Connection, code: str) -> bool:
    return conn.execute(select(counters.c.code).where(counters.c.code == code)).first() is not None


def case_for_pad(conn: Connection, case_id: int, codes: tuple[str, ...]) -> tuple[str, str, tuple[str, ...]] | None:
    """(case number, holder's name, item names) — the name only to be masked by the caller."""
    r = conn.execute(select(cases.c.case_no, card_holders.c.name)
                     .join(card_holders, card_holders.c.id == cases.c.holder_id)
                     .where(cases.c.id == case_id)).first()
    if r is None:
        return None
    names = {r.code: r.name for r in conn.execute(select(items.c.code, items.c.name).where(items.c.code.in_(codes)))}
    return r.case_no, r.name, tuple(names.get(c, c) for c in codes)


def coordinator_of(conn: Connection, case_id: int) -> str | None:
    return conn.execute(select(cases.c.coordinator_id).where(cases.c.id == case_id)).scalar_one_or_none()


def active_staff(conn: Connection, staff_id: str) -> bool:
    return conn.execute(select(staff.c.staff_id).where(staff.c.staff_id == staff_id, staff.c.active)).first() \
        is not None


class AlreadyRated(Exception):
    """The hand-out has its rating already (another pad or a second key press got there first)."""


def insert_rating(conn: Connection, *, hand_out_event_id: int, case_id: int, counter: str, level: int,
                  reason: str, at: dt.datetime) -> int:
    """Insert the rating; the unique hand-out id makes a second one fail (AlreadyRated), on both databases."""
    try:  # the caller's transaction then rolls back as a whole: nothing of the second rating stays
        result = conn.execute(insert(ratings).values(
            hand_out_event_id=hand_out_event_id, case_id=case_id, counter=counter, level=level,
            reason=reason, rated_at=at))
    except IntegrityError as exc:
        raise AlreadyRated from exc
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def ratings_of_case(conn: Connection, case_id: int) -> list[RatingRow]:
    """Every rating of the case, oldest first: one per hand-out (一次一评), and a case may be collected in parts."""
    rows = conn.execute(select(ratings).where(ratings.c.case_id == case_id).order_by(ratings.c.id))
    return [RatingRow(r.id, r.hand_out_event_id, r.case_id, r.counter, r.level, r.reason, r.rated_at) for r in rows]


def rating_of_case(conn: Connection, case_id: int) -> RatingRow | None:
    """The case's latest rating (None when it has none)."""
    r = conn.execute(select(ratings).where(ratings.c.case_id == case_id).order_by(ratings.c.id.desc()).limit(1)).first()
    return RatingRow(r.id, r.hand_out_event_id, r.case_id, r.counter, r.level, r.reason, r.rated_at) if r else None


def insert_follow_up(conn: Connection, *, rating_id: int, case_id: int, task: str, owner_id: str | None,
                     due_on: dt.date, at: dt.datetime) -> int:
    result = conn.execute(insert(rating_follow_ups).values(
        rating_id=rating_id, case_id=case_id, task=task, owner_id=owner_id, due_on=due_on, opened_at=at, note=""))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _follow_up_query():
    return (select(rating_follow_ups, cases.c.case_no, staff.c.name.label("owner_name"),
                   ratings.c.level, ratings.c.reason)
            .join(cases, cases.c.id == rating_follow_ups.c.case_id)
            .join(ratings, ratings.c.id == rating_follow_ups.c.rating_id)
            .outerjoin(staff, staff.c.staff_id == rating_follow_ups.c.owner_id))


def _row(r) -> FollowUpRow:
    return FollowUpRow(r.id, r.rating_id, r.case_id, r.case_no, r.task, r.owner_id, r.owner_name, r.due_on,
                       r.opened_at, r.closed_at, r.closed_by, r.note, r.level, r.reason)


def open_follow_ups(conn: Connection, *, owner_id: str | None = None) -> list[FollowUpRow]:
    """Follow-ups not closed yet (of one owner, or all), the earliest due first."""
    query = _follow_up_query().where(rating_follow_ups.c.closed_at.is_(None))
    if owner_id is not None:
        query = query.where(rating_follow_ups.c.owner_id == owner_id)
    query = query.order_by(rating_follow_ups.c.due_on, rating_follow_ups.c.id)
    return [_row(r) for r in conn.execute(query)]


def follow_up(conn: Connection, follow_up_id: int) -> FollowUpRow | None:
    r = conn.execute(_follow_up_query().where(rating_follow_ups.c.id == follow_up_id)).first()
    return _row(r) if r is not None else None


def follow_ups_of_case(conn: Connection, case_id: int) -> list[FollowUpRow]:
    query = _follow_up_query().where(rating_follow_ups.c.case_id == case_id).order_by(rating_follow_ups.c.id)
    return [_row(r) for r in conn.execute(query)]


def close_follow_up(conn: Connection, follow_up_id: int, *, staff_id: str, note: str, at: dt.datetime) -> bool:
    """Close it once: False when it was closed meanwhile (by another terminal)."""
    done = conn.execute(update(rating_follow_ups)
                        .where(rating_follow_ups.c.id == follow_up_id, rating_follow_ups.c.closed_at.is_(None))
                        .values(closed_at=at, closed_by=staff_id, note=note)).rowcount
    return bool(done)


def count_open(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(rating_follow_ups)
                            .where(rating_follow_ups.c.closed_at.is_(None))).scalar_one())
