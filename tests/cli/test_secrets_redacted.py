"""Issue 16 point 6: a database password never reaches the screen, an error or the log, whether it is
written in the user-info part (``user:pw@host``) or, as libpq allows, as a query parameter
(``?password=pw``). One function hides both (hallterm.domain.redaction), and every path uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hallterm.cli import main
from hallterm.domain.redaction import redact_url
from hallterm.logfile import without_password
from hallterm.storage.engine import safe_url

# Nothing listens on port 1: the command fails at once, with a message naming the database.
URL = "postgresql+psycopg://hall:userinfo-pw@127.0.0.1:1/hall?sslmode=disable&password=query-pw&sslpassword=ssl-pw"


def test_the_one_redaction_hides_every_kind_of_password_and_keeps_the_rest() -> None:
    shown = "postgresql+psycopg://hall:***@127.0.0.1:1/hall?sslmode=disable&password=***&sslpassword=***"
    assert redact_url(URL) == safe_url(URL) == without_password(URL) == shown
    # A SQLite path is shown exactly as given, even holding ":" and "@" (no user-info there).
    assert safe_url("sqlite:////srv/hall a:b@c/hall.sqlite3") == "sqlite:////srv/hall a:b@c/hall.sqlite3"
    # A password typed with "/" unencoded, and a URL SQLAlchemy cannot even parse, stay hidden too.
    assert redact_url("postgresql://hall:pa/ss@db/hall") == "postgresql://hall:***@db/hall"
    assert "pw" not in safe_url("postgresql://u:pw@[::1/hall?port=x&password=pw")


def test_hallterm_config_and_its_log_line_hide_a_password_given_as_a_query_parameter(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HALLTERM_DB_URL", URL)
    monkeypatch.setenv("HALLTERM_LOG_DIR", str(tmp_path))
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    log = (tmp_path / "hallterm-cli.log").read_text(encoding="utf-8")
    for text in (out, log):
        assert "hall:***@127.0.0.1:1/hall" in text and "password=***" in text
        assert "userinfo-pw" not in text and "query-pw" not in text and "ssl-pw" not in text


def test_an_error_naming_the_database_hides_a_password_given_as_a_query_parameter(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HALLTERM_LOG_DIR", str(tmp_path))
    assert main(["--db", URL, "db", "check"]) == 1
    err = capsys.readouterr().err
    assert "无法连接数据库" in err and "password=***" in err
    assert "userinfo-pw" not in err and "query-pw" not in err and "ssl-pw" not in err


@pytest.mark.parametrize(("name", "value", "secret"), [
    ("HALLTERM_DB_URL", "postgresql+psycopg://hall:pasted-pw@db/hall?password=query-pw\n", "pw"),
    ("HALLTERM_SIGNING_SECRET", "a-signing-secret-pasted-with-a-newline\n", "signing-secret"),
])
def test_a_bad_setting_holding_a_secret_is_refused_without_showing_it(name: str, value: str, secret: str) -> None:
    from hallterm.config import load_settings
    from hallterm.config_checks import ConfigError

    with pytest.raises(ConfigError) as refused:
        load_settings(environ={name: value})
    assert "控制字符" in str(refused.value) and name in str(refused.value)
    assert secret not in str(refused.value)


def test_a_database_url_with_bytes_that_are_not_utf8_is_refused_without_its_password(
        capsys: pytest.CaptureFixture[str]) -> None:
    # Linux hands undecodable argument bytes over as surrogates; the refusal names the argument.
    assert main(["--db", "postgresql+psycopg://hall:pw-\udcff-typed@db/hall?password=query-pw", "config"]) == 2
    err = capsys.readouterr().err
    assert "UTF-8" in err and "hall:***@db" in err
    assert "pw-" not in err and "query-pw" not in err
