"""Reading the hall's calendar files (assets/calendar/*.toml) into a WorkCalendar.

The parsing and the rules are in ``hallterm.domain.calendar_files``; this module only finds and
reads the files. Stdlib only: the CLI's ``calendar check`` and the desk use it without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hallterm.domain.calendar_files import (
    LOCAL_FILE_NAME,
    YEAR_FILE,
    CalendarFileError,
    LocalAdjustments,
    YearSchedule,
    build_calendar,
    parse_local_file,
    parse_year_file,
)
from hallterm.domain.workdays import WorkCalendar

CALENDAR_DIR = "calendar"


@dataclass(frozen=True)
class CalendarFiles:
    directory: Path
    years: tuple[YearSchedule, ...]
    local: LocalAdjustments | None


def calendar_dir(assets_dir: Path) -> Path:
    return assets_dir / CALENDAR_DIR


def read_calendar_files(assets_dir: Path) -> CalendarFiles:
    """Parse every ``*.toml`` in ``assets/calendar``; the first bad file raises CalendarFileError."""
    directory = calendar_dir(assets_dir)
    years: list[YearSchedule] = []
    local: LocalAdjustments | None = None
    paths = sorted(directory.glob("*.toml")) if directory.is_dir() else []
    for path in paths:
        text = _read(path)
        match = YEAR_FILE.fullmatch(path.name)
        if match:
            years.append(parse_year_file(text, str(path), int(match.group(1))))
        elif path.name == LOCAL_FILE_NAME:
            local = parse_local_file(text, str(path))
        else:
            raise CalendarFileError(str(path), None, f"文件名应为 年份.toml（如 2027.toml）或 {LOCAL_FILE_NAME}；"
                                                     "其他文件请不要以 .toml 结尾")
    return CalendarFiles(directory, tuple(years), local)


def default_calendar(assets_dir: Path) -> WorkCalendar:
    """chinese-calendar plus the hall's year files and local adjustments (which win)."""
    files = read_calendar_files(assets_dir)
    return build_calendar(files.years, files.local)


# Who may add a year file: they are told which file; everyone else what it means for them and whom to tell.
CALENDAR_ADMIN_ROLES = frozenset({"admin", "supervisor"})


def missing_year_warning(year: int, role: str) -> str:
    """The one-line banner for a year in the next 365 days without the State Council's holiday schedule."""
    if role in CALENDAR_ADMIN_ROLES:
        return (f"缺少{year}年节假日安排，落在该年的期限为估算（已除去法定节假日，调休未计）；"
                f"国务院公布后添加 assets/calendar/{year}.toml（hallterm calendar check 可检查）")
    return f"{year}年节假日未导入：跨年期限为估算，请告知管理员"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CalendarFileError(str(path), None, "不是 UTF-8 编码，请另存为 UTF-8") from None
    except OSError as exc:
        raise CalendarFileError(str(path), None, f"无法读取：{exc.strerror or exc}") from None
