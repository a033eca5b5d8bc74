"""The item catalog as the hall loaded it: item names and the materials each item asks for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from hallterm.storage.tables import items, materials


@dataclass(frozen=True)
class MaterialEntry:
    id: int
    item_code: str
    name: str
    kind: str  # a MaterialKind value
    condition: str  # when a conditional material applies
    note: str


@dataclass(frozen=True)
class ItemEntry:
    code: str
    name: str
    department: str
    promised_days: int
    jurisdiction: str
    allow_conditional: bool


def active_items(conn: Connection) -> list[ItemEntry]:
    """The active approval items in the catalog's order."""
    rows = conn.execute(select(items).where(items.c.active).order_by(items.c.position, items.c.code))
    return [ItemEntry(r.code, r.name, r.department, r.promised_days, r.jurisdiction, r.allow_conditional)
            for r in rows]


def has_items(conn: Connection) -> bool:
    """Whether any reference data was loaded (a new database has none)."""
    return bool(conn.execute(select(func.count()).select_from(items)).scalar_one())


def item_names(conn: Connection, codes: Sequence[str]) -> dict[str, str]:
    """code → name of the items asked for (active or not: a booking names what it named)."""
    rows = conn.execute(select(items.c.code, items.c.name).where(items.c.code.in_(list(codes))))
    return {r.code: r.name for r in rows}


def active_materials(conn: Connection, codes: Sequence[str]) -> list[MaterialEntry]:
    """The active materials of the items asked for, by item and in the catalog's order."""
    rows = conn.execute(select(materials).where(materials.c.item_code.in_(list(codes)), materials.c.active)
                        .order_by(materials.c.item_code, materials.c.position))
    return [MaterialEntry(m.id, m.item_code, m.name, m.kind, m.condition, m.note) for m in rows]


def material(conn: Connection, material_id: int) -> MaterialEntry | None:
    m = conn.execute(select(materials).where(materials.c.id == material_id)).first()
    return MaterialEntry(m.id, m.item_code, m.name, m.kind, m.condition, m.note) if m is not None else None
