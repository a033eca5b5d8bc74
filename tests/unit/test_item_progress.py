"""Item progress after acceptance (issue 13): every allowed step, each refused one, the case's end,
and who may take a result away at the 统一发证窗口 (S9)."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.checklist import ItemStatus
from hallterm.domain.handout import Recipient, RecipientError, RecipientKind, check_recipient
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.progress import (
    TRANSITIONS,
    ItemFacts,
    ProgressError,
    Step,
    case_finished,
    check_decision_no,
    check_reason,
    next_status,
)

S = ItemStatus
TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(("before", "step", "after"), [
    (S.ACCEPTED, Step.REVIEW, S.IN_REVIEW),
    (S.CONDITIONAL, Step.REVIEW, S.IN_REVIEW),
    (S.IN_REVIEW, Step.APPROVE, S.APPROVED),
    (S.IN_REVIEW, Step.REFUSE, S.REFUSED),
    (S.APPROVED, Step.READY, S.READY),
    (S.READY, Step.HAND_OUT, S.HANDED_OUT),
])
def test_every_allowed_step(before: ItemStatus, step: Step, after: ItemStatus) -> None:
    assert next_status(ItemFacts(before), step) is after


def test_the_table_holds_exactly_those_steps() -> None:
    assert len(TRANSITIONS) == 6


@pytest.mark.parametrize(("before", "step"), [
    (b, s) for b in ItemStatus for s in Step if (b, s) not in TRANSITIONS
])
def test_every_other_step_is_refused_with_a_reason(before: ItemStatus, step: Step) -> None:
    with pytest.raises(ProgressError) as refused:
        next_status(ItemFacts(before), step)
    assert str(refused.value)  # a Chinese sentence, never empty


def test_nothing_is_handed_out_before_it_is_ready() -> None:
    for status in (S.ACCEPTED, S.IN_REVIEW, S.APPROVED):
        with pytest.raises(ProgressError, match="待领取"):
            next_status(ItemFacts(status), Step.HAND_OUT)


def test_an_ended_item_says_so() -> None:
    with pytest.raises(ProgressError, match="已办结"):
        next_status(ItemFacts(S.HANDED_OUT), Step.READY)
    with pytest.raises(ProgressError, match="尚未受理"):
        next_status(ItemFacts(S.RECEIVED), Step.REVIEW)


def test_a_decided_item_is_not_sent_back_to_review() -> None:
    # "请先转入审查" was the advice for an item already approved: wrong, it cannot be decided again.
    with pytest.raises(ProgressError, match=r"^该事项已准予许可，不能再不予许可$"):
        next_status(ItemFacts(S.APPROVED), Step.REFUSE)
    with pytest.raises(ProgressError, match=r"送发证窗口待领取，不能再准予许可$"):
        next_status(ItemFacts(S.READY), Step.APPROVE)


def test_no_decision_while_a_special_procedure_runs() -> None:
    paused = ItemFacts(S.IN_REVIEW, paused=True, pause_name="专家评审")
    for step in (Step.APPROVE, Step.REFUSE):
        with pytest.raises(ProgressError, match="专家评审"):
            next_status(paused, step)
    assert next_status(ItemFacts(S.ACCEPTED, paused=True), Step.REVIEW) is S.IN_REVIEW  # review goes on


def test_no_approval_while_conditional_supplements_are_owed() -> None:
    owing = ItemFacts(S.IN_REVIEW, owes_supplement=True)
    with pytest.raises(ProgressError, match="补正材料尚未补齐"):
        next_status(owing, Step.APPROVE)
    assert next_status(owing, Step.REFUSE) is S.REFUSED


def test_the_case_ends_when_every_item_has_ended() -> None:
    assert case_finished(["handed_out", "refused", "returned"])
    assert not case_finished(["handed_out", "not_accepted"])  # the applicant comes back with what was listed
    assert not case_finished(["handed_out"], open_proxy_tasks=1)  # a 全程代办 connection still runs (S3)
    assert not case_finished(["handed_out", "ready"])
    assert not case_finished(["handed_out", "received"])
    assert not case_finished([])


def test_decision_number_and_reason() -> None:
    assert check_decision_no(" 鞍审批准字〔２０２６〕第0012号 ") == "鞍审批准字〔2026〕第0012号"
    for bad in ("", "   "):
        with pytest.raises(ProgressError, match="决定文书号"):
            check_decision_no(bad)
    with pytest.raises(ProgressError, match="控制字符"):
        check_decision_no("鞍审\x1b[31m")
    with pytest.raises(ProgressError, match="过长"):
        check_decision_no("号" * 65)
    with pytest.raises(ProgressError, match=r"不像决定文书号.*年份和序号"):  # filled, but not a number
        check_decision_no("abc")
    with pytest.raises(ProgressError, match="理由"):
        check_reason(" ")


def _rid(body: str) -> str:
    return body + resident_id_check_char(body)


HOLDER_ID = _rid("21030219800101001")
AGENT_ID = _rid("21030319900202002")


def test_the_holder_with_their_own_id() -> None:
    got = check_recipient(Recipient(RecipientKind.HOLDER, HOLDER_ID.lower() if HOLDER_ID[-1] == "X"
                                    else " " + HOLDER_ID), "王喆", HOLDER_ID, today=TODAY)
    assert got.name == "王喆" and got.id_masked == HOLDER_ID[:3] + "*" * 13 + HOLDER_ID[-2:]
    assert HOLDER_ID not in repr(got)


def test_a_holder_id_other_than_the_roster_is_refused() -> None:
    with pytest.raises(RecipientError, match="不一致"):
        check_recipient(Recipient(RecipientKind.HOLDER, AGENT_ID), "王喆", HOLDER_ID, today=TODAY)


def test_an_agent_needs_a_name_a_valid_id_and_the_power_of_attorney() -> None:
    ok = check_recipient(Recipient(RecipientKind.AGENT, AGENT_ID, "李四", True), "王喆", HOLDER_ID, today=TODAY)
    assert (ok.kind, ok.name, ok.power_of_attorney) == (RecipientKind.AGENT, "李四", True)
    with pytest.raises(RecipientError, match="授权委托书"):
        check_recipient(Recipient(RecipientKind.AGENT, AGENT_ID, "李四", False), "王喆", HOLDER_ID, today=TODAY)
    bad = AGENT_ID[:17] + ("0" if AGENT_ID[17] != "0" else "1")
    with pytest.raises(RecipientError, match="校验不通过"):
        check_recipient(Recipient(RecipientKind.AGENT, bad, "李四", True), "王喆", HOLDER_ID, today=TODAY)
    with pytest.raises(RecipientError, match="姓名"):
        check_recipient(Recipient(RecipientKind.AGENT, AGENT_ID, " ", True), "王喆", HOLDER_ID, today=TODAY)
