"""Issue 16 point 5, PINs: a stolen database alone gives no PIN (a pepper kept beside the signing key is mixed
into every hash; hashes made before it keep working and are upgraded at the next sign-in), and the PINs a
guesser tries first, or too short for the hall's setting, are refused outside the demo."""

from __future__ import annotations

import itertools
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, update

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.domain import auth
from hallterm.domain.auth import AuthError
from hallterm.services.context import Services
from hallterm.services.pin_pepper import PepperError, load_pepper
from hallterm.services.staff import set_pin, sign_in
from hallterm.storage.tables import staff


def environ(db_file: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"HALLTERM_DB_URL": sqlite_url(db_file),
            "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "keys" / "signing.key"), **extra}


@pytest.fixture
def settings(db_file: Path, tmp_path: Path) -> Settings:
    """Overrides the root fixture: the pepper (beside the signing key) in the test's own folder."""
    return load_settings(environ=environ(db_file, tmp_path))


def stored_hash(svc: Services, staff_id: str) -> str:
    with svc.db.read() as conn:
        return str(conn.execute(select(staff.c.pin_hash).where(staff.c.staff_id == staff_id)).scalar_one())


def test_the_database_alone_gives_no_pin(loaded: Services, tmp_path: Path) -> None:
    """Who has the database file tries every 4-digit PIN against the hash, as scrypt allows: none matches.
    (On main the right one did: the hash was of the PIN alone.)"""
    set_pin(loaded, "S1401", "2468")
    stolen = stored_hash(loaded, "S1401")
    # The hash's own salt and cost, taken as a hash of the PIN alone (as main made them): the attacker's try.
    kind, _pepper_id, body = stolen.split("$", 2)
    as_if_plain = f"scrypt${body}"
    guesses = ("".join(digits) for digits in itertools.product("0123456789", repeat=4))
    assert not any(auth.verify_pin(guess, as_if_plain) or auth.verify_pin(guess, stolen) for guess in guesses)
    assert kind == "scrypt-pepper"
    pepper = loaded.settings.auth.pepper_path(loaded.settings.signing)
    assert pepper == tmp_path / "keys" / "pin-pepper.key"  # beside the signing key, not in the database
    assert stat.S_IMODE(pepper.stat().st_mode) == 0o600
    assert auth.verify_pin("2468", stolen, load_pepper(loaded.settings))
    assert sign_in(loaded, "S1401", "2468").staff_id == "S1401"


def test_a_pin_hashed_before_the_pepper_still_signs_in_and_is_upgraded(loaded: Services) -> None:
    old = auth.hash_pin("2468")  # as main stored it
    with loaded.db.write() as conn:
        conn.execute(update(staff).where(staff.c.staff_id == "S1401").values(pin_hash=old))
    with pytest.raises(AuthError):
        sign_in(loaded, "S1401", "1111")
    assert stored_hash(loaded, "S1401") == old  # a wrong PIN upgrades nothing
    assert sign_in(loaded, "S1401", "2468").staff_id == "S1401"
    upgraded = stored_hash(loaded, "S1401")
    assert upgraded.startswith("scrypt-pepper$") and not auth.verify_pin("2468", upgraded)
    assert sign_in(loaded, "S1401", "2468").staff_id == "S1401"


def test_another_computers_pepper_is_explained_and_never_counted(loaded: Services, tmp_path: Path) -> None:
    set_pin(loaded, "S1401", "2468")
    pepper = loaded.settings.auth.pepper_path(loaded.settings.signing)
    pepper.write_text("# another computer\n" + "x" * 43 + "\n", encoding="utf-8")
    for _ in range(6):  # more than the five that lock out
        with pytest.raises(AuthError, match="PIN 密钥") as refused:
            sign_in(loaded, "S1401", "2468")
    assert "复制到本机" in str(refused.value)
    with loaded.db.read() as conn:
        assert conn.execute(select(staff.c.failed_pins, staff.c.locked_until)
                            .where(staff.c.staff_id == "S1401")).one() == (0, None)


def test_a_pepper_file_others_can_read_is_refused_with_the_fix(loaded: Services) -> None:
    set_pin(loaded, "S1401", "2468")
    pepper = loaded.settings.auth.pepper_path(loaded.settings.signing)
    pepper.chmod(0o644)
    with pytest.raises(PepperError) as refused:
        sign_in(loaded, "S1401", "2468")
    assert f"chmod 600 {pepper}" in str(refused.value)


def test_the_pepper_from_the_environment_writes_no_file(db_file: Path, tmp_path: Path) -> None:
    settings = load_settings(environ=environ(db_file, tmp_path, HALLTERM_AUTH_PEPPER_SECRET="p" * 40))
    assert load_pepper(settings) == b"p" * 40
    assert not settings.auth.pepper_path(settings.signing).exists()
    assert "p" * 40 not in repr(settings)
    with pytest.raises(Exception, match="至少 32"):
        load_settings(environ=environ(db_file, tmp_path, HALLTERM_AUTH_PEPPER_SECRET="short"))


@pytest.mark.parametrize("pin", ["123456", "654321", "000000", "999999", "890123", "121212", "123123", "1234",
                                 "0000", "9876", "4545"])
def test_a_pin_a_guesser_tries_first_is_refused(loaded: Services, pin: str) -> None:
    with pytest.raises(AuthError, match="过于简单"):
        set_pin(loaded, "S1401", pin)
    assert auth.is_trivial(pin)


@pytest.mark.real_pin_policy
def test_the_hall_requires_six_digits_by_default(loaded: Services) -> None:
    assert loaded.settings.auth.min_pin_length == 6
    with pytest.raises(AuthError, match="至少 6 位") as refused:
        set_pin(loaded, "S1401", "2468")
    assert "auth.min_pin_length" in str(refused.value)
    set_pin(loaded, "S1401", "305718")
    assert sign_in(loaded, "S1401", "305718").staff_id == "S1401"


@pytest.mark.real_pin_policy
def test_a_hall_may_set_another_length_and_old_short_pins_still_sign_in(db_file: Path, tmp_path: Path,
                                                                        loaded: Services) -> None:
    set_pin(loaded, "S1401", "2468", demo=True)  # set before the rule (as on main): still signs in
    assert sign_in(loaded, "S1401", "2468").staff_id == "S1401"
    four = Services.open(load_settings(environ=environ(db_file, tmp_path, HALLTERM_AUTH_MIN_PIN_LENGTH="4")))
    try:
        set_pin(four, "S1402", "2468")
        with pytest.raises(AuthError, match="过于简单"):
            set_pin(four, "S1402", "1234")
    finally:
        four.close()
    with pytest.raises(Exception, match="4–8"):
        load_settings(environ=environ(db_file, tmp_path, HALLTERM_AUTH_MIN_PIN_LENGTH="3"))


@pytest.mark.real_pin_policy
def test_the_demo_keeps_its_1234(loaded: Services) -> None:
    from hallterm.services.demo import DEMO_PIN

    set_pin(loaded, "S1401", DEMO_PIN, demo=True)
    assert sign_in(loaded, "S1401", DEMO_PIN).staff_id == "S1401"
    with pytest.raises(AuthError, match="过于简单"):
        set_pin(loaded, "S1401", "123456")  # the same PIN rules outside the demo


def test_hallterm_config_says_where_the_pepper_is_and_never_shows_it(
    db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hallterm.cli import main

    for name, value in environ(db_file, tmp_path).items():
        monkeypatch.setenv(name, value)
    assert main(["config"]) == 0
    assert f"PIN 密钥（各台电脑须相同）：文件 {tmp_path / 'keys' / 'pin-pepper.key'}" in capsys.readouterr().out
    monkeypatch.setenv("HALLTERM_AUTH_PEPPER_SECRET", "q" * 40)
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "环境变量 HALLTERM_AUTH_PEPPER_SECRET" in out and "q" * 40 not in out
    assert "auth.pepper_secret = '（已设置，不显示）'" in out
