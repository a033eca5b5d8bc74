"""Issue 16 point 3: what staff type in the wrong field is not kept for good.

A refused sign-in appends an event to the append-only log. The "staff ID" typed is recorded only when
it has the shape of a staff ID; a PIN, a phone number, a resident ID number or anything else typed in
the staff-ID field is recorded as "something else was typed", never as the text itself.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hallterm.domain.auth import AuthError, looks_like_staff_id
from hallterm.services.context import Services
from hallterm.services.staff import set_pin, sign_in
from hallterm.storage.tables import events


def refused_events(svc: Services) -> list[tuple[str | None, dict[str, object]]]:
    with svc.db.read() as conn:
        return [(r.staff_id, r.details) for r in conn.execute(
            select(events.c.staff_id, events.c.details).where(events.c.kind == "sign_in_refused")
            .order_by(events.c.id))]


def all_event_text(svc: Services) -> str:
    with svc.db.read() as conn:
        rows = conn.execute(select(events.c.staff_id, events.c.card_no, events.c.details)).all()
    return json.dumps([list(r) for r in rows], ensure_ascii=False, default=str)


@pytest.mark.parametrize("typed", [
    "246813",  # the PIN, typed in the staff-ID field
    "2468",
    "13912345678",  # a phone number
    "21030219800101001X",  # a resident ID number
    "Pa55word!",
    "张三",
    "\x1b[2J",
])
def test_something_else_than_a_staff_id_is_not_recorded(loaded: Services, typed: str) -> None:
    set_pin(loaded, "S1401", "2468")

    with pytest.raises(AuthError) as refused:
        sign_in(loaded, typed, "246813")

    assert typed.upper() not in all_event_text(loaded)
    assert typed not in all_event_text(loaded)
    [(staff_id, details)] = refused_events(loaded)
    assert staff_id is None
    assert details.get("attempted") is None
    assert details["typed"] == "not_a_staff_id" and details["reason"] == "unknown"
    # Nor is it shown back on the desk's screen, where the person behind the clerk reads it.
    assert typed.upper() not in str(refused.value) and typed not in str(refused.value)
    assert "工号" in str(refused.value)


def test_an_unknown_staff_id_is_still_recorded_as_typed(loaded: Services) -> None:
    """A supervisor must see someone trying IDs that do not exist (S9999, s1999 …)."""
    for typed in (" s9999 ", "S1999"):
        with pytest.raises(AuthError):
            sign_in(loaded, typed, "2468")
    assert [(s, d["attempted"], d["reason"]) for s, d in refused_events(loaded)] == [
        (None, "S9999", "unknown"), (None, "S1999", "unknown")]


@pytest.mark.parametrize(("text", "shaped"), [
    ("S1401", True), ("S1", True), ("GD-0001", True), ("AB_12", True), ("ZX12345678", True),
    ("2468", False), ("246813", False), ("12345678", False), ("", False), ("S", False), ("ADMIN", False),
    ("21030219800101001X", False), ("S1401\x1b", False), ("S" + "1" * 40, False), ("ＳＡ１", False),
])
def test_the_shape_of_a_staff_id(text: str, shaped: bool) -> None:
    assert looks_like_staff_id(text) is shaped
