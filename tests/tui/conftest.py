"""Fixtures for driving the desk with Textual's Pilot on a real SQLite file."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from hallterm.domain.holders import CardStatus
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.roster import RosterRow
from hallterm.services.context import Services
from hallterm.storage import holders

TODAY = dt.date(2026, 11, 26)


def _row(card_body: str, name: str, tier: str, issued: dt.date, expires: dt.date,
         status: CardStatus, svc: Services) -> RosterRow:
    id_body = "21030219800101001"
    return RosterRow(2, svc.card_format.make(card_body), name, id_body + resident_id_check_char(id_body),
                     tier, issued, expires, status, "13812345678", "鞍钢集团有限公司")


@pytest.fixture(autouse=True)
def _steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking cursor: screens are compared as they are, not mid-blink."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda _self: None)


@pytest.fixture
def cards(loaded: Services) -> dict[str, str]:
    """One holder of each kind the desk must tell apart; returns label → card number."""
    svc = loaded
    year = dt.timedelta(days=365)
    rows = {
        "valid": _row("GD2022A00017", "王喆", "A", TODAY - 2 * year, TODAY + 3 * year, CardStatus.ACTIVE, svc),
        "expired": _row("GD2019B00001", "李玥", "B", TODAY - 6 * year, TODAY - dt.timedelta(days=3),
                        CardStatus.ACTIVE, svc),
        "expired_status": _row("GD2020C00002", "赵鑫", "C", TODAY - 5 * year, TODAY + year,
                               CardStatus.EXPIRED, svc),
        "revoked": _row("GD2021D00003", "孙昊", "D", TODAY - year, TODAY + 4 * year, CardStatus.REVOKED, svc),
        "tier_e": _row("GD2026E00420", "周睿", "E", TODAY - dt.timedelta(days=30), TODAY + 4 * year,
                       CardStatus.ACTIVE, svc),
        "future": _row("GD2026B00999", "吴堃", "B", TODAY + dt.timedelta(days=10), TODAY + 5 * year,
                       CardStatus.ACTIVE, svc),
        "markup": _row("GD2023C00777", "[b]郑[/b]", "C", TODAY - year, TODAY + year, CardStatus.ACTIVE, svc),
    }
    with svc.db.write() as conn:
        holders.upsert_rows(conn, rows.values(), svc.now())
    return {label: row.card_no for label, row in rows.items()}


async def settle(pilot: Pilot[object]) -> None:
    """Wait for the database workers and the messages they post, instead of sleeping."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
