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
from hallterm.domain.os_errors import os_error_words

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
    """Write ``text`` as UTF-8 with a BOM, mode 0600, whole or not at all.

    Written beside the target and renamed over it: a failure half-way (a full disk, a target that is no
    file, such as /proc/self/mem or a device) leaves the old file as it was and no half list behind.
    """
    data = ("\ufeff" + text).encode("utf-8")
    try:
        if path.exists() and not path.is_file():  # a folder (also "" and "."), a device, /proc/self/mem
            raise CallListFileError(f"无法写入 {path}：它不是普通文件（目录或设备）；名单未保存，请换一个文件名")
        temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CallListFileError(f"无法写入 {path}：{os_error_words(exc)}；名单未保存，请换一个位置") from None
