"""Reference data the hall edits (assets/*.toml): the hall, its staff and the item catalog.

Parsing is pure: it takes the file's text and its name and returns frozen dataclasses, or raises
``ReferenceDataError`` naming the file, the line and the reason. A file with one bad entry is refused
whole, so a half-edited catalog never reaches the counter.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from hallterm.domain import weekdays
from hallterm.domain.errors import Refused

ROLES = ("desk", "coordinator", "after_hours", "supervisor", "admin", "proxy")
COUNTER_KINDS = ("green", "issuing", "ordinary")
MATERIAL_KINDS = ("core", "secondary", "conditional")
JURISDICTIONS = ("enterprise_kind", "city", "proxy")
DAYS = weekdays.CODES
# Clock-exempt (special) procedures: 行政许可法 §45 and S6 (research/domain.md §7.8).
SPECIAL_PROCEDURES = {
    "EXPERT_REVIEW": "专家评审",
    "SITE_INSPECTION": "现场勘验",
    "INTERMEDIARY": "中介服务",
    "REFER_UP": "转报上级",
    "HEARING": "听证",
    "TENDER_AUCTION": "招标拍卖",
    "TEST_INSPECT_QUARANTINE": "检验检测检疫",
    "APPRAISAL": "鉴定",
    "PUBLIC_NOTICE": "公示",
}
MAX_PROMISED_DAYS = 5  # S6: one item within 5 working days, special procedures excepted
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")  # not \d: it matches full-width digits too


class ReferenceDataError(Refused, ValueError):
    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file} 第 {line} 行" if line else file
        super().__init__(f"{where}：{reason}")


@dataclass(frozen=True)
class Lounge:
    code: str
    name: str
    floor: int
    capacity: int


@dataclass(frozen=True)
class Counter:
    code: str
    name: str
    kind: str
    floor: int


@dataclass(frozen=True)
class Hall:
    name: str
    green_zone: str
    lounges: tuple[Lounge, ...]
    counters: tuple[Counter, ...]


@dataclass(frozen=True)
class Shift:
    days: tuple[str, ...]
    start: str
    end: str


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    name: str
    role: str
    section: str
    extension: str
    shifts: tuple[Shift, ...]


@dataclass(frozen=True)
class Duty:
    """One line of the after-hours duty roster (``[[duty]]`` in staff.toml): who receives a case opened
    in these hours (S6: 365-day intake). ``receiver`` is a staff ID, or ``SELF`` for whoever opened it."""

    days: tuple[str, ...]
    start: str
    end: str
    receiver: str
    line: int | None = None

    def covers(self, weekday: str, hhmm: str) -> bool:
        return weekday in self.days and self.start <= hhmm < self.end


DUTY_HOLIDAY = "holiday"  # a statutory holiday takes these lines instead of its weekday's (as hours.toml)
DUTY_DAYS = (*DAYS, DUTY_HOLIDAY)
DUTY_SELF = "self"  # the after-hours staff member who opened the case receives it
DUTY_ROLES = ("coordinator", "after_hours")


@dataclass(frozen=True)
class Material:
    name: str
    kind: str
    condition: str = ""
    note: str = ""


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    department: str
    promised_days: int
    immediate: bool
    allow_conditional: bool
    jurisdiction: str
    clock_exempt: tuple[str, ...]
    basis: str
    materials: tuple[Material, ...]


class _Locator:
    """Finds the line of the n-th ``[[table]]`` and of a key inside it, for error messages."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def table(self, header: str, index: int, after: int = 0) -> int | None:
        seen = -1
        for no, line in enumerate(self.lines[after:], start=after + 1):
            if line.strip().split("#")[0].strip() == f"[[{header}]]":
                seen += 1
                if seen == index:
                    return no
        return None

    def key(self, key: str, start: int | None) -> int | None:
        if start is None:
            return None
        for no, line in enumerate(self.lines[start:], start=start + 1):
            stripped = line.strip()
            if stripped.startswith("[[") or (stripped.startswith("[") and no > start + 1 and "." not in stripped):
                break
            if re.match(rf"{re.escape(key)}\s*=", stripped):
                return no
        return start


def _load(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ReferenceDataError(file, int(match.group(1)) if match else None, f"TOML 语法错误：{exc}") from None


class _Checker:
    def __init__(self, file: str, locator: _Locator) -> None:
        self.file = file
        self.loc = locator

    def fail(self, line: int | None, reason: str) -> ReferenceDataError:
        return ReferenceDataError(self.file, line, reason)

    def text(self, table: dict[str, Any], key: str, line: int | None, *, required: bool = True) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            raise self.fail(self.loc.key(key, line), f"{key} 应为文本")
        value = value.strip()
        if required and not value:
            raise self.fail(self.loc.key(key, line) if key in table else line, f"缺少 {key}")
        return value

    def integer(self, table: dict[str, Any], key: str, line: int | None, low: int, high: int) -> int:
        value = table.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(self.loc.key(key, line) if key in table else line, f"{key} 应为整数")
        if not low <= value <= high:
            raise self.fail(self.loc.key(key, line), f"{key} 应在 {low} 到 {high} 之间，而不是 {value}")
        return value

    def boolean(self, table: dict[str, Any], key: str, line: int | None, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(self.loc.key(key, line), f"{key} 应为 true 或 false")
        return value

    def choice(self, table: dict[str, Any], key: str, line: int | None, options: tuple[str, ...]) -> str:
        value = self.text(table, key, line)
        if value not in options:
            raise self.fail(self.loc.key(key, line), f"{key} = {value!r} 无效，可选：{', '.join(options)}")
        return value

    def code(self, table: dict[str, Any], key: str, line: int | None, seen: set[str]) -> str:
        value = self.text(table, key, line)
        if not _CODE.fullmatch(value):
            raise self.fail(self.loc.key(key, line), f"{key} = {value!r} 应为字母、数字、- 或 _（最多 32 个）")
        if value in seen:
            raise self.fail(self.loc.key(key, line), f"{key} = {value!r} 重复")
        seen.add(value)
        return value

    def entries(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(None, f"{key} 应写成 [[{key}]] 表")
        return value


def parse_hall(text: str, file: str) -> Hall:
    data = _load(text, file)
    loc = _Locator(text)
    c = _Checker(file, loc)
    head = data.get("hall")
    if not isinstance(head, dict):
        raise c.fail(None, "缺少 [hall] 节（大厅名称）")
    lounges: list[Lounge] = []
    codes: set[str] = set()
    for i, entry in enumerate(c.entries(data, "lounges")):
        line = loc.table("lounges", i)
        lounges.append(Lounge(c.code(entry, "code", line, codes), c.text(entry, "name", line),
                              c.integer(entry, "floor", line, -5, 99), c.integer(entry, "capacity", line, 0, 200)))
    counters: list[Counter] = []
    for i, entry in enumerate(c.entries(data, "counters")):
        line = loc.table("counters", i)
        counters.append(Counter(c.code(entry, "code", line, codes), c.text(entry, "name", line),
                                c.choice(entry, "kind", line, COUNTER_KINDS), c.integer(entry, "floor", line, -5, 99)))
    if not lounges:
        raise c.fail(None, "至少需要一个 [[lounges]] 业务洽谈室（S9）")
    if not any(x.kind == "green" for x in counters):
        raise c.fail(None, "至少需要一个 kind = \"green\" 的绿色通道窗口")
    if not any(x.kind == "issuing" for x in counters):
        raise c.fail(None, "需要一个 kind = \"issuing\" 的统一发证窗口（S9）")
    return Hall(c.text(head, "name", 1), c.text(head, "green_zone", 1, required=False),
                tuple(lounges), tuple(counters))


def parse_staff(text: str, file: str) -> tuple[StaffMember, ...]:
    data = _load(text, file)
    loc = _Locator(text)
    c = _Checker(file, loc)
    out: list[StaffMember] = []
    ids: set[str] = set()
    shift_index = 0
    for i, entry in enumerate(c.entries(data, "staff")):
        line = loc.table("staff", i)
        shifts: list[Shift] = []
        raw_shifts = entry.get("shifts", [])
        if not isinstance(raw_shifts, list):
            raise c.fail(line, "shifts 应写成 [[staff.shifts]] 表")
        for shift in raw_shifts:
            sline = loc.table("staff.shifts", shift_index)
            shift_index += 1
            shifts.append(_parse_shift(c, shift, sline))
        extension = entry.get("extension", "")
        if not isinstance(extension, str) or (extension and not (extension.isascii() and extension.isdigit())):
            raise c.fail(loc.key("extension", line), "extension 应为数字分机号，写成文本，例如 \"8021\"")
        out.append(StaffMember(c.code(entry, "staff_id", line, ids), c.text(entry, "name", line),
                               c.choice(entry, "role", line, ROLES), c.text(entry, "section", line),
                               extension, tuple(shifts)))
    if not out:
        raise c.fail(None, "没有任何 [[staff]] 人员")
    return tuple(out)


def parse_duty(text: str, file: str, staff: tuple[StaffMember, ...]) -> tuple[Duty, ...]:
    """The ``[[duty]]`` roster of staff.toml, checked against its ``[[staff]]``: a receiver must be a
    coordinator or after-hours staff member of the file (or ``self``), and two lines may not cover the
    same minute (S6: exactly one answer to "who receives this case now")."""
    data = _load(text, file)
    loc = _Locator(text)
    c = _Checker(file, loc)
    roles = {m.staff_id: m.role for m in staff}
    out: list[Duty] = []
    for i, entry in enumerate(c.entries(data, "duty")):
        line = loc.table("duty", i)
        shift = _parse_shift(c, entry, line, DUTY_DAYS)
        receiver = c.text(entry, "receiver", line)
        if receiver != DUTY_SELF:
            if receiver not in roles:
                raise c.fail(loc.key("receiver", line),
                             f"receiver = {receiver!r} 不在 [[staff]] 中：应为值班协调员的 staff_id，"
                             "或 \"self\"（由开件的值班人员本人接待）")
            if roles[receiver] not in DUTY_ROLES:
                raise c.fail(loc.key("receiver", line),
                             f"receiver = {receiver!r} 的角色是 {roles[receiver]}：值班接待应为协调员或延时值班人员")
        duty = Duty(shift.days, shift.start, shift.end, receiver, line)
        for other in out:
            shared = set(other.days) & set(duty.days)
            if shared and duty.start < other.end and other.start < duty.end:
                raise c.fail(line, f"与第 {other.line} 行的值班在 {', '.join(d for d in DAYS if d in shared)} "
                                   f"{max(duty.start, other.start)} 起重叠：同一时间只能有一位值班接待人")
        out.append(duty)
    return tuple(out)


def duty_at(roster: tuple[Duty, ...], weekday: str, hhmm: str, *, holiday: bool = False) -> Duty | None:
    """The roster line covering that local weekday (``holiday`` on a statutory holiday) and time, if any."""
    day = DUTY_HOLIDAY if holiday else weekday
    return next((d for d in roster if d.covers(day, hhmm)), None)


def _parse_shift(c: _Checker, shift: Any, line: int | None, allowed: tuple[str, ...] = DAYS) -> Shift:
    if not isinstance(shift, dict):
        raise c.fail(line, "班次应写成 [[staff.shifts]] 表")
    days = shift.get("days")
    if not isinstance(days, list) or not days or any(d not in allowed for d in days):
        raise c.fail(c.loc.key("days", line), f"days 应为 {', '.join(allowed)} 组成的列表")
    start = c.text(shift, "start", line)
    end = c.text(shift, "end", line)
    for key, value in (("start", start), ("end", end)):
        if not _TIME.fullmatch(value):
            raise c.fail(c.loc.key(key, line), f"{key} = {value!r} 应为 HH:MM，例如 08:30")
    if end <= start:
        raise c.fail(c.loc.key("end", line), f"班次结束时间 {end} 应晚于开始时间 {start}")
    return Shift(tuple(days), start, end)


def parse_items(text: str, file: str) -> tuple[Item, ...]:
    data = _load(text, file)
    loc = _Locator(text)
    c = _Checker(file, loc)
    out: list[Item] = []
    codes: set[str] = set()
    material_index = 0
    for i, entry in enumerate(c.entries(data, "items")):
        line = loc.table("items", i)
        exempt = entry.get("clock_exempt", [])
        if not isinstance(exempt, list) or any(e not in SPECIAL_PROCEDURES for e in exempt):
            raise c.fail(loc.key("clock_exempt", line),
                         f"clock_exempt 只能包含：{', '.join(SPECIAL_PROCEDURES)}")
        promised = c.integer(entry, "promised_days", line, 0, 60)
        if promised > MAX_PROMISED_DAYS and not exempt:
            raise c.fail(loc.key("promised_days", line),
                         f"承诺时限 {promised} 个工作日超过 {MAX_PROMISED_DAYS} 个工作日（S6），"
                         "除非列出暂停计时的特殊程序 clock_exempt")
        materials: list[Material] = []
        names: set[str] = set()
        raw_materials = entry.get("materials", [])
        if not isinstance(raw_materials, list):
            raise c.fail(line, "materials 应写成 [[items.materials]] 表")
        for material in raw_materials:
            mline = loc.table("items.materials", material_index)
            material_index += 1
            if not isinstance(material, dict):
                raise c.fail(mline, "材料应写成 [[items.materials]] 表")
            name = c.text(material, "name", mline)
            if name in names:
                raise c.fail(loc.key("name", mline), f"材料 {name!r} 在同一事项中重复")
            names.add(name)
            kind = c.choice(material, "kind", mline, MATERIAL_KINDS)
            condition = c.text(material, "condition", mline, required=kind == "conditional")
            materials.append(Material(name, kind, condition, c.text(material, "note", mline, required=False)))
        code = c.code(entry, "code", line, codes)
        if not any(m.kind == "core" for m in materials):
            raise c.fail(line, f"事项 {code} 至少需要一项 kind = \"core\" 的主审要件")
        out.append(Item(code, c.text(entry, "name", line), c.text(entry, "department", line), promised,
                        c.boolean(entry, "immediate", line, False), c.boolean(entry, "allow_conditional", line, False),
                        c.choice(entry, "jurisdiction", line, JURISDICTIONS), tuple(exempt),
                        c.text(entry, "basis", line, required=False), tuple(materials)))
    if not out:
        raise c.fail(None, "没有任何 [[items]] 事项")
    return tuple(out)
