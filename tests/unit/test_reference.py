"""The hall's reference data (assets/*.toml): the real files parse; broken copies are refused whole,
with the file, the right line number and the reason; loading into the database is idempotent."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hallterm.config_locations import DEFAULT_ASSETS
from hallterm.domain.reference import (
    MAX_PROMISED_DAYS,
    ReferenceDataError,
    parse_hall,
    parse_items,
    parse_staff,
)
from hallterm.services.context import Services
from hallterm.services.reference import ITEMS_FILE, STAFF_FILE, Reference, load_reference, read_reference
from hallterm.storage import events
from hallterm.storage.tables import counters, items, lounges, materials, staff, staff_shifts

REQUIRED_ITEMS = (
    "公司设立登记", "分公司设立登记", "股份有限公司设立登记", "外资企业设立登记", "成品油零售经营许可",
    "企业投资项目备案", "建设工程规划许可", "建筑工程施工许可", "环境影响评价审批", "水电气报装",
)


@pytest.fixture(scope="module")
def reference() -> Reference:
    return read_reference(DEFAULT_ASSETS)


# ---------- the real files ----------


def test_hall_has_second_floor_lounges_green_counters_and_one_issuing_window(reference: Reference) -> None:
    hall = reference.hall
    assert hall.name
    assert hall.lounges
    assert all(x.floor == 2 and "业务洽谈室" in x.name and x.capacity > 0 for x in hall.lounges)
    assert [x.kind for x in hall.counters].count("green") >= 1
    issuing = [x for x in hall.counters if x.kind == "issuing"]
    assert len(issuing) == 1
    assert issuing[0].name == "统一发证窗口"


def test_staff_cover_the_sections_and_roles_the_hall_needs(reference: Reference) -> None:
    sections = {p.section for p in reference.staff}
    roles = {p.role for p in reference.staff}
    assert {"业务协调科", "企业登记科"} <= sections
    assert any(s.startswith("政务服务中心") for s in sections)
    assert {"coordinator", "proxy", "after_hours", "desk"} <= roles
    assert all(p.shifts for p in reference.staff)
    assert len({p.staff_id for p in reference.staff}) == len(reference.staff)
    # After-hours staff work outside the ordinary 08:30-17:00 day (S6: extended hours).
    after_hours = [s for p in reference.staff if p.role == "after_hours" for s in p.shifts]
    assert any(s.end > "17:00" or "sat" in s.days or "sun" in s.days for s in after_hours)


def test_catalog_holds_the_ten_required_items(reference: Reference) -> None:
    names = {i.name for i in reference.items}
    missing = [n for n in REQUIRED_ITEMS if n not in names]
    assert not missing


@pytest.mark.parametrize("name", REQUIRED_ITEMS)
def test_each_required_item_has_core_materials_and_at_most_five_days(reference: Reference, name: str) -> None:
    item = next(i for i in reference.items if i.name == name)
    assert any(m.kind == "core" for m in item.materials)
    assert 0 <= item.promised_days <= MAX_PROMISED_DAYS  # S6
    assert item.department
    assert all(m.condition for m in item.materials if m.kind == "conditional")


def test_utility_connection_is_handled_by_proxy(reference: Reference) -> None:
    item = next(i for i in reference.items if i.name == "水电气报装")
    assert item.jurisdiction == "proxy"


def test_every_catalog_item_keeps_the_five_day_promise(reference: Reference) -> None:
    assert all(i.promised_days <= MAX_PROMISED_DAYS for i in reference.items)
    assert len({i.code for i in reference.items}) == len(reference.items)


# ---------- broken copies: refused whole, with file, line and reason ----------


def _assets(tmp_path: Path) -> Path:
    target = tmp_path / "assets"
    shutil.copytree(DEFAULT_ASSETS, target)
    return target


def _line_of(lines: list[str], text: str, after: str | None = None) -> int:
    """1-based number of the first line equal to ``text`` (ignoring comments), after the line ``after``."""
    start = 0
    if after is not None:
        start = next(n for n, line in enumerate(lines) if line.split("#")[0].strip() == after) + 1
    return next(n for n in range(start, len(lines)) if lines[n].split("#")[0].strip() == text) + 1


def _break(path: Path, text: str, replacement: str, after: str | None = None) -> int:
    """Replace one line of ``path``; return its 1-based line number, which the error must report."""
    lines = path.read_text(encoding="utf-8").splitlines()
    number = _line_of(lines, text, after)
    lines[number - 1] = replacement
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number


def _refused(assets: Path) -> ReferenceDataError:
    with pytest.raises(ReferenceDataError) as info:
        read_reference(assets)
    return info.value


def test_bad_material_kind_is_reported_on_its_line(tmp_path: Path) -> None:
    assets = _assets(tmp_path)
    # In the second item: the line is found only if materials are counted across items correctly.
    line = _break(assets / ITEMS_FILE, 'kind = "core"', 'kind = "major"', after='code = "QY-FGSSL"')
    error = _refused(assets)
    assert error.file == str(assets / ITEMS_FILE)
    assert error.line == line
    assert "kind" in error.reason and "major" in error.reason
    assert f"{assets / ITEMS_FILE} 第 {line} 行" in str(error)


def test_bad_counter_kind_is_reported_on_its_line(tmp_path: Path) -> None:
    assets = _assets(tmp_path)
    line = _break(assets / "hall.toml", 'kind = "issuing"', 'kind = "window"')
    error = _refused(assets)
    assert error.file.endswith("hall.toml")
    assert error.line == line
    assert "window" in error.reason


def test_promised_days_over_five_without_clock_exempt_is_refused(tmp_path: Path) -> None:
    assets = _assets(tmp_path)
    line = _break(assets / ITEMS_FILE, "promised_days = 3", "promised_days = 8", after='code = "QY-FGSSL"')
    error = _refused(assets)
    assert error.file.endswith(ITEMS_FILE)
    assert error.line == line
    assert "8" in error.reason and "S6" in error.reason


def test_promised_days_over_five_with_clock_exempt_is_accepted(tmp_path: Path) -> None:
    # 成品油零售经营许可 lists SITE_INSPECTION and EXPERT_REVIEW: the statute's longer time is allowed.
    assets = _assets(tmp_path)
    _break(assets / ITEMS_FILE, "promised_days = 5", "promised_days = 8", after='code = "SM-CPYLS"')
    item = next(i for i in read_reference(assets).items if i.code == "SM-CPYLS")
    assert item.promised_days == 8
    assert item.clock_exempt


def test_unknown_clock_exempt_procedure_is_refused(tmp_path: Path) -> None:
    assets = _assets(tmp_path)
    line = _break(assets / ITEMS_FILE, "clock_exempt = []", 'clock_exempt = ["LUNCH_BREAK"]',
                  after='code = "QY-GFSL"')
    error = _refused(assets)
    assert error.line == line
    assert "clock_exempt" in error.reason


def test_duplicate_item_code_is_reported_on_the_second_code(tmp_path: Path) -> None:
    assets = _assets(tmp_path)
    line = _break(assets / ITEMS_FILE, 'code = "QY-GFSL"', 'code = "QY-GSSL"')
    error = _refused(assets)
    assert error.line == line
    assert "QY-GSSL" in error.reason and "重复" in error.reason


def test_duplicate_staff_id_is_reported(tmp_path: Path) -> None:
    assets = _assets(tmp_path)
    line = _break(assets / STAFF_FILE, 'staff_id = "S1002"', 'staff_id = "S1001"')
    error = _refused(assets)
    assert error.file.endswith(STAFF_FILE)
    assert error.line == line
    assert "S1001" in error.reason


def test_item_without_core_material_is_reported_on_its_header(tmp_path: Path) -> None:
    assets = _assets(tmp_path)
    path = assets / ITEMS_FILE
    text = path.read_text(encoding="utf-8")
    start = text.index('code = "TZ-XMBA"')
    end = text.index("[[items]]", start)
    # Every core material of 企业投资项目备案 becomes secondary: nothing left that can never be waived.
    path.write_text(text[:start] + text[start:end].replace('kind = "core"', 'kind = "secondary"') + text[end:],
                    encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    header = _line_of(lines, 'code = "TZ-XMBA"') - 1
    assert lines[header - 1] == "[[items]]"
    error = _refused(assets)
    assert error.line == header
    assert "TZ-XMBA" in error.reason and "core" in error.reason


def test_conditional_material_without_condition_is_refused(tmp_path: Path) -> None:
    assets = _assets(tmp_path)
    line = _break(assets / ITEMS_FILE, 'condition = "委托代理人办理时"', 'condition = ""')
    error = _refused(assets)
    assert error.line == line
    assert "condition" in error.reason


@pytest.mark.parametrize(("key", "bad", "fragment"), [
    ("start", 'start = "25:00"', "HH:MM"),
    ("start", 'start = "8:30"', "HH:MM"),
    ("start", 'start = "0８:30"', "HH:MM"),  # a full-width digit from the IME: \d would accept it
    ("end", 'end = "11:00"', "晚于"),  # ends before it starts
])
def test_bad_shift_time_is_reported_on_its_line(tmp_path: Path, key: str, bad: str, fragment: str) -> None:
    assets = _assets(tmp_path)
    # S1004's second shift (Thursday/Friday 12:00-20:30): found only if shifts are counted across staff.
    original = {"start": 'start = "12:00"', "end": 'end = "20:30"'}[key]
    line = _break(assets / STAFF_FILE, original, bad, after='staff_id = "S1004"')
    error = _refused(assets)
    assert error.file.endswith(STAFF_FILE)
    assert error.line == line
    assert fragment in error.reason


def test_full_width_extension_is_refused(tmp_path: Path) -> None:
    # The phone system dials ASCII digits; str.isdigit() alone accepted an IME's full-width ones.
    assets = _assets(tmp_path)
    line = _break(assets / STAFF_FILE, 'extension = "8022"', 'extension = "８０２２"')
    error = _refused(assets)
    assert error.line == line
    assert "extension" in error.reason


def test_unknown_role_is_refused(tmp_path: Path) -> None:
    assets = _assets(tmp_path)
    line = _break(assets / STAFF_FILE, 'role = "supervisor"', 'role = "boss"')
    error = _refused(assets)
    assert error.line == line
    assert "boss" in error.reason


@pytest.mark.parametrize("name", ["hall.toml", STAFF_FILE, ITEMS_FILE])
def test_toml_syntax_error_is_reported_on_its_line(tmp_path: Path, name: str) -> None:
    assets = _assets(tmp_path)
    path = assets / name
    lines = path.read_text(encoding="utf-8").splitlines()
    number = len(lines) // 2
    lines.insert(number - 1, "this line = is not TOML")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = _refused(assets)
    assert error.file == str(path)
    assert error.line == number
    assert "TOML" in error.reason


def test_missing_file_is_refused(tmp_path: Path) -> None:
    assets = _assets(tmp_path)
    (assets / STAFF_FILE).unlink()
    error = _refused(assets)
    assert error.file == str(assets / STAFF_FILE)
    assert "不存在" in error.reason


@pytest.mark.parametrize(("parse", "text", "fragment"), [
    (parse_hall, '[hall]\nname = "x"\n[[counters]]\ncode = "G1"\nname = "g"\nkind = "green"\nfloor = 1\n'
                 '[[counters]]\ncode = "F1"\nname = "f"\nkind = "issuing"\nfloor = 1\n', "lounges"),
    (parse_hall, '[hall]\nname = "x"\n[[lounges]]\ncode = "L1"\nname = "l"\nfloor = 2\ncapacity = 4\n'
                 '[[counters]]\ncode = "G1"\nname = "g"\nkind = "green"\nfloor = 1\n', "issuing"),
    (parse_staff, "# nobody\n", "staff"),
    (parse_items, "# nothing\n", "items"),
])
def test_files_missing_whole_parts_are_refused(parse: Callable[[str, str], object], text: str,
                                              fragment: str) -> None:
    with pytest.raises(ReferenceDataError, match=fragment):
        parse(text, "x.toml")


# ---------- loading into the database ----------

_TABLES = (lounges, counters, staff, staff_shifts, items, materials)


def _counts(svc: Services) -> dict[str, int]:
    with svc.db.read() as conn:
        counts = {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in _TABLES}
        counts["reference_loaded"] = len(events.recent(conn, kind="reference_loaded"))
    return counts


def test_load_reference_writes_what_the_files_hold(services: Services) -> None:
    ref = load_reference(services)
    counts = _counts(services)
    assert counts["lounges"] == len(ref.hall.lounges)
    assert counts["counters"] == len(ref.hall.counters)
    assert counts["staff"] == len(ref.staff)
    assert counts["staff_shifts"] == sum(len(p.shifts) for p in ref.staff)
    assert counts["items"] == len(ref.items)
    assert counts["materials"] == sum(len(i.materials) for i in ref.items)
    assert counts["reference_loaded"] == 1
    with services.db.read() as conn:
        jurisdiction = conn.execute(select(items.c.jurisdiction).where(items.c.name == "水电气报装")).scalar_one()
    assert jurisdiction == "proxy"


def test_load_reference_is_idempotent(services: Services) -> None:
    load_reference(services)
    first = _counts(services)
    load_reference(services)
    second = _counts(services)
    assert {k: v for k, v in second.items() if k != "reference_loaded"} == \
           {k: v for k, v in first.items() if k != "reference_loaded"}
    assert second["reference_loaded"] == first["reference_loaded"] + 1  # each load is logged


def test_bad_file_writes_nothing_into_an_empty_database(services: Services, tmp_path: Path) -> None:
    assets = _assets(tmp_path)
    _break(assets / ITEMS_FILE, 'code = "QY-GFSL"', 'code = "QY-GSSL"')
    before = _counts(services)
    with pytest.raises(ReferenceDataError):
        load_reference(services, assets)
    assert _counts(services) == before
    assert before["lounges"] == 0


def test_bad_file_leaves_the_loaded_data_untouched(loaded: Services, tmp_path: Path) -> None:
    # The hall file is fine and changed, the catalog is broken: neither may reach the database.
    assets = _assets(tmp_path)
    _break(assets / "hall.toml", 'name = "业务洽谈室1"', 'name = "改名的洽谈室"')
    _break(assets / ITEMS_FILE, "promised_days = 3", "promised_days = 9")
    before = _counts(loaded)
    with pytest.raises(ReferenceDataError):
        load_reference(loaded, assets)
    assert _counts(loaded) == before
    with loaded.db.read() as conn:
        assert conn.execute(select(lounges.c.name).where(lounges.c.code == "L1")).scalar_one() == "业务洽谈室1"


def test_reloading_marks_removed_rows_inactive(loaded: Services, tmp_path: Path) -> None:
    # Rows that vanish from a file stay in the database (history points at them) but inactive.
    assets = _assets(tmp_path)
    path = assets / "hall.toml"
    text = path.read_text(encoding="utf-8")
    block = '[[lounges]]\ncode = "L5"\nname = "业务洽谈室5"\nfloor = 2\n'
    assert block in text
    path.write_text(text.replace(block, '[[lounges]]\ncode = "L6"\nname = "业务洽谈室6"\nfloor = 2\n'),
                    encoding="utf-8")
    load_reference(loaded, assets)
    with loaded.db.read() as conn:
        active = {code: bool(on) for code, on in conn.execute(select(lounges.c.code, lounges.c.active))}
    assert active["L5"] is False
    assert active["L6"] is True
