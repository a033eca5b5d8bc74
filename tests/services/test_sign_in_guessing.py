"""Issue 16 point 8: sign-in that resists guessing. Repeated lock-outs lengthen (15 min, then 1 h, then until a
supervisor unlocks), each lock-out and unlock is an event the supervisor reads in ``hallterm db log``, and an
unknown staff ID and a wrong PIN get the same message."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.config_locations import PROJECT_ROOT
from hallterm.domain.auth import AuthError
from hallterm.domain.events import EventKind
from hallterm.services.context import Services
from hallterm.services.staff import locked_accounts, set_pin, sign_in, unlock, wrong_id_or_pin
from hallterm.storage.tables import events

PIN = "2468"


@pytest.fixture
def settings(db_file: Path, tmp_path: Path) -> Settings:
    """Overrides the root fixture: the pepper (beside the signing key) in the test's own folder."""
    return load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file),
                                  "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "keys" / "signing.key")})


def refusal(svc: Services, staff_id: str, pin: str) -> str:
    with pytest.raises(AuthError) as refused:
        sign_in(svc, staff_id, pin)
    return str(refused.value)


def guess_five(svc: Services) -> str:
    """Five wrong PINs in a row: what the fifth is told."""
    for _ in range(4):
        refusal(svc, "S1401", "1111")
    return refusal(svc, "S1401", "1111")


def lockouts(svc: Services) -> list[dict[str, object]]:
    with svc.db.read() as conn:
        rows = conn.execute(select(events.c.staff_id, events.c.details)
                            .where(events.c.kind == EventKind.ACCOUNT_LOCKED).order_by(events.c.id)).all()
    assert {r.staff_id for r in rows} <= {"S1401"}
    return [r.details for r in rows]


def test_an_unknown_staff_id_and_a_wrong_pin_are_told_the_same(loaded: Services) -> None:
    set_pin(loaded, "S1401", PIN)
    wrong = refusal(loaded, "S1401", "1111")
    unknown = refusal(loaded, "S9999", "1111")
    typo = refusal(loaded, "s1410", "1111")  # a staff ID's shape (issue 16 point 3), nobody's
    assert wrong == unknown == typo == wrong_id_or_pin(5)
    assert "不存在" not in unknown and "还可再试" not in wrong
    # Letters in the PIN field are explained alike, whether the staff ID exists or not (and never counted).
    assert refusal(loaded, "S1401", "abcd") == refusal(loaded, "S9999", "abcd")


def test_lockouts_lengthen_then_wait_for_a_supervisor_who_unlocks_at_the_command_line(
    loaded: Services, clock: list[dt.datetime], settings: Settings, db_file: Path, tmp_path: Path
) -> None:
    set_pin(loaded, "S1401", PIN)
    assert "已锁定 15 分钟" in guess_five(loaded)
    assert "锁定" in refusal(loaded, "S1401", PIN)  # even the right PIN while locked

    clock[0] += dt.timedelta(minutes=16)  # the first lock-out ran out; the guesser goes on
    assert "已锁定 60 分钟" in guess_five(loaded)
    clock[0] += dt.timedelta(minutes=59)
    assert "锁定" in refusal(loaded, "S1401", PIN)  # 15 minutes would have ended long ago

    clock[0] += dt.timedelta(minutes=2)
    third = guess_five(loaded)
    assert "第 3 次被锁定" in third and "须由督查解锁" in third and "hallterm staff unlock S1401" in third
    clock[0] += dt.timedelta(days=30)  # no time lifts it
    assert "须由督查解锁" in refusal(loaded, "S1401", PIN)

    assert [(d["lockout"], d["minutes"], d["until_unlocked"]) for d in lockouts(loaded)] == [
        (1, 15, False), (2, 60, False), (3, None, True)]

    # The supervisor unlocks at the command line (a real process): recorded with the OS user who did it.
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env.update(LOGNAME="duty-supervisor", HALLTERM_LOG_DIR=str(tmp_path / "logs"),
               HALLTERM_SIGNING_KEY_FILE=str(settings.signing.key_path))

    def hallterm(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hallterm", "--db", sqlite_url(db_file), *args],
                              cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)

    done = hallterm("staff", "unlock", "s1401")
    assert done.returncode == 0, done.stderr
    assert "已解除 S1401 的锁定" in done.stdout
    again = hallterm("staff", "unlock", "S1401")
    assert again.returncode == 0 and "未被锁定" in again.stdout
    with loaded.db.read() as conn:
        (unlocked,) = conn.execute(select(events.c.details).where(events.c.kind == EventKind.ACCOUNT_UNLOCKED)
                                   ).scalars().all()  # the second, with nothing locked, recorded nothing
    assert unlocked["target"] == "S1401" and unlocked["by"] == "duty-supervisor"

    # The supervisor reads every lock-out and the unlock in the log of administrative acts.
    log = hallterm("db", "log")
    assert log.returncode == 0, log.stderr
    assert "工号 S1401 连续输错 PIN，第 1 次锁定 15 分钟" in log.stdout
    assert "第 2 次锁定 60 分钟" in log.stdout
    assert "第 3 次锁定，须由督查解锁" in log.stdout
    assert "解除工号 S1401 的锁定" in log.stdout and "duty-supervisor" in log.stdout

    assert sign_in(loaded, "S1401", PIN).staff_id == "S1401"
    assert "已锁定 15 分钟" in guess_five(loaded)  # unlocked and signed in: the next lock-out is the first again


def test_a_sign_in_between_lockouts_starts_the_count_again(loaded: Services, clock: list[dt.datetime]) -> None:
    set_pin(loaded, "S1401", PIN)
    assert "已锁定 15 分钟" in guess_five(loaded)
    clock[0] += dt.timedelta(minutes=16)
    sign_in(loaded, "S1401", PIN)  # the clerk herself, after the lock-out
    assert "已锁定 15 分钟" in guess_five(loaded)
    assert [d["lockout"] for d in lockouts(loaded)] == [1, 1]


def test_a_supervisor_unlock_is_recorded_with_the_signed_in_supervisor(loaded: Services) -> None:
    for staff_id in ("S1401", "S1402", "S1601"):
        set_pin(loaded, staff_id, PIN)
    clerk, supervisor = sign_in(loaded, "S1402", PIN), sign_in(loaded, "S1601", PIN)
    guess_five(loaded)
    with pytest.raises(AuthError, match="无权解除账号锁定"):
        unlock(loaded, "S1401", session=clerk)  # a clerk may not lift a colleague's lock-out
    with pytest.raises(AuthError, match="无权解除账号锁定"):
        locked_accounts(loaded, clerk)
    assert [a.staff_id for a in locked_accounts(loaded, supervisor)] == ["S1401"]
    assert unlock(loaded, "S1401", session=supervisor) is True
    assert locked_accounts(loaded, supervisor) == []
    assert sign_in(loaded, "S1401", PIN).staff_id == "S1401"
    with loaded.db.read() as conn:
        row = conn.execute(select(events.c.staff_id, events.c.details)
                           .where(events.c.kind == EventKind.ACCOUNT_UNLOCKED)).one()
    assert row.staff_id == "S1601" and row.details["target"] == "S1401"
    with pytest.raises(AuthError, match="不存在"):
        unlock(loaded, "S9999")
