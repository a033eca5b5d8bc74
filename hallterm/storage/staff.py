"""Staff members as the sign-in sees them: who they are, their PIN hash and its lock-out count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from hallterm.storage.tables import staff


@dataclass(frozen=True)
class Account:
    staff_id: str
    name: str
    role: str
    section: str
    extension: str
    active: bool
    pin_hash: str | None
    failed_pins: int
    locked_until: dt.datetime | None


def account(conn: Connection, staff_id: str) -> Account | None:
    r = conn.execute(select(staff).where(staff.c.staff_id == staff_id)).first()
    if r is None:
        return None
    return Account(r.staff_id, r.name, r.role, r.section, r.extension, r.active, r.pin_hash, r.failed_pins,
                   r.locked_until)


def record_failures(conn: Connection, staff_id: str, failures: int, locked_until: dt.datetime | None) -> None:
    conn.execute(update(staff).where(staff.c.staff_id == staff_id)
                 .values(failed_pins=failures, locked_until=locked_until))


def set_pin_hash(conn: Connection, staff_id: str, digest: str | None) -> bool:
    """Set the PIN hash (and clear the lock-out); False when there is no such staff member."""
    done = conn.execute(update(staff).where(staff.c.staff_id == staff_id)
                        .values(pin_hash=digest, failed_pins=0, locked_until=None)).rowcount
    return bool(done)


def active_name(conn: Connection, staff_id: str) -> str | None:
    return conn.execute(select(staff.c.name).where(staff.c.staff_id == staff_id,
                                                   staff.c.active)).scalar_one_or_none()


def active_contact(conn: Connection, staff_id: str) -> tuple[str, str] | None:
    """(name, extension) of an active staff member, None when there is none: the duty roster's receiver."""
    row = conn.execute(select(staff.c.name, staff.c.extension).where(staff.c.staff_id == staff_id,
                                                                     staff.c.active)).first()
    return (row.name, row.extension or "") if row is not None else None


def names(conn: Connection) -> dict[str, str]:
    """staff ID → name, inactive staff too (old events name them)."""
    return {r.staff_id: r.name for r in conn.execute(select(staff.c.staff_id, staff.c.name))}


def is_active_coordinator(conn: Connection, staff_id: str) -> bool:
    return conn.execute(select(staff.c.staff_id).where(staff.c.staff_id == staff_id, staff.c.active,
                                                       staff.c.role == "coordinator")).first() is not None


def locked(conn: Connection, now: dt.datetime) -> list[Account]:
    """The accounts locked at ``now`` (issue 16 point 8), by staff ID."""
    rows = conn.execute(select(staff).where(staff.c.locked_until > now).order_by(staff.c.staff_id))
    return [Account(r.staff_id, r.name, r.role, r.section, r.extension, r.active, r.pin_hash, r.failed_pins,
                    r.locked_until) for r in rows]
