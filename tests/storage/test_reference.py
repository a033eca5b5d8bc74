"""The hall's reference data (assets/*.toml) loads on both databases, and loading twice changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import Table, func, select

from hallterm.services.context import Services
from hallterm.services.reference import load_reference
from hallterm.storage import events
from hallterm.storage.tables import counters, items, lounges, materials, staff, staff_shifts

REFERENCE_TABLES = (lounges, counters, staff, staff_shifts, items, materials)


def snapshot(svc: Services) -> dict[str, list[tuple[object, ...]]]:
    """Every reference row, without surrogate ids (shifts are rewritten on each load)."""
    def rows(table: Table) -> list[tuple[object, ...]]:
        columns = [c for c in table.columns if c.name != "id"]
        return sorted(tuple(r) for r in conn.execute(select(*columns)))

    with svc.db.read() as conn:
        return {t.name: rows(t) for t in REFERENCE_TABLES}


def test_load_reference(any_db: Services) -> None:
    ref = load_reference(any_db)
    with any_db.db.read() as conn:
        def count(table: Table) -> int:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

        assert count(lounges) == len(ref.hall.lounges) > 0
        assert count(counters) == len(ref.hall.counters) > 0
        assert count(staff) == len(ref.staff) > 0
        assert count(staff_shifts) == sum(len(p.shifts) for p in ref.staff) > 0
        assert count(items) == len(ref.items) >= 10
        assert count(materials) == sum(len(i.materials) for i in ref.items)
        assert conn.execute(select(func.count()).select_from(items).where(~items.c.active)).scalar_one() == 0
        loaded = events.recent(conn, kind="reference_loaded")
    assert len(loaded) == 1 and loaded[0].details["items"] == len(ref.items)


def test_load_reference_is_idempotent(any_db: Services) -> None:
    load_reference(any_db)
    first = snapshot(any_db)
    load_reference(any_db)
    assert snapshot(any_db) == first
    with any_db.db.read() as conn:
        assert len(events.recent(conn, kind="reference_loaded")) == 2  # each load is logged


def test_rows_gone_from_the_files_become_inactive(any_db: Services, tmp_path: Path) -> None:
    load_reference(any_db)
    assets = tmp_path / "assets"
    shutil.copytree(any_db.settings.paths.assets_dir, assets)
    text = (assets / "items.toml").read_text(encoding="utf-8")
    ref = load_reference(any_db)
    dropped = ref.items[-1].code
    # Drop the last [[items]] block (with its materials) from the catalog and load again.
    head, _sep, _tail = text.rpartition("\n[[items]]")
    (assets / "items.toml").write_text(head, encoding="utf-8")
    load_reference(any_db, assets)
    with any_db.db.read() as conn:
        active = dict(conn.execute(select(items.c.code, items.c.active)).all())
        orphans = conn.execute(select(func.count()).select_from(materials)
                               .where(materials.c.item_code == dropped, materials.c.active)).scalar_one()
    assert active[dropped] is False
    assert sum(active.values()) == len(ref.items) - 1
    assert orphans == 0
