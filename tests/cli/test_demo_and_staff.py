"""`hallterm demo --no-ui` and `hallterm staff set-pin`, through real subprocesses."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from hallterm.config import load_settings, sqlite_url
from hallterm.config_locations import PROJECT_ROOT
from hallterm.services import after_hours
from hallterm.services.context import Services
from hallterm.services.staff import sign_in
from hallterm.storage.tables import appointments, card_holders, cases, events


def hallterm(*args: str, db: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["HALLTERM_DB_URL"] = sqlite_url(db)
    return subprocess.run([sys.executable, "-m", "hallterm", *args], cwd=PROJECT_ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_demo_builds_its_own_database_with_every_kind_of_holder(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    run = hallterm("demo", "--no-ui", "--days", "1", db=db)
    assert run.returncode == 0, run.stderr
    assert "持卡人 300 名" in run.stdout and "注销" in run.stdout and "过期" in run.stdout
    svc = Services.open(load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db)}))
    try:
        with svc.db.read() as conn:
            statuses = dict(conn.execute(select(card_holders.c.status, func.count())
                                         .group_by(card_holders.c.status)).all())
            tiers = set(conn.execute(select(card_holders.c.tier)).scalars())
            past = conn.execute(select(func.count()).select_from(cases)).scalar_one()
            scans = conn.execute(select(func.count()).where(events.c.kind == "card_scanned")).scalar_one()
        assert sum(statuses.values()) == 300
        assert statuses["revoked"] == 1 and statuses["expired"] >= 5
        assert tiers == set("ABCDE")
        assert past > 0 and scans > 0  # the days of past activity
        assert sign_in(svc, "S1401", "1234").role == "desk"  # the demo PIN printed for newcomers
        # Issue 12 point 7: appointments today and ahead (some checked in, some missed), the duty roster,
        # and last evening's after-hours case on the handover list.
        with svc.db.read() as conn:
            booked = conn.execute(select(appointments.c.day, appointments.c.status)).all()
        assert {"booked", "checked_in", "missed"} <= {status for _day, status in booked}
        assert any(day == svc.today() for day, _s in booked) and any(day > svc.today() for day, _s in booked)
        assert "预约：今天" in run.stdout and "延时值班表 6 条" in run.stdout and "交接单待确认" in run.stdout
        listed = after_hours.handover(svc)
        evening = [e for e in listed.entries if e.kind is after_hours.HandoverKind.CASE]
        assert evening and all("接待：" in e.text for e in evening)
    finally:
        svc.close()
    # Building again starts the demo afresh, here into the database given with --db.
    again = hallterm("--db", sqlite_url(db), "demo", "--no-ui", "--days", "1", db=tmp_path / "other.sqlite3")
    assert again.returncode == 0, again.stderr
    assert db.exists() and not (tmp_path / "other.sqlite3").exists()


def test_set_pin_from_stdin_then_sign_in(tmp_path: Path) -> None:
    db = tmp_path / "hall.sqlite3"
    assert hallterm("reference", "load", db=db).returncode == 0
    run = hallterm("staff", "set-pin", "s1402", "--pin-stdin", db=db, stdin="579135\n")
    assert run.returncode == 0, run.stderr
    assert "S1402" in run.stdout
    svc = Services.open(load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db)}))
    try:
        assert sign_in(svc, "S1402", "579135").staff_id == "S1402"
    finally:
        svc.close()


def loaded_copy(tmp_path: Path, templates: dict[str, Path]) -> Path:
    """A hall database holding the reference data: the worker's template (tests/conftest.py), copied.

    ``hallterm reference load`` itself is run (and checked) by test_set_pin_from_stdin_then_sign_in;
    the tests below are about set-pin, and each subprocess costs ~0.5 s of CPU.
    """
    db = tmp_path / "hall.sqlite3"
    shutil.copyfile(templates["loaded"], db)
    return db


def test_set_pin_refuses_bad_pins_and_unknown_staff(tmp_path: Path, _sqlite_templates: dict[str, Path]) -> None:
    db = loaded_copy(tmp_path, _sqlite_templates)
    short = hallterm("staff", "set-pin", "S1402", "--pin-stdin", db=db, stdin="12\n")
    assert short.returncode == 1 and "4–8 位数字" in short.stderr and "Traceback" not in short.stderr
    # Issue 16 point 5: the hall's rules at the command line (6 digits by default, no PIN a guesser tries first)
    four = hallterm("staff", "set-pin", "S1402", "--pin-stdin", db=db, stdin="5791\n")
    assert four.returncode == 1 and "至少 6 位" in four.stderr and "Traceback" not in four.stderr
    easy = hallterm("staff", "set-pin", "S1402", "--pin-stdin", db=db, stdin="123456\n")
    assert easy.returncode == 1 and "过于简单" in easy.stderr
    unknown = hallterm("staff", "set-pin", "S9999", "--pin-stdin", db=db, stdin="1234\n")
    assert unknown.returncode == 1 and "不存在" in unknown.stderr


def test_set_pin_without_a_terminal_says_how_instead_of_a_traceback(tmp_path: Path,
                                                                   _sqlite_templates: dict[str, Path]) -> None:
    db = loaded_copy(tmp_path, _sqlite_templates)
    no_tty = hallterm("staff", "set-pin", "S1402", db=db)  # stdin is a pipe, not a terminal
    assert no_tty.returncode == 1 and "--pin-stdin" in no_tty.stderr
    assert "Traceback" not in no_tty.stderr and "Warning" not in no_tty.stderr
    nobody = hallterm("staff", "set-pin", "S9999", db=db)  # an unknown ID is said before any PIN is asked
    assert nobody.returncode == 1 and "S9999 不存在" in nobody.stderr and "PIN（" not in nobody.stdout


def test_a_query_on_a_database_that_is_not_there_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "hal.sqlite3"
    for args in (("cards", "lookup", "GD2022A000258"), ("sweep",), ("staff", "set-pin", "S1401", "--pin-stdin")):
        run = hallterm(*args, db=missing, stdin="1234\n")
        assert run.returncode == 1 and "数据库文件不存在" in run.stderr and str(missing) in run.stderr, args
    assert not missing.parent.exists()  # no empty database, no folder, for a mistyped --db


def test_demo_rebuilds_after_real_use_and_refuses_a_real_database(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    assert hallterm("demo", "--no-ui", "--days", "1", db=db).returncode == 0
    svc = Services.open(load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db)}))
    try:  # use it: a case with an issued notice, as a newcomer trying the desk would
        from hallterm.domain.cases import CaseDraft
        from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
        from hallterm.services import cases, checklist, checklist_sheet

        with svc.db.read() as conn:
            card = conn.execute(select(card_holders.c.card_no).where(card_holders.c.status == "active",
                                                                     card_holders.c.tier == "A")).scalars().first()
        session = sign_in(svc, "S1401", "1234")
        view = cases.open_case(svc, session, CaseDraft(card, CaseKind.ENTERPRISE, ("QY-GSSL",),
                                                       EnterpriseKind.FOREIGN, "演示企业"))
        checklist.decide_item(svc, session, checklist_sheet.load(svc, view.id).items[0].case_item_id)
    finally:
        svc.close()
    again = hallterm("demo", "--no-ui", "--days", "1", db=db)
    assert again.returncode == 0, again.stderr
    # The same day, the same demo: today's copy, not a second half-minute of playing the month.
    assert "正在生成" not in again.stdout and "近 1 天办件" in again.stdout
    svc = Services.open(load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db)}))
    from hallterm.storage.tables import cases as case_table

    try:  # afresh: the case opened above is gone
        with svc.db.read() as conn:
            assert conn.execute(select(func.count()).where(case_table.c.case_no == view.case_no)).scalar_one() == 0
    finally:
        svc.close()
    kept = list((tmp_path / ".demo-cache").iterdir())
    assert kept and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    real = tmp_path / "hall.sqlite3"
    assert hallterm("reference", "load", db=real).returncode == 0
    refused = hallterm("demo", "--no-ui", "--days", "1", db=real)
    assert refused.returncode == 1 and "不是演示数据库" in refused.stderr
    assert real.exists()
