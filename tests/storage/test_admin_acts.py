"""Every administrative act is an event with who and when (issue 15 point 6), on SQLite and PostgreSQL.

Roster import, reference load and PIN set run through the real command line (``hallterm.cli.main``
in-process, as the operator types them); who is then the operating-system user running the command.
The supervisor's override happens only at the desk, and is checked through its use case. Backup,
restore and copy are in test_backup.py. Rule settings: tests/storage/test_rule_settings.py.
"""

from __future__ import annotations

import datetime as dt
import getpass
import io
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hallterm.cli import main
from hallterm.domain.events import EventKind, event_label
from hallterm.services import cases
from hallterm.services.admin_log import admin_log
from hallterm.services.context import Services
from hallterm.services.reference import REFERENCE_FILES
from hallterm.services.staff import StaffSession, set_pin, sign_in
from hallterm.storage.tables import events
from tests.cli.test_roster import GOOD_ROWS, csv_bytes
from tests.services.test_open_and_route import draft
from tests.storage.conftest import settings_for


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run ``hallterm --db URL …`` in-process; the log goes to tmp_path (a PostgreSQL hall's would go home)."""
    monkeypatch.setenv("HALLTERM_LOG_DIR", str(tmp_path / "logs"))

    def run(*args: str, stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return main(["--db", db_url, *args])

    return run


def admin_events(url: str, kind: EventKind) -> list[dict[str, Any]]:
    svc = Services.open(settings_for(url))
    try:
        with svc.db.read() as conn:
            rows = conn.execute(select(events).where(events.c.kind == kind).order_by(events.c.id)).all()
        return [{"at": r.at, "staff_id": r.staff_id, "case_id": r.case_id, "card_no": r.card_no,
                 **dict(r.details or {})} for r in rows]
    finally:
        svc.close()


def assert_by_os_user(event: dict[str, Any], started: dt.datetime) -> None:
    assert event["staff_id"] is None  # nobody signs in at the command line: the OS user is who
    assert event["by"] == getpass.getuser() and event["host"] == socket.gethostname()
    assert started <= event["at"] <= dt.datetime.now(dt.UTC)  # when: as it happened, in UTC


def test_a_roster_import_records_who_when_and_the_counts_but_no_holder(cli: Any, db_url: str, tmp_path: Path) -> None:
    roster = tmp_path / "名册.csv"
    roster.write_bytes(csv_bytes(GOOD_ROWS))
    started = dt.datetime.now(dt.UTC)
    assert cli("cards", "import", str(roster)) == 0
    assert cli("cards", "import", str(roster)) == 0  # again: the same holders, updated

    first, second = admin_events(db_url, EventKind.ROSTER_IMPORTED)
    for event in (first, second):
        assert_by_os_user(event, started)
        assert event["file"] == "名册.csv" and event["rows"] == 3 and event["encoding"] == "UTF-8"
    assert (first["inserted"], first["updated"]) == (3, 0)
    assert (second["inserted"], second["updated"]) == (0, 3)
    said = json.dumps(first, default=str, ensure_ascii=False)
    for row in GOOD_ROWS:  # no name, ID number, phone or card number of a holder in the log
        assert all(value not in said for value in (row[0], row[1], row[2], row[7]))
    assert event_label(EventKind.ROSTER_IMPORTED) == "导入持卡人名册"


def test_a_refused_roster_records_nothing(cli: Any, db_url: str, tmp_path: Path) -> None:
    roster = tmp_path / "bad.csv"
    roster.write_bytes(csv_bytes([*GOOD_ROWS, ["GD2022A000X", "无名", "1", "A", "", "", "", "", ""]]))
    assert cli("cards", "import", str(roster)) == 1
    assert admin_events(db_url, EventKind.ROSTER_IMPORTED) == []  # nothing was changed, so no act happened


def test_a_reference_load_records_who_when_the_counts_and_each_files_version(cli: Any, db_url: str) -> None:
    started = dt.datetime.now(dt.UTC)
    assert cli("reference", "load") == 0
    (event,) = admin_events(db_url, EventKind.REFERENCE_LOADED)
    assert_by_os_user(event, started)
    assert event["items"] > 5 and event["staff"] > 5 and event["lounges"] > 0 and event["materials"] > event["items"]
    assert set(event["files"]) == set(REFERENCE_FILES)
    assert all(len(digest) == 12 for digest in event["files"].values())  # which version, not the contents
    assert event["changed_files"] == list(REFERENCE_FILES)  # the first load: all of them are new


def test_a_reference_load_says_which_files_changed_since_the_last(
        cli: Any, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from hallterm.config_locations import SHIPPED_ASSETS

    assets = tmp_path / "assets"
    shutil.copytree(SHIPPED_ASSETS, assets, ignore=shutil.ignore_patterns("fonts", "__pycache__"))
    monkeypatch.setenv("HALLTERM_PATHS_ASSETS", str(assets))
    assert cli("reference", "load") == 0
    assert cli("reference", "load") == 0  # nothing edited
    items = assets / "items.toml"  # a promised day shortened (S6): the catalog's rule changes
    items.write_text(items.read_text(encoding="utf-8").replace("promised_days = 5", "promised_days = 4", 1),
                     encoding="utf-8")
    assert cli("reference", "load") == 0
    first, same, edited = admin_events(db_url, EventKind.REFERENCE_LOADED)
    assert same["changed_files"] == [] and same["files"] == first["files"]
    assert edited["changed_files"] == ["items.toml"]
    assert edited["files"]["items.toml"] != first["files"]["items.toml"]
    from hallterm.services.admin_log import what

    assert what(EventKind.REFERENCE_LOADED, edited).endswith("与上次载入相比改动：items.toml")
    assert event_label(EventKind.REFERENCE_LOADED) == "载入基础数据"


def test_a_pin_set_records_who_when_and_whose_pin_never_the_pin(cli: Any, db_url: str) -> None:
    assert cli("reference", "load") == 0
    started = dt.datetime.now(dt.UTC)
    assert cli("staff", "set-pin", "s1402", "--pin-stdin", stdin="579135\n") == 0
    (event,) = admin_events(db_url, EventKind.PIN_SET)
    assert_by_os_user(event, started)
    assert event["target"] == "S1402"
    assert "579135" not in json.dumps(event, default=str)
    assert event_label(EventKind.PIN_SET) == "设置密码"

    assert cli("staff", "set-pin", "S1402", "--pin-stdin", stdin="12\n") == 1  # refused: no act, no event
    assert len(admin_events(db_url, EventKind.PIN_SET)) == 1


def test_a_pin_set_by_a_signed_in_supervisor_records_the_staff_id(any_hall: Services, clock: list[dt.datetime]) -> None:
    set_pin(any_hall, "S1402", "2468", by="S1601")
    (event,) = admin_events(any_hall.db.url, EventKind.PIN_SET)
    assert event["staff_id"] == "S1601" and event["target"] == "S1402" and "by" not in event
    assert event["at"] == clock[0]


def test_a_supervisors_override_records_who_when_why_and_which_card(
        any_hall: Services, clock: list[dt.datetime], cards_for: Any) -> None:
    from sqlalchemy import update

    from hallterm.storage.tables import card_holders

    card_no = cards_for(any_hall)
    with any_hall.db.write() as conn:  # the card has been revoked: only a supervisor may let it through
        conn.execute(update(card_holders).where(card_holders.c.card_no == card_no).values(status="revoked"))
    set_pin(any_hall, "S1601", "8642")
    supervisor: StaffSession = sign_in(any_hall, "S1601", "8642")
    view = cases.open_case(any_hall, supervisor, draft(card_no, card_override_reason="注销系误操作，人才办已电话确认"))

    (event,) = admin_events(any_hall.db.url, EventKind.CARD_OVERRIDE)
    assert event["staff_id"] == "S1601" and event["at"] == clock[0]
    assert event["reason"] == "注销系误操作，人才办已电话确认" and event["verdict"] == "revoked"
    assert event["card_no"] == card_no and event["case_id"] == view.id
    history = cases.history(any_hall, view.id)
    assert [e.label for e in history if e.kind == EventKind.CARD_OVERRIDE] == ["特批放行"]
    (act,) = [a for a in admin_log(any_hall) if a.kind == EventKind.CARD_OVERRIDE]  # `hallterm db log`
    assert act.who.endswith("（S1601）") and len(act.who) > len("（S1601）")  # the supervisor's name and ID
    assert act.what == "放行已注销的卡，理由：注销系误操作，人才办已电话确认"


def test_the_log_lists_every_act_newest_first_with_who_when_and_what(
        cli: Any, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes(csv_bytes(GOOD_ROWS))
    assert cli("reference", "load") == 0
    assert cli("cards", "import", str(roster)) == 0
    assert cli("staff", "set-pin", "S1402", "--pin-stdin", stdin="579135\n") == 0
    monkeypatch.setenv("HALLTERM_APPOINTMENTS_HORIZON_DAYS", "14")
    assert cli("proxy", "list") == 0
    assert cli("db", "backup", str(tmp_path / "hall-backup.sqlite3")) == 0
    capsys.readouterr()

    assert cli("db", "log", "--json") == 0
    out = capsys.readouterr().out
    acts = json.loads(out.splitlines()[-1])
    assert [a["label"] for a in acts] == ["备份数据库", "规则设置变更", "设置密码", "导入持卡人名册", "载入基础数据",
                                          "规则设置变更"]  # the first: the baseline, as `reference load` started
    user = f"系统用户 {getpass.getuser()}@{socket.gethostname()}"
    assert all(a["who"] == user for a in acts)
    assert acts[1]["what"] == "hallterm proxy 启动时：可预约今后几天（appointments.horizon_days）：30 → 14"
    assert acts[2]["what"] == "工号 S1402 的 PIN（并解除锁定）"
    assert acts[3]["what"] == "名册 roster.csv（UTF-8）：3 人，新增 3，更新 0"
    assert acts[-1]["what"].startswith("首次记录在用的规则设置")
    assert "579135" not in out and GOOD_ROWS[0][1] not in out  # no PIN, no holder's name
    assert "设置密码　" + user + "　工号 S1402" in out  # the readable lines too

    assert cli("db", "log", "--limit", "2") == 0
    assert capsys.readouterr().out.count("\n  ") == 2


def test_who_is_the_system_user_of_the_process_that_ran_the_command(db_url: str, tmp_path: Path) -> None:
    """A real process, as the hall runs it: the login name it runs under is who (LOGNAME, as getpass reads it)."""
    import os
    import subprocess
    import sys

    from hallterm.config_locations import PROJECT_ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env.update(LOGNAME="hall-admin", HALLTERM_LOG_DIR=str(tmp_path / "logs"))
    for args, stdin in ((("reference", "load"), ""), (("staff", "set-pin", "S1501", "--pin-stdin"), "808017\n")):
        run = subprocess.run([sys.executable, "-m", "hallterm", "--db", db_url, *args], cwd=PROJECT_ROOT, env=env,
                             input=stdin, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
    (pin,) = admin_events(db_url, EventKind.PIN_SET)
    (rules,) = admin_events(db_url, EventKind.RULE_SETTINGS_CHANGED)
    assert pin["by"] == rules["by"] == "hall-admin" and pin["target"] == "S1501"
