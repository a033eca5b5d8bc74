"""Settings that change a rule: each program records them when they differ from the last recorded
(issue 15 point 6), on SQLite and PostgreSQL, through the real command line."""

from __future__ import annotations

import getpass
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from hallterm.config import load_settings
from hallterm.config_locations import SHIPPED_ASSETS
from hallterm.domain.events import EventKind, event_label
from hallterm.services.rule_settings import RULE_SETTINGS, describe, rule_values
from tests.storage.conftest import run_each_together
from tests.storage.test_admin_acts import admin_events

CHANGED = EventKind.RULE_SETTINGS_CHANGED


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``hallterm --db URL …`` in-process, with ``HALLTERM_*`` settings of that run only."""
    from hallterm.cli import main

    def run(*args: str, **settings: str) -> int:
        with monkeypatch.context() as m:
            m.setenv("HALLTERM_LOG_DIR", str(tmp_path / "logs"))
            for key, value in settings.items():
                m.setenv(f"HALLTERM_{key.upper()}", value)
            return main(["--db", db_url, *args])

    return run


def test_the_first_start_records_the_baseline_then_only_changes_with_old_and_new(cli: Any, db_url: str) -> None:
    secret = "s3cret-signing-key-0123456789-abcdef"
    assert cli("reference", "load", signing_secret=secret) == 0
    (baseline,) = admin_events(db_url, CHANGED)
    assert baseline["baseline"] is True and baseline["changed"] == {}
    assert baseline["program"] == "hallterm reference" and baseline["by"] == getpass.getuser()
    assert baseline["staff_id"] is None
    assert baseline["values"]["cards.eligible_tiers"] == "ABCD" and baseline["values"]["auth.max_failures"] == 5
    assert set(RULE_SETTINGS) <= set(baseline["values"])
    assert {"assets/hours.toml", "assets/staff.toml", "assets/calendar/local.toml"} <= set(baseline["values"])
    assert secret not in json.dumps(baseline, default=str)  # the signing secret is no rule, and never logged

    assert cli("proxy", "list") == 0
    assert cli("proxy", "list", printing_paper_mm="58") == 0  # a printer setting changes no rule
    assert len(admin_events(db_url, CHANGED)) == 1

    assert cli("proxy", "list", auth_max_failures="3", cards_eligible_tiers="ABCDE", printing_paper_mm="58") == 0
    assert cli("proxy", "list", auth_max_failures="3", cards_eligible_tiers="ABCDE") == 0  # as last recorded
    _, changed = admin_events(db_url, CHANGED)
    assert changed["baseline"] is False and changed["program"] == "hallterm proxy"
    assert changed["changed"] == {"auth.max_failures": [5, 3], "cards.eligible_tiers": ["ABCD", "ABCDE"]}
    assert changed["values"]["auth.max_failures"] == 3
    assert changed["by"] == getpass.getuser() and changed["at"] > baseline["at"]

    assert cli("proxy", "list") == 0  # back to the defaults: that is a change too
    *_, back = admin_events(db_url, CHANGED)
    assert back["changed"] == {"auth.max_failures": [3, 5], "cards.eligible_tiers": ["ABCDE", "ABCD"]}
    assert event_label(CHANGED) == "规则设置变更"
    assert describe("auth.max_failures") == "连续输错 PIN 几次锁定账号"


def test_a_changed_hours_file_or_calendar_is_recorded_by_its_digest(cli: Any, db_url: str, tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    shutil.copytree(SHIPPED_ASSETS, assets, ignore=shutil.ignore_patterns("fonts", "__pycache__"))
    assert cli("reference", "load", paths_assets=str(assets)) == 0

    hours = assets / "hours.toml"
    hours.write_text(hours.read_text(encoding="utf-8").replace("capacity = 2", "capacity = 3", 1), encoding="utf-8")
    local = assets / "calendar" / "local.toml"
    local.write_text(local.read_text(encoding="utf-8")
                     + '\n[[closures]]\nstart = 2026-12-24\nend = 2026-12-24\nreason = "大厅停电检修"\n',
                     encoding="utf-8")
    assert cli("proxy", "list", paths_assets=str(assets)) == 0

    baseline, changed = admin_events(db_url, CHANGED)
    assert set(changed["changed"]) == {"assets/hours.toml", "assets/calendar/local.toml"}
    for name, (old, new) in changed["changed"].items():
        assert old == baseline["values"][name] and new != old and len(new) == 12
    assert "大厅停电检修" not in json.dumps(changed, default=str, ensure_ascii=False)  # a digest, never the contents
    assert describe("assets/calendar/local.toml") == "节假日和本大厅的闭厅、调休安排"


RACER = """
import pathlib, sys, time
from hallterm.config import load_settings
from hallterm.services.context import Services
from hallterm.services.rule_settings import note_rule_settings
ready, go = map(pathlib.Path, sys.argv[1:3])
svc = Services.open(load_settings(), upgrade=False)
ready.touch()
while not go.exists():
    time.sleep(0.001)
print("recorded" if note_rule_settings(svc, "hallterm desk") else "same")
svc.close()
"""


def test_terminals_starting_at_once_with_new_rules_record_them_once(any_db: Any, tmp_path: Path) -> None:
    from hallterm.services.rule_settings import note_rule_settings

    assert note_rule_settings(any_db, "hallterm desk") is not None  # the baseline
    results = run_each_together(tmp_path, any_db.db.url, RACER, [[]] * 4, HALLTERM_QUEUE_RECALL_LIMIT="5")
    assert all(code == 0 for code, _out, _err in results), results
    assert sorted(out.strip() for _code, out, _err in results) == ["recorded", "same", "same", "same"]
    _baseline, changed = admin_events(any_db.db.url, CHANGED)
    assert changed["changed"] == {"queue.recall_limit": [3, 5]}


def test_every_rule_setting_names_a_real_setting() -> None:
    values = rule_values(load_settings(environ={}))
    for name in RULE_SETTINGS:  # a renamed setting would fail here, not silently drop out of the record
        assert name in values
    assert all(isinstance(v, str | int | bool) for v in values.values())
