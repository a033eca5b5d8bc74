"""Issue 16 point 4: no personal data in errors.

On PostgreSQL an over-long employer once crashed the roster import with a traceback listing the row's
full resident ID number (SQLAlchemy quotes a failed statement's parameters). Now the engine hides
parameters, every database error a clerk or the command line sees is one plain line without data, the
log holds no row data either, and the import checks each field against its column's own limit first.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import String

from hallterm.domain import roster
from hallterm.domain.roster import COLUMNS
from hallterm.services.context import Services
from hallterm.services.demo import demo_rows
from hallterm.services.errors import explain
from hallterm.storage import holders
from hallterm.storage.tables import card_holders
from tests.storage.conftest import settings_for


def test_an_over_long_value_on_postgresql_leaves_its_row_in_no_message_and_no_log(
        pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    svc = Services.open(settings_for(pg_url))
    try:
        row = dataclasses.replace(demo_rows(svc, 1)[0], phone="13912345678", employer="鞍" * 300)
        caplog.set_level(logging.DEBUG)
        with pytest.raises(Exception) as failed, svc.db.write() as conn:  # past every check: straight to the table
            holders.upsert_rows(conn, [row], svc.now())
        line = explain(failed.value, pg_url)
    finally:
        svc.close()

    assert "value too long" in str(failed.value)  # the failure it must be, not another one
    for secret in (row.id_number, row.name, row.phone, "鞍" * 50):
        assert secret not in str(failed.value), "the engine must hide a statement's parameters"
        assert secret not in line
        assert secret not in caplog.text
    assert "\n" not in line and "数据库" in line
    assert "SELECT" not in line and "INSERT" not in line and "parameters" not in line


def test_the_import_checks_each_field_against_its_columns_own_limit() -> None:
    limits = {"card_no": roster.MAX_CARD_NO, "name": roster.MAX_NAME, "employer": roster.MAX_EMPLOYER,
              "phone": roster.MAX_PHONE, "id_number": 18, "tier": 1}
    for column, limit in limits.items():
        kind = card_holders.c[column].type
        assert isinstance(kind, String) and kind.length == limit, column


def roster_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_cards_import_on_postgresql_refuses_over_long_fields_naming_the_line_without_the_row(
        pg_url: str, tmp_path: Path) -> None:
    svc = Services.open(settings_for(pg_url))
    try:
        good = demo_rows(svc, 2)
    finally:
        svc.close()
    rows = [[getattr(r, c) if c not in ("issued_on", "expires_on", "status") else str(getattr(r, c).value
             if c == "status" else getattr(r, c)) for c in COLUMNS] for r in good]
    rows[0][COLUMNS.index("employer")] = "鞍钢" * 150
    rows[1][COLUMNS.index("name")] = "张" * 80
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(rows))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env.update(PYTHONUTF8="1", HALLTERM_LOG_DIR=str(tmp_path / "log"))

    done = subprocess.run([sys.executable, "-m", "hallterm", "--db", pg_url, "cards", "import", str(path)],
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=tmp_path, timeout=120,
                          check=False)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "第 2 行：工作单位过长（最多 200 个字）" in done.stderr
    assert "第 3 行：姓名过长（最多 64 个字）" in done.stderr
    log = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "log").glob("*.log"))
    for r in good:
        assert r.id_number not in done.stdout + done.stderr + log
    assert "Traceback" not in done.stderr + log


def test_a_database_error_is_logged_without_the_values_the_server_quotes(pg_url: str, tmp_path: Path) -> None:
    """PostgreSQL's own text quotes values (``DETAIL: Key (card_no)=(GD…) already exists``, ``invalid input
    syntax … "…"``): the hall's log keeps the traceback and the SQLSTATE, not that text."""
    from sqlalchemy import insert

    from hallterm import logfile

    settings = settings_for(pg_url, log_dir=str(tmp_path / "log"))
    svc = Services.open(settings)
    try:
        row = demo_rows(svc, 1)[0]
        values = {"card_no": row.card_no, "name": row.name, "id_number": row.id_number, "tier": row.tier,
                  "issued_on": row.issued_on, "expires_on": row.expires_on, "status": row.status.value,
                  "phone": row.phone, "employer": row.employer, "updated_at": svc.now()}
        with svc.db.write() as conn:
            conn.execute(insert(card_holders).values(values))
        path = logfile.setup("cli", settings)
        assert path is not None
        with pytest.raises(Exception) as failed, svc.db.write() as conn:
            conn.execute(insert(card_holders).values(values))  # the same card again: a unique violation
        line = explain(failed.value, pg_url)
    finally:
        svc.close()
        logfile.close()

    assert row.card_no in str(failed.value)  # the server did quote it: the test must need the guard
    log = path.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "23505" in log  # still of use to the technician
    assert "IntegrityError" in log and "test_errors_without_data.py" in log
    for secret in (row.card_no, row.id_number, row.name):
        assert secret not in log
        assert secret not in line


def test_a_database_fault_at_the_command_line_is_one_line_and_the_log_holds_no_row(
        pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Were a length check ever missing, the database's refusal must still reach no one with the row."""
    from hallterm.cli import main

    svc = Services.open(settings_for(pg_url))
    try:
        good = demo_rows(svc, 1)[0]
    finally:
        svc.close()
    cells = {c: str(getattr(good, c).value if c == "status" else getattr(good, c)) for c in COLUMNS}
    cells["employer"] = "鞍钢" * 150
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv([[cells[c] for c in COLUMNS]]))
    monkeypatch.setattr(roster, "MAX_EMPLOYER", 10_000)  # the check that would have caught it, gone
    monkeypatch.setenv("HALLTERM_LOG_DIR", str(tmp_path / "log"))

    code = main(["--db", pg_url, "cards", "import", str(path)])

    out, err = capsys.readouterr()
    assert code == 1
    assert out == "" and err.count("\n") == 1 and "程序内部错误" in err  # one plain line
    log = (tmp_path / "log" / "hallterm-cli.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "SQLSTATE 22001" in log  # string data right truncation
    for secret in (good.id_number, good.name, good.phone, "鞍钢" * 20):
        assert secret not in out + err
        assert secret not in log
