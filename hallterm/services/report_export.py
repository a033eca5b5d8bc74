"""The supervision report as files an inspector opens (S10; issue 14 point 1): JSON, CSV and XLSX.

Every writer takes a finished ``domain.report.Report`` and reads no database, so each can be tested on a
report made by hand. What they share:

* one value per cell as the report holds it: counts and minutes stay numbers, rates stay 0–1 rounded to 4
  decimals in every file (the XLSX shows them as percentages through its number format, the CSV and the
  JSON keep the fraction a script reads: 0.7368, not 0.7368421052631579),
  dates stay dates; a figure that could not be computed (``None``) is an empty cell, never 0;
* a text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` …) is shown as text
  (``cli_csv.neutralise``: CSV injection, OWASP), and a control character stored in a name is shown as
  its escape (``terminal_text.visible``: a spreadsheet is a display too, and openpyxl refuses them);
* the files are the owner's only (mode 0600; a folder made for the CSVs 0700), since they name staff;
* nothing is half-written: each file is written beside its target under a temporary name and renamed
  into place only when all of them are complete.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import io
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hallterm.cli_csv import neutralise
from hallterm.domain.errors import Refused
from hallterm.domain.os_errors import os_error_words
from hallterm.domain.rating import LEVEL_NAMES, Level
from hallterm.domain.report import FIGURE_BY_KEY, FIGURES, Report, Table, Unit, figure_explain, plain_text
from hallterm.domain.terminal_text import visible
from hallterm.linebreak import display_width

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

OVERVIEW_KEY = "overview"  # the CSV file and the first sheet's key: the period and the headline figures
OVERVIEW_TITLE = "概览"
UNIT_NAMES: dict[Unit, str] = {"count": "数量", "rate": "比率", "minutes": "分钟", "day": "天",
                               "date": "日期", "text": ""}
WHOLE_HALL = "全大厅"
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
MINUTES_FORMAT = "0.0"
MAX_WIDTH = 60  # a long note wraps in Excel's cell rather than making a column wider than the screen
RATE_DIGITS = 4  # a rate in the CSV and the JSON: 0.7368, not 0.7368421052631579 (0.01 % is plenty)

log = logging.getLogger(__name__)



_SHEET_NAME_SAFE = str.maketrans("[]:*?/\\", "［］：＊？／＼")


class ReportFileError(Refused):
    """A report file could not be written; ``str()`` says where, why and what to do."""


# --- JSON -------------------------------------------------------------------------------------------


def json_value(value: object, unit: Unit | None = None) -> object:
    """A cell as JSON has it: dates in ISO form, rates rounded to 4 decimals, everything else as it is (None
    stays null)."""
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    return round_rate(value, unit)


def round_rate(value: object, unit: Unit | None) -> object:
    """A rate (0–1) to ``RATE_DIGITS`` decimals; any other value as it is."""
    if unit == "rate" and isinstance(value, float):
        return round(value, RATE_DIGITS)
    return value


def ratings_json(report: Report) -> dict[str, int]:
    """``{"5": n, …, "1": n, "total": n}``: every level present, 0 where nobody chose it."""
    levels = {str(int(level)): int(report.ratings_by_level.get(int(level), 0)) for level in Level}
    return {**levels, "total": sum(levels.values())}


def report_json(report: Report, tz: dt.tzinfo | None = None) -> dict[str, Any]:
    """The report for scripts (``hallterm report --json``): every figure under its own key (rates 0–1 or
    null), ``ratings`` by level with the total, and every table as a list of objects under ``tables``."""
    generated = report.generated_at.astimezone(tz) if tz is not None else report.generated_at
    figures = {f.key: round_rate(report.figures.get(f.key), f.unit) for f in FIGURES}
    return {
        "period": {"start": report.period.start.isoformat(), "end": report.period.end.isoformat(),
                   "days": report.period.days},
        "section": report.section,
        "generated_at": generated.isoformat(),
        "empty": report.empty,
        **figures,
        "ratings": ratings_json(report),
        "tables": {t.key: [{c.key: json_value(v, c.unit) for c, v in zip(t.columns, row, strict=True)}
                           for row in t.rows] for t in report.tables},
    }


# --- what every file shows ---------------------------------------------------------------------------


def overview_rows(report: Report, tz: dt.tzinfo | None = None) -> list[tuple[str, str, object, str, str]]:
    """(key, label, value, unit, explain) for the overview: the period, the section, the figures with how each
    is counted (截至统计时 first for those counted as things stand now), the ratings."""
    generated = report.generated_at.astimezone(tz) if tz is not None else report.generated_at
    rows: list[tuple[str, str, object, str, str]] = [
        ("period_start", "统计起始日", report.period.start, UNIT_NAMES["date"], ""),
        ("period_end", "统计截止日", report.period.end, UNIT_NAMES["date"], ""),
        ("section", "科室", report.section or WHOLE_HALL, "", ""),
        ("generated_at", "生成时间", f"{generated:%Y-%m-%d %H:%M}", "", "截至统计时的指标按此时刻计"),
    ]
    rows += [(f.key, f.label, report.figures.get(f.key), UNIT_NAMES[f.unit], figure_explain(f, report.section))
             for f in FIGURES]
    ratings = ratings_json(report)
    rows += [(f"ratings_{int(level)}", f"评价：{LEVEL_NAMES[level]}", ratings[str(int(level))], UNIT_NAMES["count"],
              "本期内收到的该等级评价数") for level in Level]
    return rows





def _unit_of(key: str) -> Unit:
    if key in FIGURE_BY_KEY:
        return FIGURE_BY_KEY[key].unit
    return "date" if key.startswith("period_") else "count" if key.startswith("ratings_") else "text"


def safe_text(value: str) -> str:
    """Text as a spreadsheet cell shows it: control characters visible, a would-be formula as text."""
    return neutralise(visible(value))


# --- CSV ---------------------------------------------------------------------------------------------


def csv_cell(value: object) -> str:
    if value is None:
        return ""  # no data: an empty cell, never 0
    if (plain := plain_text(value)) is not None:
        return plain
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)  # a number is never neutralised: -1 stays -1
    return safe_text(str(value))


def _csv_text(header: Sequence[str], rows: Sequence[Sequence[object]],
              units: Sequence[Sequence[Unit]] | None = None) -> str:
    """The CSV's text; ``units`` (row by row, cell by cell) rounds the rates to ``RATE_DIGITS`` decimals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in header])
    for n, row in enumerate(rows):
        cell_units: Sequence[Unit | None] = units[n] if units is not None else [None] * len(row)
        writer.writerow([csv_cell(round_rate(cell, unit)) for cell, unit in zip(row, cell_units, strict=True)])
    return buffer.getvalue()


def csv_files(report: Report, tz: dt.tzinfo | None = None) -> list[tuple[str, str]]:
    """(file name, text) of every CSV: the overview first, then one per table."""
    rows = overview_rows(report, tz)
    overview = [(label, value, unit, key, explain) for key, label, value, unit, explain in rows]
    units: list[list[Unit]] = [["text", _unit_of(key), "text", "text", "text"] for key, *_ in rows]
    files = [(f"{OVERVIEW_KEY}.csv", _csv_text(("指标", "数值", "单位", "键", "口径"), overview, units))]
    taken = {OVERVIEW_KEY}
    files += [(f"{_file_stem(t.key, taken)}.csv",
               _csv_text([c.title for c in t.columns], t.rows, [[c.unit for c in t.columns]] * len(t.rows)))
              for t in report.tables]
    return files


def _file_stem(key: str, taken: set[str]) -> str:
    """The table's key as a file name: letters, digits, - and _ only (a key is never a path), unique."""
    stem = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in key) or "table"
    name, n = stem, 2
    while name in taken:
        name, n = f"{stem}_{n}", n + 1
    taken.add(name)
    return name


def write_csv(report: Report, directory: Path, tz: dt.tzinfo | None = None) -> list[Path]:
    """One UTF-8-with-BOM file per table (Excel opens the Chinese as it is) and ``overview.csv``, in
    ``directory`` (made 0700 when missing); all or none of them replace what was there."""
    return write_files(report, csv_dir=directory, tz=tz)


def write_files(report: Report, *, csv_dir: Path | None = None, xlsx: Path | None = None,
                tz: dt.tzinfo | None = None) -> list[Path]:
    """The CSVs in ``csv_dir`` and the workbook ``xlsx``, together: all of them are written or none (a folder
    made for the CSVs is removed again); the paths written, CSVs first."""
    if csv_dir is not None:
        check_csv_dir(csv_dir)
    if xlsx is not None:
        check_xlsx_path(xlsx)
    files: list[tuple[Path, bytes]] = []
    if csv_dir is not None:
        files += [(csv_dir / name, ("\ufeff" + text).encode("utf-8")) for name, text in csv_files(report, tz)]
    if xlsx is not None:
        files.append((xlsx, xlsx_bytes(report, tz)))
    made = csv_dir is not None and not csv_dir.exists()
    if csv_dir is not None:
        try:
            csv_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise _file_error(csv_dir, exc, "目录") from None
    try:
        _commit(files)
    except ReportFileError:
        if made and csv_dir is not None:  # nothing half-written: not even the empty folder stays
            with contextlib.suppress(OSError):
                csv_dir.rmdir()
        raise
    return [path for path, _data in files]


# --- XLSX --------------------------------------------------------------------------------------------


def write_xlsx(report: Report, path: Path, tz: dt.tzinfo | None = None) -> None:
    """One workbook (``xlsx_bytes``) at ``path``, mode 0600, replacing what was there only when complete."""
    write_files(report, xlsx=path, tz=tz)


def xlsx_bytes(report: Report, tz: dt.tzinfo | None = None) -> bytes:
    """The workbook: the overview sheet 概览 first, then one sheet per table; Chinese headers in bold on a
    frozen first row, columns wide enough for their Chinese, numbers as numbers, dates as dates."""
    # lazy: openpyxl (~0.3 s) loads only when a workbook is asked for
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = OVERVIEW_TITLE
    overview = overview_rows(report, tz)
    _fill(sheet, ("指标", "数值", "单位", "口径"),
          [(label, value, unit, explain) for _key, label, value, unit, explain in overview],
          ("text", "text", "text", "text"), value_units=[_unit_of(key) for key, *_ in overview])
    titles: set[str] = {OVERVIEW_TITLE}
    for table in report.tables:
        _fill(book.create_sheet(_sheet_title(table, titles)), [c.title for c in table.columns], table.rows,
              [c.unit for c in table.columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(table: Table, taken: set[str]) -> str:
    """The table's Chinese title as the sheet's name: at most 31 characters, unique; the characters Excel
    refuses in a sheet's name ([]:*?/\\) become their full-width forms, which read the same in Chinese."""
    base = visible(table.title).translate(_SHEET_NAME_SAFE).strip("'")[:31] or table.key[:31]
    title, n = base, 2
    while title.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def _fill(sheet: Worksheet, header: Sequence[str], rows: Sequence[Sequence[object]], units: Sequence[Unit],
          value_units: Sequence[Unit] | None = None) -> None:
    """Write header and rows; ``value_units`` (the overview) gives the unit of column 2 row by row."""
    # lazy: with write_xlsx, the only caller
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    widths = [display_width(safe_text(h)) for h in header]
    sheet.append([safe_text(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            unit = value_units[r - 2] if value_units is not None and c == 2 else units[c - 1]
            shown = _xlsx_cell(sheet.cell(row=r, column=c), value, unit)
            widths[c - 1] = max(widths[c - 1], display_width(shown))
    sheet.freeze_panes = "A2"  # the header stays in view while the inspector scrolls
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = min(width + 2, MAX_WIDTH)


def _xlsx_cell(cell: Any, value: object, unit: Unit) -> str:
    """Put ``value`` in ``cell`` as its own type; return the text Excel will show (for the column width)."""
    if value is None or value == "":
        return ""  # an empty cell (openpyxl would write "" as an inline string)
    if isinstance(value, bool):
        cell.value = "是" if value else "否"
        return str(cell.value)
    if isinstance(value, dt.datetime):
        cell.value = f"{value:%Y-%m-%d %H:%M}"  # Excel has no time zones: the hall's wall time, as text
        return str(cell.value)
    if isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return "2026-12-31"
    if isinstance(value, int | float):
        cell.value = round_rate(value, unit)  # the same 4 decimals as the CSV and the JSON
        if unit == "rate":
            cell.number_format = PERCENT_FORMAT
            return f"{value:.1%}"
        if isinstance(value, float):
            cell.number_format = MINUTES_FORMAT if unit == "minutes" else "0.00"
            return f"{value:.2f}"
        return str(value)
    text = safe_text(str(value))
    cell.value = text
    cell.data_type = "s"  # openpyxl writes a str starting with "=" as a formula: never from data
    return text


# --- writing, all or nothing --------------------------------------------------------------------------


def check_csv_dir(directory: Path) -> None:
    """Refuse before any work when the CSVs cannot go to ``directory`` (not a folder, not writable)."""
    try:
        _check_csv_dir(directory)
    except OSError as exc:  # a name too long for the file system: exists() raises instead of answering
        raise _file_error(directory, exc, "目录") from None


def _check_csv_dir(directory: Path) -> None:
    if directory.exists():
        if not directory.is_dir():
            raise ReportFileError(f"{directory} 已存在但不是目录：--csv 需要一个目录，请换一个目录名")
        if not os.access(directory, os.W_OK | os.X_OK):
            raise ReportFileError(f"目录 {directory} 不可写：请换一个有写权限的目录（--csv），报表未保存")
        return
    parent = _existing_parent(directory)
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ReportFileError(f"无法创建目录 {directory}（{parent} 不可写或不是目录）："
                              "请换一个有写权限的位置（--csv），报表未保存")


def check_xlsx_path(path: Path) -> None:
    """Refuse before any work when the workbook cannot be written at ``path``."""
    try:
        _check_xlsx_path(path)
    except OSError as exc:  # as above
        raise _file_error(path, exc) from None


def _check_xlsx_path(path: Path) -> None:
    if path.is_dir():
        raise ReportFileError(f"{path} 是一个目录：--xlsx 需要一个文件名，请写成例如 {path / '报表.xlsx'}")
    if path.suffix.lower() != ".xlsx":
        raise ReportFileError(f"{path} 不是 .xlsx 文件名：请写成例如 --xlsx 报表.xlsx（Excel 按扩展名识别工作簿）")
    parent = path.parent
    if not parent.is_dir():
        raise ReportFileError(f"目录 {parent} 不存在：请先创建它，或把 --xlsx 写到已有的目录中，报表未保存")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ReportFileError(f"无法写入 {path}：没有写权限。请换一个有写权限的位置（--xlsx），报表未保存")


def _existing_parent(path: Path) -> Path:
    for parent in path.absolute().parents:
        if parent.exists():
            return parent
    return Path("/")


def _file_error(path: Path, exc: OSError, what: str = "文件") -> ReportFileError:
    """The Chinese line a clerk reads; the system's own words (English) only in the log."""
    log.warning("report file %s not written: %s", path, exc)
    reason = os_error_words(exc)
    advice = "请腾出空间或换一个位置" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "请换一个可写入的位置"
    return ReportFileError(f"无法写入{what} {path}：{reason}。{advice}，报表未保存")


def _commit(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write every file beside its target under a temporary name (0600), then rename them all into place;
    on a failure while writing, remove what was staged, so each target is the old file or the new one."""
    staged: list[tuple[Path, Path]] = []
    current = files[0][0] if files else Path()
    try:
        for path, data in files:
            current = path
            staged.append((_stage(path, data), path))
        for temp, path in staged:
            current = path
            os.replace(temp, path)  # atomic within the folder; the temporary file's mode 0600 comes along
    except OSError as exc:
        raise _file_error(current, exc) from None
    finally:
        for temp, _path in staged:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


def _stage(path: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)  # mode 0600
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    return temp
