"""Secrets hidden in addresses (issue 16 point 6), text made printable (issue 16 point 2), what counts as a
slip, the roster file's size limit: the newer rules of hallterm.domain at their edges."""

from __future__ import annotations

import json

import pytest

from hallterm.domain.payloads import is_slip
from hallterm.domain.redaction import HIDDEN, redact_url
from hallterm.domain.roster import MAX_FILE_BYTES, RosterFileError, file_too_big
from hallterm.domain.terminal_text import printable


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql+psycopg://hall:s3cret@db:5432/hall", f"postgresql+psycopg://hall:{HIDDEN}@db:5432/hall"),
    ("postgresql://hall:p@ss/w@rd@db/hall", f"postgresql://hall:{HIDDEN}@db/hall"),
    ("postgresql://hall@db/hall", "postgresql://hall@db/hall"),
    ("sqlite:////srv/a@b/hall.sqlite3", "sqlite:////srv/a@b/hall.sqlite3"),
    ("postgresql://db/hall?user=x&password=pw&sslmode=require",
     f"postgresql://db/hall?user=x&password={HIDDEN}&sslmode=require"),
    ("postgresql://db/hall?sslpassword=a&PWD=b&api_token=c&client_secret=d",
     f"postgresql://db/hall?sslpassword={HIDDEN}&PWD={HIDDEN}&api_token={HIDDEN}&client_secret={HIDDEN}"),
    ("postgresql://db/hall?password=&password&x=1", "postgresql://db/hall?password=&password&x=1"),
    ("postgresql://u:pw@db/hall?password=pw#frag", f"postgresql://u:{HIDDEN}@db/hall?password={HIDDEN}#frag"),
    ("db:5432/hall@x", "db:5432/hall@x"),
    ("", ""),
])
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert "s3cret" not in redact_url(url)


@pytest.mark.parametrize(("text", "shown"), [
    ("平常的文字 abc", "平常的文字 abc"),
    ("a\nb\tc", "a\nb\tc"),
    ("a\x1b[2Jb", "a\\u001b[2Jb"),
    ("\u202e", "\\u202e"),
    ("\x00", "\\u0000"),
    ("\U000e0001", "\\udb40\\udc01"),  # a format character past the BMP: a surrogate pair
    ("\U0001f600\x07", "\U0001f600\\u0007"),
])
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown
    if "\n" not in text and "\t" not in text:
        assert json.loads(f'"{shown}"') == text  # JSON's own escape: --json output stays valid


@pytest.mark.parametrize(("text", "slip"), [
    ("HT2:210300:Q", True), ("HT1:Q:x", True), ("HT2", False), ("HT3:1", False), ("XHT2:1", False), ("", False),
    ("GD2022A000178", False),
])
def test_is_slip(text: str, slip: bool) -> None:
    assert is_slip(text) is slip


def test_the_roster_file_size_limit() -> None:
    assert file_too_big(0) is None and file_too_big(MAX_FILE_BYTES) is None
    refusal = file_too_big(MAX_FILE_BYTES + 1)
    assert isinstance(refusal, RosterFileError)
    mb = MAX_FILE_BYTES // 1024 // 1024
    assert str(refusal).startswith(f"名册文件太大（{mb} MB），超过 {mb} MB 的上限，未读取")
    assert str(file_too_big(3 * MAX_FILE_BYTES)).startswith(f"名册文件太大（{3 * mb} MB）")
