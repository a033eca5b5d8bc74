"""The talent office's roster CSV: decoding and checking every row before anything is written.

Columns: card_no,name,id_number,tier,issued_on,expires_on,status,phone,employer. Saved as UTF-8
(with or without BOM) or GB18030, which is what Excel on a Chinese Windows writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass

from hallterm.domain.cards import CardFormat, ScanError
from hallterm.domain.errors import Refused
from hallterm.domain.holders import TIERS, CardStatus
from hallterm.domain.ids import mask_id, resident_id_problem
from hallterm.domain.terminal_text import hidden_characters, visible

COLUMNS = ("card_no", "name", "id_number", "tier", "issued_on", "expires_on", "status", "phone", "employer")
# Headers as the talent office's Chinese Excel template may write them.
HEADER_ALIASES = {
    "卡号": "card_no", "英才卡号": "card_no", "姓名": "name", "身份证号": "id_number",
    "身份证号码": "id_number", "类别": "tier", "等级": "tier", "发卡日期": "issued_on",
    "有效期至": "expires_on", "状态": "status", "电话": "phone", "手机": "phone",
    "联系电话": "phone", "工作单位": "employer", "单位": "employer",
}
STATUS_ALIASES = {
    "active": CardStatus.ACTIVE, "有效": CardStatus.ACTIVE, "正常": CardStatus.ACTIVE,
    "expired": CardStatus.EXPIRED, "过期": CardStatus.EXPIRED, "已过期": CardStatus.EXPIRED,
    "revoked": CardStatus.REVOKED, "注销": CardStatus.REVOKED, "已注销": CardStatus.REVOKED,
}
# Longest text each column holds (storage/tables.py card_holders: PostgreSQL refuses a longer value).
# tests/storage/test_errors_without_data.py ties each to its column: an over-long value is refused here,
# naming the line, never by the database with the row in its error (issue 16 point 4).
MAX_CARD_NO = 32
MAX_NAME = 64
MAX_EMPLOYER = 200
MAX_PHONE = 32
# Issue 16 point 11: a 106 MB file printed 400,000 error lines with full ID numbers. A roster of the
# city's card holders is a few MB (about 120 bytes a holder); 50 MB is far past it and refused unread.
MAX_FILE_BYTES = 50 * 1024 * 1024
SHOWN_ERRORS = 50  # error lines listed; the rest are counted
# A run of 11 or more digits in a quoted cell is an ID or phone number (or a column shifted onto one):
# masked as the lookup masks IDs (PIPL: no personal data in error output).
_LONG_NUMBER = re.compile(r"[0-9]{11,}[0-9Xx]*")
# What a spreadsheet runs as a formula (CSV injection): the roster goes back out in exports.
_FORMULA = frozenset("=+-@")
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


@dataclass(frozen=True)
class RosterRow:
    line: int
    card_no: str
    name: str
    id_number: str
    tier: str
    issued_on: dt.date
    expires_on: dt.date
    status: CardStatus
    phone: str
    employer: str


@dataclass(frozen=True)
class RowError:
    line: int  # line number in the file, the header being line 1
    reason: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.reason}"


@dataclass(frozen=True)
class RosterCheck:
    rows: tuple[RosterRow, ...]
    errors: tuple[RowError, ...]
    encoding: str

    @property
    def ok(self) -> bool:
        return not self.errors


class RosterFileError(Refused, ValueError):
    """The file as a whole cannot be read (encoding, header); ``str()`` says what to do."""


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (BOM or not) first, since GB18030 would accept most UTF-8 bytes as mojibake."""
    try:
        return data.decode("utf-8-sig"), "UTF-8" + (" (BOM)" if data.startswith(b"\xef\xbb\xbf") else "")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError:
        raise RosterFileError("文件编码无法识别：请在 Excel 中“另存为 CSV UTF-8”或 CSV（逗号分隔）后重试") from None


def check_roster(data: bytes, card_format: CardFormat, *, today: dt.date) -> RosterCheck:
    """Every row checked; ``today`` is the hall's day (services' clock), which no birth date may follow."""
    text, encoding = decode(data)
    # strict: an unclosed quote must be an error, not swallow every later row into one cell
    # (when it sits in the last column, that row passed and the rows after it silently vanished).
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise RosterFileError("文件是空的：第一行应为表头 " + ",".join(COLUMNS)) from None
    except csv.Error as exc:
        raise RosterFileError(f"第 1 行不是有效的 CSV：{exc}") from None
    names = [HEADER_ALIASES.get(h.strip(), h.strip().lower()) for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise RosterFileError(
            f"表头缺少列：{', '.join(missing)}。第一行应为：{','.join(COLUMNS)}"
        )
    index = {name: names.index(name) for name in COLUMNS}
    rows: list[RosterRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    while True:
        line = reader.line_num + 1  # where this record starts: a quoted cell may span lines
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(line, f"CSV 格式错误：{exc}（可能有未闭合的引号）"))
            break
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            errors.append(RowError(line, f"应有 {len(header)} 列，实际 {len(record)} 列（可能多了或少了逗号）"))
            continue
        row, problems = _check_row(line, {c: record[i].strip() for c, i in index.items()}, card_format, today)
        if row is not None and row.card_no in seen:
            problems.append(f"卡号 {row.card_no} 与第 {seen[row.card_no]} 行重复")
        if problems:
            errors.append(RowError(line, "；".join(problems)))
        elif row is not None:
            seen[row.card_no] = line
            rows.append(row)
    if not rows and not errors:
        raise RosterFileError("文件只有表头，没有任何持卡人")
    return RosterCheck(tuple(rows), tuple(errors), encoding)


def _check_row(line: int, cells: dict[str, str], card_format: CardFormat,
               today: dt.date) -> tuple[RosterRow | None, list[str]]:
    problems: list[str] = []
    card_no = re.sub(r"\s+", "", cells["card_no"]).upper()
    card_tier = ""
    if not card_no:
        problems.append("卡号为空")
    elif len(card_no) > MAX_CARD_NO:  # a hall's own card pattern may allow longer numbers than the column
        problems.append(f"卡号过长（最多 {MAX_CARD_NO} 位）")
    else:
        try:
            match = card_format.validate(card_no)
            card_tier = match.group("tier")
        except ScanError as exc:
            problems.append(str(exc).split("，请")[0])
    name = cells["name"]
    if not name:
        problems.append("姓名为空")
    elif len(name) > MAX_NAME:
        problems.append(f"姓名过长（最多 {MAX_NAME} 个字）")
    problems.extend(_free_text_problems("姓名", name))
    if len(cells["employer"]) > MAX_EMPLOYER:
        problems.append(f"工作单位过长（最多 {MAX_EMPLOYER} 个字）")
    # A line break in the employer is a cell written with Alt+Enter in Excel (valid CSV, imported as before).
    problems.extend(_free_text_problems("工作单位", cells["employer"].replace("\r\n", "").replace("\n", "")))
    id_number = cells["id_number"].upper()
    # The date stays out of the message: import errors are printed and saved, and it is personal data.
    id_problem = resident_id_problem(id_number, today, show_birth_date=False)
    if id_problem:
        problems.append(f"身份证号 {_shown(id_number) or '(空)'} 无效：{id_problem}（号码已遮盖，请按行号核对原文件）")
    tier = cells["tier"].upper().removesuffix("类")
    if tier not in TIERS or len(tier) != 1:
        problems.append(f"类别 {_shown(cells['tier']) or '(空)'} 无效，应为 A–E")
    elif card_tier and tier != card_tier:
        problems.append(f"类别 {tier} 与卡号中的类别 {card_tier} 不一致")
    issued = _date(cells["issued_on"])
    expires = _date(cells["expires_on"])
    if issued is None:
        problems.append(f"发卡日期 {_shown(cells['issued_on']) or '(空)'} 不是有效日期（例如 2022-01-15）")
    if expires is None:
        problems.append(f"有效期 {_shown(cells['expires_on']) or '(空)'} 不是有效日期（例如 2027-01-14）")
    if issued and expires and expires < issued:
        problems.append("有效期早于发卡日期")
    status = STATUS_ALIASES.get(cells["status"].lower())
    if status is None:
        problems.append(f"状态 {_shown(cells['status']) or '(空)'} 无效，应为 active、expired 或 revoked")
    phone = cells["phone"]
    if phone and (len(phone) > MAX_PHONE or not re.fullmatch(r"[0-9+\- ]{5,20}", phone)):
        problems.append(f"电话 {_shown(phone)} 无效")
    if problems or issued is None or expires is None or status is None:
        return None, problems
    return RosterRow(line, card_no, name, id_number, tier, issued, expires, status, phone, cells["employer"]), []


def _free_text_problems(label: str, text: str) -> list[str]:
    problems = []
    hidden = hidden_characters(text)
    if hidden:
        problems.append(f"{label}含有控制字符或不可见字符（{hidden}），请在名册中删去")
    if text and unicodedata.normalize("NFKC", text[0]) in _FORMULA:
        problems.append(f"{label}以 {text[0]} 开头，会被电子表格当作公式：请核对并改正名册")
    return problems


def _shown(text: str) -> str:
    """A cell quoted in a message: control characters visible, never obeyed; a huge cell cut short;
    ID and phone numbers masked (issue 16 point 11)."""
    masked = _LONG_NUMBER.sub(lambda m: mask_id(m.group()), text[:40])
    return visible(masked) + ("…" if len(text) > 40 else "")


def file_too_big(size: int) -> RosterFileError | None:
    """The refusal of a file of ``size`` bytes, before it is read; None when it may be read."""
    if size <= MAX_FILE_BYTES:
        return None
    return RosterFileError(f"名册文件太大（{size / 1024 / 1024:.0f} MB），超过 {MAX_FILE_BYTES // 1024 // 1024} MB "
                           "的上限，未读取：请核对是否选错了文件；名册确实这么大时请分成几个文件导入")


def _date(text: str) -> dt.date | None:
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
