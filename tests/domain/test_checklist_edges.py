"""The checklist's edges (S1, S7): rows of a catalog item, who owes a supplement, the supplement deadline
and the 容缺 bar at their limits, decisions field by field."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.checklist import (
    ChecklistInput,
    Decision,
    ItemStatus,
    MaterialKind,
    MaterialState,
    SupplementDeadlineError,
    bar_until,
    decide,
    is_barred,
    materials_of,
    owes_supplement,
    supplement_deadline,
)
from hallterm.domain.reference import Item, Material
from hallterm.domain.workdays import WorkCalendar

ITEM = Item("QY-1", "公司设立", "企业登记科", 3, False, True, "city", (), "", (
    Material("申请书", "core"), Material("章程", "secondary", note="原件"),
    Material("前置许可", "conditional", condition="涉及前置审批时", note="复印件"),
))


def test_materials_of_a_catalog_item() -> None:
    rows = materials_of(ITEM, received=["章程"], applies={"前置许可": False})
    assert rows == (
        MaterialState("申请书", MaterialKind.CORE, False, True, "", ""),
        MaterialState("章程", MaterialKind.SECONDARY, True, True, "", "原件"),
        MaterialState("前置许可", MaterialKind.CONDITIONAL, False, False, "涉及前置审批时", "复印件"),
    )
    assert materials_of(ITEM)[2].applies is True  # a condition holds unless staff say otherwise
    assert [r.missing for r in materials_of(ITEM)] == [True, True, True]
    assert [r.missing for r in rows] == [True, False, False]


@pytest.mark.parametrize(("status", "decision", "owes"), [
    (ItemStatus.CONDITIONAL, Decision.CONDITIONAL, True),
    (ItemStatus.IN_REVIEW, Decision.CONDITIONAL, True),
    (ItemStatus.ACCEPTED, Decision.CONDITIONAL, False),
    (ItemStatus.RETURNED, Decision.CONDITIONAL, False),
    (ItemStatus.IN_REVIEW, Decision.ACCEPTED, False),
    (ItemStatus.CONDITIONAL, Decision.NOT_ACCEPTED, False),
])
def test_who_owes_a_supplement(status: ItemStatus, decision: Decision, owes: bool) -> None:
    assert owes_supplement(status.value, decision.value) is owes


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_the_supplement_deadline_at_its_limits(cal: WorkCalendar) -> None:
    monday = dt.date(2026, 11, 23)
    assert supplement_deadline(cal, monday, 1) == (dt.date(2026, 11, 24), False)  # one working day is enough
    limit, _ = supplement_deadline(cal, monday, 3)
    assert limit == dt.date(2026, 11, 26)
    assert supplement_deadline(cal, monday, 3, limit) == (limit, False)
    assert supplement_deadline(cal, monday, 3, monday + dt.timedelta(days=1)) == (monday + dt.timedelta(days=1), False)
    with pytest.raises(SupplementDeadlineError, match="不得晚于 2026-11-26（事项承诺时限 3 个工作日）"):
        supplement_deadline(cal, monday, 3, limit + dt.timedelta(days=1))
    with pytest.raises(SupplementDeadlineError, match="应晚于受理日期"):
        supplement_deadline(cal, monday, 3, monday)
    with pytest.raises(SupplementDeadlineError, match="即办件"):
        supplement_deadline(cal, monday, 0)


def test_the_bar_runs_months_later_less_a_day() -> None:
    assert bar_until(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 27)
    assert bar_until(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 27)
    assert bar_until(dt.date(2026, 12, 1), 12) == dt.date(2027, 11, 30)
    with pytest.raises(ValueError, match="months must be >= 1, got 0"):
        bar_until(dt.date(2026, 1, 1), 0)
    assert is_barred(dt.date(2026, 2, 27), dt.date(2026, 2, 27)) and not is_barred(dt.date(2026, 2, 28),
                                                                                    dt.date(2026, 2, 27))
    assert not is_barred(dt.date(2026, 2, 27), None)


def checklist(**changes: object) -> ChecklistInput:
    values: dict[str, object] = {"materials": materials_of(ITEM, received=["申请书"], applies={"前置许可": False}),
                                 "fees_paid": True, "allows_conditional": True, "holder_barred": False,
                                 "commitment_signed": False}
    values.update(changes)
    return ChecklistInput(**values)  # type: ignore[arg-type]


def test_decisions_field_by_field() -> None:
    complete = decide(checklist(materials=materials_of(ITEM, ["申请书", "章程", "前置许可"])))
    assert (complete.decision, complete.missing, complete.reasons) == (Decision.ACCEPTED, (), ())
    assert complete.explanation == "材料齐全，予以受理（马上办）" and complete.accepted and not complete.guided
    needs = decide(checklist())
    assert (needs.decision, [m.name for m in needs.missing], needs.reasons) == (
        Decision.CONDITIONAL_NEEDS_COMMITMENT, ["章程"], ())
    signed = decide(checklist(commitment_signed=True))
    assert (signed.decision, [m.name for m in signed.missing], signed.reasons) == (Decision.CONDITIONAL, ["章程"], ())
    assert signed.accepted and not needs.accepted


def test_a_bar_names_its_end_only_when_known() -> None:
    barred = decide(checklist(holder_barred=True, barred_until=dt.date(2027, 5, 31)))
    assert barred.decision is Decision.NOT_ACCEPTED and barred.guided
    assert barred.reasons == ("申请人有失信记录或未履行的容缺承诺，暂停容缺受理资格（至 2027-05-31）",)
    assert decide(checklist(holder_barred=True)).reasons == ("申请人有失信记录或未履行的容缺承诺，暂停容缺受理资格",)
