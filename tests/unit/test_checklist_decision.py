"""The checklist decision (S1, S7; research/domain.md §1): the full decision table, and the S7 deadline."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pytest

from hallterm.config_locations import DEFAULT_ASSETS
from hallterm.domain.checklist import (
    ChecklistInput,
    Decision,
    MaterialKind,
    MaterialState,
    SupplementDeadlineError,
    bar_until,
    decide,
    is_barred,
    materials_of,
    supplement_deadline,
)
from hallterm.domain.workdays import WorkCalendar
from hallterm.services.reference import read_reference

D = dt.date
CORE, SECONDARY, CONDITIONAL = "公司章程", "董事、监事、经理任职文件", "授权委托书"
FLAGS = ("core_received", "secondary_received", "condition_applies", "conditional_received",
         "fees_paid", "allows_conditional", "holder_barred", "commitment_signed")
TABLE = list(itertools.product([False, True], repeat=len(FLAGS)))


def checklist(core_received: bool, secondary_received: bool, condition_applies: bool, conditional_received: bool,
              fees_paid: bool, allows_conditional: bool, holder_barred: bool,
              commitment_signed: bool) -> ChecklistInput:
    return ChecklistInput(
        (MaterialState(CORE, MaterialKind.CORE, core_received),
         MaterialState(SECONDARY, MaterialKind.SECONDARY, secondary_received),
         MaterialState(CONDITIONAL, MaterialKind.CONDITIONAL, conditional_received, condition_applies,
                       "委托代理人办理时")),
        fees_paid, allows_conditional, holder_barred, commitment_signed)


def expected(row: dict[str, bool]) -> tuple[Decision, list[str]]:
    """The decision table, written out from the policy independently of the code under test."""
    conditional_needed = row["condition_applies"]
    missing = [name for name, present, needed in (
        (CORE, row["core_received"], True),
        (SECONDARY, row["secondary_received"], True),
        (CONDITIONAL, row["conditional_received"], conditional_needed),
    ) if needed and not present]
    if not missing:
        return Decision.ACCEPTED, missing  # 材料齐全 → 受理 (fees are not a condition of plain acceptance)
    only_secondary = missing == [SECONDARY]
    rongque_allowed = (only_secondary and row["fees_paid"] and row["allows_conditional"]
                       and not row["holder_barred"])  # S7 and the credit gate
    if not rongque_allowed:
        return Decision.NOT_ACCEPTED, missing  # 指导办 with the one-time notice
    if row["commitment_signed"]:
        return Decision.CONDITIONAL, missing
    return Decision.CONDITIONAL_NEEDS_COMMITMENT, missing


@pytest.mark.parametrize("values", TABLE, ids=["".join("1" if v else "0" for v in t) for t in TABLE])
def test_decision_table(values: tuple[bool, ...]) -> None:
    row = dict(zip(FLAGS, values, strict=True))
    result = decide(checklist(**row))
    decision, missing = expected(row)
    assert result.decision is decision
    assert [m.name for m in result.missing] == missing  # every missing material, in checklist order
    assert all(name in result.explanation for name in missing)
    assert result.accepted == (decision in (Decision.ACCEPTED, Decision.CONDITIONAL))
    assert result.guided == (decision is Decision.NOT_ACCEPTED)
    # Reasons say why 容缺 is impossible, only when it is.
    assert bool(result.reasons) == (decision is Decision.NOT_ACCEPTED)
    if decision is Decision.NOT_ACCEPTED:
        text = "；".join(result.reasons)
        assert ("主审要件" in text) == (CORE in missing or CONDITIONAL in missing)
        assert ("费用" in text) == (not row["fees_paid"])
        assert ("容缺受理清单" in text) == (not row["allows_conditional"])
        assert ("失信" in text) == row["holder_barred"]
        assert "一次性告知书" in result.explanation


def test_the_table_is_exhaustive_and_its_counts_add_up() -> None:
    counts = Counter(expected(dict(zip(FLAGS, t, strict=True)))[0] for t in TABLE)
    assert len(TABLE) == 256
    # Accepted: core and secondary present, the conditional present or not needed (3 of 4), any of 16 others.
    assert counts[Decision.ACCEPTED] == 3 * 16
    # 容缺: only the secondary missing (3 conditional states), fees paid, allowed, not barred.
    assert counts[Decision.CONDITIONAL] == counts[Decision.CONDITIONAL_NEEDS_COMMITMENT] == 3
    assert counts[Decision.NOT_ACCEPTED] == 256 - 48 - 6


def test_a_conditional_material_that_does_not_apply_is_never_missing() -> None:
    result = decide(checklist(True, True, False, False, False, False, True, False))
    assert result.decision is Decision.ACCEPTED
    assert result.missing == ()


def test_every_missing_material_is_listed_not_only_the_first() -> None:
    materials = (
        MaterialState("申请书", MaterialKind.CORE, False),
        MaterialState("章程", MaterialKind.CORE, True),
        MaterialState("任职文件", MaterialKind.SECONDARY, False),
        MaterialState("前置审批文件", MaterialKind.CONDITIONAL, False, True, "涉及前置审批时"),
        MaterialState("质量安全措施", MaterialKind.SECONDARY, False),
        MaterialState("授权委托书", MaterialKind.CONDITIONAL, False, False, "委托代理人办理时"),
    )
    result = decide(ChecklistInput(materials, True, True, False, True))
    assert result.decision is Decision.NOT_ACCEPTED
    assert [m.name for m in result.missing] == ["申请书", "任职文件", "前置审批文件", "质量安全措施"]
    assert "缺少主审要件：申请书、前置审批文件" in result.reasons[0]
    assert "缺少 4 项材料" in result.explanation


def test_several_secondary_materials_missing_can_still_be_conditional() -> None:
    materials = (MaterialState("申请书", MaterialKind.CORE, True),
                 MaterialState("现场具备施工条件", MaterialKind.SECONDARY, False),
                 MaterialState("质量安全措施", MaterialKind.SECONDARY, False))
    result = decide(ChecklistInput(materials, True, True, False, True))
    assert result.decision is Decision.CONDITIONAL
    assert result.name == "容缺受理"
    assert len(result.missing) == 2


def test_a_barred_holder_is_told_until_when() -> None:
    row = checklist(True, False, False, False, True, True, True, True)
    result = decide(ChecklistInput(row.materials, True, True, True, True, barred_until=D(2027, 5, 25)))
    assert result.decision is Decision.NOT_ACCEPTED
    assert "至 2027-05-25" in result.reasons[0]


def test_an_item_without_materials_is_accepted() -> None:
    assert decide(ChecklistInput((), False, False, True, False)).decision is Decision.ACCEPTED


def test_checklist_rows_come_from_the_catalog() -> None:
    item = next(i for i in read_reference(DEFAULT_ASSETS).items if i.code == "QY-GSSL")
    core = [m.name for m in item.materials if m.kind == "core"]
    secondary = [m.name for m in item.materials if m.kind == "secondary"]
    agent = next(m.name for m in item.materials if m.kind == "conditional" and "委托" in m.name)
    pre = next(m.name for m in item.materials if m.kind == "conditional" and "前置" in m.name)
    rows = materials_of(item, received=core, applies={agent: False, pre: False})
    result = decide(ChecklistInput(rows, True, item.allow_conditional, False, False))
    assert result.decision is Decision.CONDITIONAL_NEEDS_COMMITMENT
    assert [m.name for m in result.missing] == secondary
    # The same case filed by an agent without the power of attorney: not acceptable.
    rows = materials_of(item, received=core, applies={agent: True, pre: False})
    assert decide(ChecklistInput(rows, True, True, False, True)).decision is Decision.NOT_ACCEPTED


# ---------- the S7 supplement deadline ----------


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_supplement_deadline_is_the_items_promised_working_days(cal: WorkCalendar) -> None:
    assert supplement_deadline(cal, D(2026, 2, 12), 3) == (D(2026, 2, 24), False)  # over 春节
    assert supplement_deadline(cal, D(2026, 3, 7), 5) == (D(2026, 3, 13), False)


def test_an_earlier_deadline_may_be_set_never_a_later_one(cal: WorkCalendar) -> None:
    assert supplement_deadline(cal, D(2026, 3, 9), 5, requested=D(2026, 3, 11)) == (D(2026, 3, 11), False)
    with pytest.raises(SupplementDeadlineError, match="不得晚于 2026-03-16"):
        supplement_deadline(cal, D(2026, 3, 9), 5, requested=D(2026, 3, 17))
    with pytest.raises(SupplementDeadlineError, match="应晚于受理日期"):
        supplement_deadline(cal, D(2026, 3, 9), 5, requested=D(2026, 3, 9))


def test_an_immediate_item_has_no_supplement_period(cal: WorkCalendar) -> None:
    with pytest.raises(SupplementDeadlineError, match="即办件"):
        supplement_deadline(cal, D(2026, 3, 9), 0)


def test_a_supplement_deadline_past_the_data_is_estimated(cal: WorkCalendar) -> None:
    # 12-30, 12-31, then 元旦 (certain even before the 2027 notice), 01-04, 01-05, 01-06.
    assert supplement_deadline(cal, D(2026, 12, 29), 5) == (D(2027, 1, 6), True)


# ---------- the bar after a breached commitment ----------


@pytest.mark.parametrize(("breached", "months", "until"), [
    (D(2026, 11, 26), 6, D(2027, 5, 25)),
    (D(2026, 8, 31), 6, D(2027, 2, 27)),  # no 31 February: the 28th, the day before
    (D(2026, 1, 1), 12, D(2026, 12, 31)),
    (D(2026, 7, 15), 1, D(2026, 8, 14)),
])
def test_bar_until(breached: dt.date, months: int, until: dt.date) -> None:
    assert bar_until(breached, months) == until
    assert is_barred(until, bar_until(breached, months))
    assert not is_barred(until + dt.timedelta(days=1), bar_until(breached, months))


def test_default_bar_is_six_months_and_none_means_not_barred() -> None:
    assert bar_until(D(2026, 11, 26)) == D(2027, 5, 25)
    assert not is_barred(D(2026, 11, 26), None)
    with pytest.raises(ValueError):
        bar_until(D(2026, 11, 26), 0)
