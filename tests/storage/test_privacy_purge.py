"""Issue 16 point 12: keeping and deleting. A holder the talent office's roster no longer lists is purged
after ``[privacy] purge_after_days`` (name, ID number, phone, employer), their tickets and figures kept;
a slip's stored content is cleared after ``slip_content_days``; the events log keeps no personal data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from hallterm.config_locations import PROJECT_ROOT
from hallterm.domain.auth import AuthError
from hallterm.services import print_jobs, privacy, queue
from hallterm.services.context import Services
from hallterm.services.roster import import_roster
from hallterm.storage.tables import card_holders, events, slips, tickets
from tests.cli.test_roster import csv_bytes, holder_row
from tests.sessions import DESK

KEPT, LEFT = holder_row(1, name="张三明"), holder_row(2, name="李四", tier="B")


def _import(svc: Services, tmp_path: Path, rows: list[list[str]]) -> int:
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(rows))
    result = import_roster(svc, path)
    assert result.ok, result.check.errors
    return result.off_roster


def _holder(svc: Services, card_no: str) -> dict:
    with svc.db.read() as conn:
        row = conn.execute(select(card_holders).where(card_holders.c.card_no == card_no)).one()
    return dict(row._mapping)


def test_a_holder_off_the_roster_is_purged_after_the_period_and_their_ticket_stays(
        any_hall: Services, tmp_path: Path, clock: list[dt.datetime]) -> None:
    loaded = any_hall  # SQLite and PostgreSQL
    assert _import(loaded, tmp_path, [KEPT, LEFT]) == 0
    ticket = queue.issue_walkin(loaded, DESK, LEFT[0], count_ahead=False)
    clock[0] += dt.timedelta(minutes=1)
    assert _import(loaded, tmp_path, [KEPT]) == 1  # the office's new roster leaves 李四 out
    assert _import(loaded, tmp_path, [KEPT]) == 0  # marked once: the period runs from the first time

    with pytest.raises(AuthError, match="前台无权删除过期个人信息"):
        privacy.purge(loaded, DESK)
    days = loaded.settings.privacy.purge_after_days
    clock[0] += dt.timedelta(days=days - 1)
    assert privacy.purge(loaded, privacy.PURGER).holders == 0  # not yet
    clock[0] += dt.timedelta(days=2)
    done = privacy.purge(loaded, privacy.PURGER)
    assert done.holders == 1 and f"满 {days} 天的持卡人 1 位" in done.message

    gone, kept = _holder(loaded, LEFT[0]), _holder(loaded, KEPT[0])
    assert (gone["name"], gone["id_number"], gone["phone"], gone["employer"]) == ("（已删除）", "", "", "")
    assert gone["purged_at"] is not None and gone["card_no"] == LEFT[0]
    assert kept["name"] == "张三明" and kept["id_number"] == KEPT[2] and kept["off_roster_since"] is None
    with loaded.db.read() as conn:
        assert conn.execute(select(tickets.c.holder_id).where(tickets.c.id == ticket.id)).scalar_one() == gone["id"]
        logged = conn.execute(select(events.c.kind, events.c.staff_id, events.c.details)).all()
    purged = [r for r in logged if r.kind == "personal_data_purged"]
    assert [(r.staff_id, r.details["holders"]) for r in purged] == [("system:sweep", 1)]
    # The append-only log never held the data the purge deleted: nothing is left behind there.
    text = json.dumps([dict(r.details) for r in logged], ensure_ascii=False)
    assert LEFT[1] not in text and LEFT[2] not in text and LEFT[7] not in text

    assert privacy.purge(loaded, privacy.PURGER).holders == 0  # idempotent, no second event
    assert _import(loaded, tmp_path, [KEPT, LEFT]) == 0  # listed again: the office's data is back
    back = _holder(loaded, LEFT[0])
    assert back["name"] == "李四" and back["off_roster_since"] is None and back["purged_at"] is None


def test_a_slips_stored_content_is_cleared_after_its_period(loaded: Services, clock: list[dt.datetime]) -> None:
    from hallterm.printing.samples import sample_slips
    from hallterm.services.signing import keyring

    ring = keyring(loaded)
    now_local = loaded.now().astimezone(loaded.settings.hall.tz).replace(tzinfo=None)
    printed = print_jobs.print_slip(loaded, sample_slips(ring, now_local)[0], session=DESK)
    clock[0] += dt.timedelta(days=loaded.settings.privacy.slip_content_days + 1)
    assert privacy.purge(loaded, privacy.PURGER).slip_contents == 1
    with loaded.db.read() as conn:
        row = conn.execute(select(slips.c.content, slips.c.title).where(slips.c.id == printed.slip_id)).one()
    assert row.content is None and row.title  # the record of what was printed stays

    off = dataclasses.replace(loaded.settings,
                              privacy=dataclasses.replace(loaded.settings.privacy, slip_content_days=0))
    assert "设置为保留" in privacy.purge(dataclasses.replace(loaded, settings=off), privacy.PURGER).message


def test_hallterm_cards_purge_runs_as_the_command_lines_system_actor(loaded: Services, tmp_path: Path) -> None:
    from hallterm.services.who import os_user

    _import(loaded, tmp_path, [KEPT, LEFT])
    with loaded.db.write() as conn:  # off the roster ten days ago, by the real clock the command reads
        conn.execute(update(card_holders).where(card_holders.c.card_no == LEFT[0])
                     .values(off_roster_since=dt.datetime.now(dt.UTC) - dt.timedelta(days=10)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["HALLTERM_DB_URL"] = loaded.db.url
    env["HALLTERM_PRIVACY_PURGE_AFTER_DAYS"] = "7"
    runs = [subprocess.run([sys.executable, "-m", "hallterm", "cards", "purge"], cwd=PROJECT_ROOT, env=env,
                           capture_output=True, text=True, timeout=120) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert "名册中已移除满 7 天的持卡人 1 位，已删除姓名、身份证号、电话和工作单位" in runs[0].stdout
    assert "持卡人 0 位" in runs[1].stdout
    assert _holder(loaded, LEFT[0])["name"] == "（已删除）" and _holder(loaded, KEPT[0])["name"] == "张三明"
    with loaded.db.read() as conn:
        who = conn.execute(select(events.c.staff_id).where(events.c.kind == "personal_data_purged")).scalars().all()
    assert who == [f"system:cli:{os_user()}"[:32]]
