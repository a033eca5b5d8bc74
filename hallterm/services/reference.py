"""Loading the hall's reference data from assets/*.toml into the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hallterm.domain.events import EventKind
from hallterm.domain.reference import (
    Hall,
    Item,
    ReferenceDataError,
    StaffMember,
    parse_hall,
    parse_items,
    parse_staff,
)
from hallterm.services.context import Services
from hallterm.storage import events
from hallterm.storage.catalog import has_items
from hallterm.storage.reference import save_hall, save_items, save_staff

HALL_FILE = "hall.toml"
STAFF_FILE = "staff.toml"
ITEMS_FILE = "items.toml"


@dataclass(frozen=True)
class Reference:
    hall: Hall
    staff: tuple[StaffMember, ...]
    items: tuple[Item, ...]


def read_reference(assets: Path) -> Reference:
    """Parse all three files; the first bad one raises ReferenceDataError with file, line and reason."""
    def text(name: str) -> str:
        path = assets / name
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ReferenceDataError(str(path), None, "文件不存在") from None
        except UnicodeDecodeError:
            raise ReferenceDataError(str(path), None, "不是 UTF-8 编码，请另存为 UTF-8") from None

    return Reference(
        parse_hall(text(HALL_FILE), str(assets / HALL_FILE)),
        parse_staff(text(STAFF_FILE), str(assets / STAFF_FILE)),
        parse_items(text(ITEMS_FILE), str(assets / ITEMS_FILE)),
    )


def load_reference(svc: Services, assets: Path | None = None) -> Reference:
    """Read and save the reference data in one transaction: all of it, or none of it."""
    ref = read_reference(assets or svc.settings.paths.assets_dir)
    with svc.db.write() as conn:
        save_hall(conn, ref.hall)
        save_staff(conn, ref.staff)
        save_items(conn, ref.items)
        events.append(conn, EventKind.REFERENCE_LOADED, svc.now(), lounges=len(ref.hall.lounges),
                      staff=len(ref.staff), items=len(ref.items))
    return ref


def ensure_reference(svc: Services) -> bool:
    """Load the reference data into a database that has none yet (first run); True when loaded."""
    with svc.db.read() as conn:
        if has_items(conn):
            return False
    load_reference(svc)
    return True
