"""More refusals with their exact line (staff, items, hours), progress texts at their limit, floor names."""

from __future__ import annotations

import pytest

from hallterm.domain.floors import floor_name
from hallterm.domain.hours import MAX_SECTION, parse_hours
from hallterm.domain.progress import DECISION_NO_MAX, REASON_MAX, ProgressError, check_decision_no, check_reason
from hallterm.domain.reference import ReferenceDataError, Shift, parse_items, parse_staff

STAFF = """\
[[staff]]
staff_id = "S1001"
name = "王芳"
role = "desk"
section = "综合受理科"
extension = "8021"

[[staff.shifts]]
days = ["mon"]
start = "08:30"
end = "17:00"

[[staff]]
staff_id = "S1002"
name = "李四"
role = "coordinator"
section = "业务协调科"
"""


def test_staff_read_in_full() -> None:
    first, second = parse_staff(STAFF, "staff.toml")
    assert (first.staff_id, first.name, first.role, first.section, first.extension, first.shifts) == (
        "S1001", "王芳", "desk", "综合受理科", "8021", (Shift(("mon",), "08:30", "17:00"),))
    assert (second.extension, second.shifts) == ("", ())


def refused(parse, text: str, file: str = "f.toml") -> ReferenceDataError:  # type: ignore[no-untyped-def]
    with pytest.raises(ReferenceDataError) as info:
        parse(text, file)
    return info.value


@pytest.mark.parametrize(("old", "new", "line", "reason"), [
    ('name = "李四"\n', "", 13, "缺少 name"),
    ('section = "业务协调科"\n', "", 13, "缺少 section"),
    ('name = "李四"', "name = 4", 15, "name 应为文本"),
    ('extension = "8021"', "extension = 8021", 6, "extension 应为数字分机号"),
    ('extension = "8021"', 'extension = "80-21"', 6, "extension 应为数字分机号"),
    ('section = "业务协调科"', 'section = "业务协调科"\nshifts = 1', 13, "shifts 应写成 [[staff.shifts]] 表"),
    ('end = "17:00"', 'end = "08:30"', 11, "班次结束时间 08:30 应晚于开始时间 08:30"),
    ('days = ["mon"]', 'days = ["holiday"]', 9, "days 应为 mon, tue, wed, thu, fri, sat, sun 组成的列表"),
])
def test_staff_refusals(old: str, new: str, line: int, reason: str) -> None:
    assert old in STAFF
    error = refused(parse_staff, STAFF.replace(old, new, 1))
    assert (error.line, error.reason[: len(reason)]) == (line, reason), str(error)


ITEMS = """\
[[items]]
code = "QY-1"
name = "公司设立"
department = "企业登记科"
promised_days = 1
jurisdiction = "city"

[[items.materials]]
name = "申请书"
kind = "core"
"""


@pytest.mark.parametrize(("old", "new", "line", "reason"), [
    ('name = "公司设立"\n', "", 1, "缺少 name"),
    ('department = "企业登记科"\n', "", 1, "缺少 department"),
    ('jurisdiction = "city"', 'jurisdiction = "city"\nallow_conditional = 1', 7,
     "allow_conditional 应为 true 或 false"),
    ('jurisdiction = "city"', 'jurisdiction = "city"\nbasis = 1', 7, "basis 应为文本"),
    ('kind = "core"', 'kind = "core"\nnote = 1', 11, "note 应为文本"),
    ('name = "申请书"\n', "", 8, "缺少 name"),
])
def test_item_refusals(old: str, new: str, line: int, reason: str) -> None:
    assert old in ITEMS
    error = refused(parse_items, ITEMS.replace(old, new, 1))
    assert (error.line, error.reason[: len(reason)]) == (line, reason), str(error)


def test_item_defaults() -> None:
    (item,) = parse_items(ITEMS, "f.toml")
    assert (item.immediate, item.allow_conditional, item.basis, item.clock_exempt) == (False, False, "", ())
    assert item.materials[0].note == "" and item.materials[0].condition == ""


HOURS = """\
[hours]
makeup_weekday = "mon"

[[windows]]
kind = "regular"
days = ["mon"]
start = "09:00"
end = "12:00"

[[closed]]
date = 2026-12-31
reason = "检修"

[[slots]]
section = "综合"
window = "regular"
minutes = 30
capacity = 2
"""


@pytest.mark.parametrize(("old", "new", "line", "reason"), [
    ("[hours]\nmakeup_weekday = \"mon\"\n", "hours = 1\n", None, "[hours] 应为一节"),
    ("[hours]\n", "# 大厅\n[hours]\n", 3, ""),  # only to check the line of [hours] is found below a comment
    ('end = "12:00"\n', "", 4, "缺少 end"),
    ('reason = "检修"\n', "", 10, "缺少 reason"),
    ('section = "综合"\n', "", 14, "缺少 section"),
    ('window = "regular"\n', "", 14, "缺少 window"),
    ("[hours]\n", "[x]\n[y]\n[hours]\n", None, "未知的节：x, y（"),
])
def test_hours_refusals(old: str, new: str, line: int | None, reason: str) -> None:
    assert old in HOURS
    text = HOURS.replace(old, new, 1)
    if not reason:
        text = text.replace('makeup_weekday = "mon"', 'makeup_weekday = "sun"')
        reason = "makeup_weekday 应为"
    error = refused(parse_hours, text)
    assert (error.line, error.reason[: len(reason)]) == (line, reason), str(error)


def test_hours_defaults_and_the_longest_section() -> None:
    hours = parse_hours(HOURS.replace('[hours]\nmakeup_weekday = "mon"\n', ""), "f.toml")
    assert hours.makeup_weekday == "mon"
    longest = "科" * MAX_SECTION
    assert parse_hours(HOURS.replace('section = "综合"', f'section = "{longest}"'), "f").slots[0].section == longest


def test_progress_texts_at_their_limit() -> None:
    assert check_reason(" 材料 不符\u200b ") == "材料 不符"
    assert check_reason("理" * REASON_MAX) == "理" * REASON_MAX
    with pytest.raises(ProgressError, match=f"理由过长（{REASON_MAX + 1} 个字"):
        check_reason("理" * (REASON_MAX + 1))
    with pytest.raises(ProgressError, match="不予许可须填写理由"):
        check_reason(" \u200b ")
    head = "鞍审批准字〔2026〕第"
    longest = head + "0" * (DECISION_NO_MAX - len(head) - 3) + "12号"
    assert len(longest) == DECISION_NO_MAX and check_decision_no(longest) == longest
    with pytest.raises(ProgressError, match="决定文书号过长"):
        check_decision_no(head + "0" + longest[len(head):])


@pytest.mark.parametrize(("floor", "name"), [(None, ""), (0, "0楼"), (12, "12楼"), (-1, "地下一层")])
def test_floor_names(floor: int | None, name: str) -> None:
    assert floor_name(floor) == name
