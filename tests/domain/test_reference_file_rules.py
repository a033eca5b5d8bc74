"""The item catalog and the duty roster (staff.toml's [[duty]]) refused with the exact line and reason;
the 5-working-day limit (S6) at its edge; one duty receiver at a time (S6)."""

from __future__ import annotations

import pytest

from hallterm.domain.reference import (
    MAX_PROMISED_DAYS,
    Counter,
    Duty,
    Lounge,
    Material,
    ReferenceDataError,
    StaffMember,
    parse_duty,
    parse_hall,
    parse_items,
)

ITEMS = """\
[[items]]
code = "QY-1"
name = "公司设立"
department = "企业登记科"
promised_days = 5
immediate = true
allow_conditional = true
jurisdiction = "city"
basis = "《公司法》"

[[items.materials]]
name = "申请书"
kind = "core"

[[items.materials]]
name = "前置许可"
kind = "conditional"
condition = "涉及前置审批时"
note = "复印件"

[[items]]
code = "QY-2"
name = "变更"
department = "企业登记科"
promised_days = 0
jurisdiction = "proxy"
clock_exempt = ["EXPERT_REVIEW"]

[[items.materials]]
name = "申请书"
kind = "core"
"""


def test_the_catalog_read_in_full() -> None:
    first, second = parse_items(ITEMS, "items.toml")
    assert (first.code, first.name, first.department, first.promised_days, first.immediate, first.allow_conditional,
            first.jurisdiction, first.clock_exempt, first.basis) == (
        "QY-1", "公司设立", "企业登记科", 5, True, True, "city", (), "《公司法》")
    assert first.materials == (Material("申请书", "core"),
                               Material("前置许可", "conditional", "涉及前置审批时", "复印件"))
    assert (second.promised_days, second.immediate, second.allow_conditional, second.clock_exempt, second.basis) == (
        0, False, False, ("EXPERT_REVIEW",), "")


@pytest.mark.parametrize(("old", "new", "line", "reason"), [
    ("promised_days = 5", f"promised_days = {MAX_PROMISED_DAYS + 1}", 5,
     f"承诺时限 {MAX_PROMISED_DAYS + 1} 个工作日超过 {MAX_PROMISED_DAYS} 个工作日（S6）"),
    ("promised_days = 5", "promised_days = 61", 5, "promised_days 应在 0 到 60 之间，而不是 61"),
    ("promised_days = 5", "promised_days = -1", 5, "promised_days 应在 0 到 60 之间"),
    ("promised_days = 5", 'promised_days = "5"', 5, "promised_days 应为整数"),
    ("promised_days = 5\n", "", 1, "promised_days 应为整数"),
    ("immediate = true", 'immediate = "yes"', 6, "immediate 应为 true 或 false"),
    ('jurisdiction = "city"', 'jurisdiction = "town"', 8,
     "jurisdiction = 'town' 无效，可选：enterprise_kind, city, proxy"),
    ('kind = "conditional"', 'kind = "optional"', 17, "kind = 'optional' 无效"),
    ('condition = "涉及前置审批时"\n', "", 15, "缺少 condition"),
    ('name = "前置许可"', 'name = "申请书"', 16, "材料 '申请书' 在同一事项中重复"),
    ('code = "QY-2"', 'code = "QY-1"', 22, "code = 'QY-1' 重复"),
    ('code = "QY-2"', 'code = "QY 2"', 22, "code = 'QY 2' 应为字母、数字、- 或 _（最多 32 个）"),
    ('clock_exempt = ["EXPERT_REVIEW"]', 'clock_exempt = ["LUNCH"]', 27, "clock_exempt 只能包含："),
    ('clock_exempt = ["EXPERT_REVIEW"]', 'clock_exempt = "EXPERT_REVIEW"', 27, "clock_exempt 只能包含："),
    ('name = "申请书"\nkind = "core"\n\n[[items.materials]]\nname = "前置许可"',
     'name = "申请书"\nkind = "secondary"\n\n[[items.materials]]\nname = "前置许可"', 1,
     '事项 QY-1 至少需要一项 kind = "core" 的主审要件'),
    ('clock_exempt = ["EXPERT_REVIEW"]\n\n[[items.materials]]\nname = "申请书"\nkind = "core"\n',
     'clock_exempt = ["EXPERT_REVIEW"]\nmaterials = 1\n', 21, "materials 应写成 [[items.materials]] 表"),
])
def test_each_catalog_mistake_names_its_line(old: str, new: str, line: int, reason: str) -> None:
    assert old in ITEMS
    with pytest.raises(ReferenceDataError) as info:
        parse_items(ITEMS.replace(old, new, 1), "items.toml")
    assert info.value.file == "items.toml"
    assert (info.value.line, info.value.reason[: len(reason)]) == (line, reason), str(info.value)


def test_no_exemption_keeps_an_item_within_five_working_days_and_an_exemption_allows_more() -> None:
    assert parse_items(ITEMS.replace("promised_days = 0", "promised_days = 60"), "i")[1].promised_days == 60
    assert parse_items(ITEMS, "i")[0].promised_days == MAX_PROMISED_DAYS
    with pytest.raises(ReferenceDataError, match="没有任何"):
        parse_items("# none\n", "i")
    with pytest.raises(ReferenceDataError) as info:
        parse_items("items = 1\n", "i")
    assert (info.value.line, info.value.reason) == (None, "items 应写成 [[items]] 表")


STAFF = (StaffMember("S1501", "王", "after_hours", "业务协调科", "", ()),
         StaffMember("S1101", "李", "coordinator", "业务协调科", "", ()),
         StaffMember("S1001", "张", "desk", "综合受理科", "", ()))
DUTY = """\
[[duty]]
days = ["mon", "tue"]
start = "17:00"
end = "19:00"
receiver = "S1501"

[[duty]]
days = ["sat", "holiday"]
start = "09:00"
end = "12:00"
receiver = "self"
"""


def test_the_duty_roster_read_in_full() -> None:
    assert parse_duty(DUTY, "staff.toml", STAFF) == (Duty(("mon", "tue"), "17:00", "19:00", "S1501", 1),
                                                     Duty(("sat", "holiday"), "09:00", "12:00", "self", 7))
    assert parse_duty(DUTY.replace('"S1501"', '"S1101"'), "staff.toml", STAFF)[0].receiver == "S1101"
    touching = DUTY.replace('days = ["sat", "holiday"]\nstart = "09:00"\nend = "12:00"',
                            'days = ["tue"]\nstart = "19:00"\nend = "20:00"')
    assert len(parse_duty(touching, "staff.toml", STAFF)) == 2


@pytest.mark.parametrize(("old", "new", "line", "reason"), [
    ('receiver = "S1501"', 'receiver = "S9999"', 5, "receiver = 'S9999' 不在 [[staff]] 中"),
    ('receiver = "S1501"', 'receiver = "S1001"', 5,
     "receiver = 'S1001' 的角色是 desk：值班接待应为协调员或延时值班人员"),
    ('receiver = "S1501"\n', "", 1, "缺少 receiver"),
    ('days = ["sat", "holiday"]\nstart = "09:00"\nend = "12:00"', 'days = ["tue"]\nstart = "18:59"\nend = "20:00"', 7,
     "与第 1 行的值班在 tue 18:59 起重叠：同一时间只能有一位值班接待人"),
    ('days = ["sat", "holiday"]', 'days = ["sat", "xmas"]', 8, "days 应为 mon, tue, wed, thu, fri, sat, sun, holiday"),
    ('end = "12:00"', 'end = "09:00"', 10, "班次结束时间 09:00 应晚于开始时间 09:00"),
    ('end = "12:00"', 'end = "12"', 10, "end = '12' 应为 HH:MM，例如 08:30"),
])
def test_each_duty_mistake_names_its_line(old: str, new: str, line: int, reason: str) -> None:
    assert old in DUTY
    with pytest.raises(ReferenceDataError) as info:
        parse_duty(DUTY.replace(old, new, 1), "staff.toml", STAFF)
    assert info.value.file == "staff.toml"
    assert (info.value.line, info.value.reason[: len(reason)]) == (line, reason), str(info.value)


HALL = """\
[hall]
name = "鞍山市政务服务中心"
green_zone = "一楼东侧"

[[lounges]]
code = "L1"
name = "洽谈室一"
floor = -5
capacity = 0

[[counters]]
code = "G1"
name = "绿色通道"
kind = "green"
floor = 99

[[counters]]
code = "F1"
name = "发证"
kind = "issuing"
floor = 1
"""


def test_the_hall_read_in_full_at_its_limits() -> None:
    hall = parse_hall(HALL, "hall.toml")
    assert (hall.name, hall.green_zone) == ("鞍山市政务服务中心", "一楼东侧")
    assert hall.lounges == (Lounge("L1", "洽谈室一", -5, 0),)
    assert hall.counters == (Counter("G1", "绿色通道", "green", 99), Counter("F1", "发证", "issuing", 1))
    assert parse_hall(HALL.replace('green_zone = "一楼东侧"\n', ""), "hall.toml").green_zone == ""
    assert parse_hall(HALL.replace("capacity = 0", "capacity = 200"), "h").lounges[0].capacity == 200


@pytest.mark.parametrize(("old", "new", "line", "reason"), [
    ("[hall]\n", "[hal]\n", None, "缺少 [hall] 节（大厅名称）"),
    ('name = "鞍山市政务服务中心"\n', "", 1, "缺少 name"),
    ('green_zone = "一楼东侧"', "green_zone = 1", 3, "green_zone 应为文本"),
    ("floor = -5", "floor = -6", 8, "floor 应在 -5 到 99 之间，而不是 -6"),
    ("floor = 99", "floor = 100", 15, "floor 应在 -5 到 99 之间，而不是 100"),
    ("capacity = 0", "capacity = -1", 9, "capacity 应在 0 到 200 之间"),
    ("capacity = 0", "capacity = 201", 9, "capacity 应在 0 到 200 之间"),
    ('code = "L1"', 'code = "G1"', 12, "code = 'G1' 重复"),
    ('code = "L1"', 'code = "L 1"', 6, "code = 'L 1' 应为"),
    ('name = "洽谈室一"\n', "", 5, "缺少 name"),
    ('name = "绿色通道"\n', "", 11, "缺少 name"),
    ('kind = "green"', 'kind = "ordinary"', None, '至少需要一个 kind = "green" 的绿色通道窗口'),
    ('kind = "issuing"', 'kind = "ordinary"', None, '需要一个 kind = "issuing" 的统一发证窗口（S9）'),
    ('kind = "green"', 'kind = "vip"', 14, "kind = 'vip' 无效，可选：green, issuing, ordinary"),
    ("[[lounges]]\ncode", "[[counters]]\nkind = \"ordinary\"\ncode", None, "至少需要一个 [[lounges]] 业务洽谈室（S9）"),
])
def test_each_hall_mistake_names_its_line(old: str, new: str, line: int | None, reason: str) -> None:
    assert old in HALL
    with pytest.raises(ReferenceDataError) as info:
        parse_hall(HALL.replace(old, new, 1), "hall.toml")
    assert info.value.file == "hall.toml"
    assert (info.value.line, info.value.reason[: len(reason)]) == (line, reason), str(info.value)
