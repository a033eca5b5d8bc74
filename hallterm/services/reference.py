"""Loading the hall's reference data from assets/*.toml into the database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from hallterm.domain.events import EventKind
from hallterm.domain.hours import Hours, parse_hours
from hallterm.domain.joint_reviews import JointReviewError, parse_departments
from hallterm.domain.reference import (
    Duty,
    Hall,
    Item,
    ReferenceDataError,
    StaffMember,
    parse_duty,
    parse_hall,
    parse_items,
    parse_staff,
)
from hallterm.services.context import Services
from hallterm.services.who import actor
from hallterm.storage import events
from hallterm.storage.catalog import has_items
from hallterm.storage.reference import save_hall, save_items, save_staff

HALL_FILE = "hall.toml"
STAFF_FILE = "staff.toml"
ITEMS_FILE = "items.toml"
HOURS_FILE = "hours.toml"
DEPARTMENTS_FILE = "departments.toml"
REFERENCE_FILES = (HALL_FILE, STAFF_FILE, ITEMS_FILE, HOURS_FILE, DEPARTMENTS_FILE)


@dataclass(frozen=True)
class Reference:
    hall: Hall
    staff: tuple[StaffMember, ...]
    items: tuple[Item, ...]
    hours: Hours
    duty: tuple[Duty, ...] = ()
    departments: tuple[str, ...] = ()  # whom a joint review may invite (S8)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReferenceDataError(str(path), None, "文件不存在") from None
    except UnicodeDecodeError:
        raise ReferenceDataError(str(path), None, "不是 UTF-8 编码，请另存为 UTF-8") from None


def read_reference(assets: Path) -> Reference:
    """Parse all four files; the first bad one raises ReferenceDataError with file, line and reason."""
    staff_text = _text(assets / STAFF_FILE)
    staff = parse_staff(staff_text, str(assets / STAFF_FILE))
    return Reference(
        parse_hall(_text(assets / HALL_FILE), str(assets / HALL_FILE)),
        staff,
        parse_items(_text(assets / ITEMS_FILE), str(assets / ITEMS_FILE)),
        _parse_hours(assets, staff),
        parse_duty(staff_text, str(assets / STAFF_FILE), staff),
        read_departments(assets),
    )


def read_departments(assets: Path) -> tuple[str, ...]:
    """The joint-review department catalog, refused whole like the other reference files when it is bad."""
    path = assets / DEPARTMENTS_FILE
    try:
        return parse_departments(_text(path), str(path))
    except JointReviewError as exc:
        raise ReferenceDataError(str(path), None, str(exc).removeprefix(f"{path}").lstrip("：").strip()) from None


def read_duty(assets: Path) -> tuple[Duty, ...]:
    """The after-hours duty roster of staff.toml (``[[duty]]``); like the hours, each terminal reads it."""
    text = _text(assets / STAFF_FILE)
    return parse_duty(text, str(assets / STAFF_FILE), parse_staff(text, str(assets / STAFF_FILE)))


def read_hours(assets: Path) -> Hours:
    """The hall's hours alone (assets/hours.toml), its sections checked against staff.toml.

    Every terminal reads the file itself, like the working-day calendar: keep it the same on every
    computer of a hall (the capacity a terminal enforces is the one its file says).
    """
    return _parse_hours(assets, parse_staff(_text(assets / STAFF_FILE), str(assets / STAFF_FILE)))


def _parse_hours(assets: Path, staff: tuple[StaffMember, ...]) -> Hours:
    sections = tuple(dict.fromkeys(member.section for member in staff))
    return parse_hours(_text(assets / HOURS_FILE), str(assets / HOURS_FILE), known_sections=sections)


def load_reference(svc: Services, assets: Path | None = None, *, staff_id: str | None = None) -> Reference:
    """Read and save the reference data in one transaction: all of it, or none of it.

    The event says who (``staff_id``, or the OS user at the command line), and what: the counts and a
    digest of each file, so that which version of the item catalog (its promised days, S6) was in force
    from when can be told afterwards (issue 15 point 6).
    """
    folder = assets or svc.settings.paths.assets_dir
    ref = read_reference(folder)
    files = {name: file_digest(folder / name) for name in REFERENCE_FILES}
    with svc.db.write() as conn:
        save_hall(conn, ref.hall)
        save_staff(conn, ref.staff)
        save_items(conn, ref.items)
        last = events.recent(conn, kind=EventKind.REFERENCE_LOADED, limit=1)
        before = last[0].details.get("files") if last else None
        # Which files differ from the last load's (all of them at the first, or before loads were digested).
        changed = [name for name in REFERENCE_FILES if not isinstance(before, dict) or before.get(name) != files[name]]
        events.append(conn, EventKind.REFERENCE_LOADED, svc.now(), lounges=len(ref.hall.lounges),
                      counters=len(ref.hall.counters), staff=len(ref.staff), items=len(ref.items),
                      materials=sum(len(i.materials) for i in ref.items), files=files, changed_files=changed,
                      **actor(staff_id))
    return ref


def file_digest(path: Path) -> str:
    """A short digest of a file's bytes (which version of it), or 无 when there is none."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except FileNotFoundError:
        return "无"


def ensure_reference(svc: Services) -> bool:
    """Load the reference data into a database that has none yet (first run); True when loaded."""
    with svc.db.read() as conn:
        if has_items(conn):
            return False
    load_reference(svc)
    return True
