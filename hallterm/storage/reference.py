"""Writing the hall's reference data. Idempotent: loading the same files twice changes nothing.

Rows that vanished from a file are marked inactive rather than deleted: cases and checks that
already point at them must keep their history.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, select, update

from hallterm.domain.reference import Hall, Item, StaffMember
from hallterm.storage.tables import counters, items, lounges, materials, staff, staff_shifts
from hallterm.storage.upsert import upsert


def save_hall(conn: Connection, hall: Hall) -> None:
    upsert(conn, lounges, [{"code": x.code, "name": x.name, "floor": x.floor, "capacity": x.capacity,
                            "active": True} for x in hall.lounges], ["code"])
    upsert(conn, counters, [{"code": x.code, "name": x.name, "kind": x.kind, "floor": x.floor,
                             "active": True} for x in hall.counters], ["code"])
    conn.execute(update(lounges).where(lounges.c.code.not_in([x.code for x in hall.lounges]))
                 .values(active=False))
    conn.execute(update(counters).where(counters.c.code.not_in([x.code for x in hall.counters]))
                 .values(active=False))


def save_staff(conn: Connection, people: Sequence[StaffMember]) -> None:
    # PINs, failed attempts and lock-outs belong to the database, not to the file: not overwritten.
    upsert(conn, staff, [{"staff_id": p.staff_id, "name": p.name, "role": p.role, "section": p.section,
                          "extension": p.extension, "active": True} for p in people], ["staff_id"])
    ids = [p.staff_id for p in people]
    conn.execute(update(staff).where(staff.c.staff_id.not_in(ids)).values(active=False))
    conn.execute(delete(staff_shifts))
    shifts = [{"staff_id": p.staff_id, "days": ",".join(s.days), "start": s.start, "end": s.end}
              for p in people for s in p.shifts]
    if shifts:
        conn.execute(staff_shifts.insert(), shifts)


def save_items(conn: Connection, catalog: Sequence[Item]) -> None:
    upsert(conn, items, [{"code": i.code, "name": i.name, "department": i.department,
                          "promised_days": i.promised_days, "immediate": i.immediate,
                          "allow_conditional": i.allow_conditional, "jurisdiction": i.jurisdiction,
                          "clock_exempt": ",".join(i.clock_exempt), "basis": i.basis, "position": n,
                          "active": True}
                         for n, i in enumerate(catalog)], ["code"])
    conn.execute(update(items).where(items.c.code.not_in([i.code for i in catalog])).values(active=False))
    rows = [{"item_code": i.code, "position": n, "name": m.name, "kind": m.kind,
             "condition": m.condition, "note": m.note, "active": True}
            for i in catalog for n, m in enumerate(i.materials)]
    upsert(conn, materials, rows, ["item_code", "name"])
    keep = {(r["item_code"], r["name"]) for r in rows}
    for mid, code, name in conn.execute(select(materials.c.id, materials.c.item_code, materials.c.name)):
        if (code, name) not in keep:
            conn.execute(update(materials).where(materials.c.id == mid).values(active=False))
