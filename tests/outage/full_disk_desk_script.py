"""The desk (Textual Pilot) on a disk that fills up, run by test_full_disk.py on a small private tmpfs.

``python full_disk_desk_script.py DIR``: a signed-in desk on a SQLite database in DIR scans a card and
fills in a case form; the disk is filled; F10 and a second scan are tried; the disk is freed and the
kept form is sent again with F3, F10. What the clerk saw is printed as one JSON object on the last
line of stdout, for the test to judge.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from textual.widgets import Static

from hallterm.config import load_settings, sqlite_url
from hallterm.domain.holders import CardStatus
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.roster import RosterRow
from hallterm.services.context import Services
from hallterm.services.reference import load_reference
from hallterm.services.staff import set_pin, sign_in
from hallterm.storage import holders
from hallterm.storage.tables import cases
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.widgets.scan_field import ScanField
from tests.outage.full_disk_script import NOW, fill
from tests.tui.pilot_helpers import settle, type_text, until


def _notice(app: DeskApp) -> str:
    return str(app.screen.query_one("#notice", Static).render())


def _cases(svc: Services) -> int:
    with svc.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(cases)).scalar_one())


async def run(root: Path) -> dict[str, Any]:
    settings = load_settings(environ={"HALLTERM_DB_URL": sqlite_url(root / "hall.sqlite3"),
                                      "HALLTERM_PRINTING_SPOOL_DIR": str(root / "spool")})
    svc = Services.open(settings, clock=lambda: NOW)
    load_reference(svc)
    set_pin(svc, "S1401", "246813")
    session = sign_in(svc, "S1401", "246813")
    body = "21030219800101001"
    holder = RosterRow(2, svc.card_format.make("GD2022A00017"), "王喆", body + resident_id_check_char(body), "A",
                       dt.date(2024, 11, 26), dt.date(2029, 11, 26), CardStatus.ACTIVE, "13812345678",
                       "鞍钢集团有限公司")
    with svc.db.write() as conn:
        holders.upsert_rows(conn, [holder], svc.now())
    report: dict[str, Any] = {}
    filler = root / "filler"
    app = DeskApp(settings, services=svc, session=session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await type_text(pilot, holder.card_no, "enter")
        await until(pilot, lambda: app.screen.query_one(HolderPanel).check is not None, "the holder shown")
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("enter")  # tick the highlighted item

        fill(filler)
        await pilot.press("f10")
        await settle(pilot)
        desk = app.screen
        assert isinstance(desk, DeskScreen)
        report["case_line"] = _notice(app)
        report["kept_items"] = list(desk._draft.item_codes) if desk._draft is not None else []
        report["outage"] = app.outage.down
        report["cases_when_full"] = _cases(svc)
        await type_text(pilot, holder.card_no, "enter")
        await settle(pilot)
        report["scan_line"] = _notice(app)
        report["scan_kept"] = app.screen.query_one(ScanField).value == holder.card_no

        filler.unlink()
        await type_text(pilot, "", "enter")  # the card still in the field, looked up again
        await settle(pilot)
        check = app.screen.query_one(HolderPanel).check
        report["looked_up_after"] = check is not None and check.ok and _notice(app) != report["scan_line"]
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f10")  # the kept form, sent as it was
        await settle(pilot)
        await until(pilot, lambda: "已开办件" in _notice(app), "the case opened", limit_s=20)
        report["after_line"] = _notice(app)
        report["cases_after"] = _cases(svc)
    svc.close()
    return report


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(Path(sys.argv[1]))), ensure_ascii=False))
