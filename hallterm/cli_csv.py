"""CSV files the command line writes for the phone desk (call lists with names and phone numbers).

UTF-8 with a BOM, so Excel opens the Chinese as it is; a cell that starts like a formula is shown as
text (CSV injection, OWASP); the file is readable by its owner only, since it holds personal data.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from hallterm.domain.errors import Refused

# A cell a spreadsheet would run as a formula: shown as text instead.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CallListFileError(Refused):
    """The CSV file could not be written; ``str()`` says where and why."""


def neutralise(value: str) -> str:
    """A cell starting like a formula is prefixed with ' so the spreadsheet shows it as text.

    Leading blanks are looked through and full-width signs (＝＋－＠) count too: spreadsheets trim
    the one and an input method's conversion turns the other into a formula.
    """
    if value.startswith(FORMULA_START):
        return "'" + value
    first = value.lstrip(" \u3000\t\r\n\v\f")[:1]
    return "'" + value if first and unicodedata.normalize("NFKC", first) in FORMULA_START else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(str(cell)) for cell in row])
    return buffer.getvalue()


def write_private(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 with a BOM, mode 0600 even over an existing file."""
    data = ("\ufeff" + text).encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise CallListFileError(f"无法写入 {path}：{exc.strerror or exc}；名单未保存，请换一个位置") from None
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o600)  # an existing file keeps its mode through O_CREAT: tighten it
        out.write(data)
