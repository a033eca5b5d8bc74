"""Moving an item of the selected case on from the coordinator's view (issue 13; S9: to the 统一发证窗口):
转入审查, 准予许可 (with its decision number), 不予许可 (with the reason the applicant is told), 送发证窗口 —
one key per step, the item chosen when the case has several that can take it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.dom import DOMNode

from hallterm.domain.progress import (
    DECISION_NO_EXAMPLE,
    STEP_NAMES,
    ItemFacts,
    ProgressError,
    Step,
    check_decision_no,
    check_reason,
    next_status,
)
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.messages import Done
from hallterm.tui.widgets.choice import ChoiceScreen
from hallterm.tui.widgets.message_line import Level, WithMessageLine
from hallterm.tui.widgets.reason import ReasonScreen

if TYPE_CHECKING:
    from hallterm.services.progress import ItemProgress, StepChoice
    from hallterm.tui.desk.app import DeskApp


class StepChoices(Done):
    """``result``: a ``StepChoice``: the case's items, and those the key's step applies to."""


class ItemStepped(Done):
    """``result``: the ``StepResult`` of moving an item on (issue 13)."""


# The keys that move an item on (issue 13), each with its step's code.
ITEM_STEP_ACTIONS = {"item_review": "review", "item_approve": "approve", "item_refuse": "refuse",
                     "item_ready": "ready"}


class ItemStepKeys(WithMessageLine):
    """For the coordinator's view: the keys of ITEM_STEP_ACTIONS act on the item of the selected case."""

    if TYPE_CHECKING:  # what the screen this is mixed into has
        app: DeskApp
        _follow: int | None  # the case just acted on: the cursor follows it

        def _selected(self) -> int | None: ...

        def action_refresh(self) -> None: ...

    def action_item_review(self) -> None:
        self._item_step("review")

    def action_item_approve(self) -> None:
        self._item_step("approve")

    def action_item_refuse(self) -> None:
        self._item_step("refuse")

    def action_item_ready(self) -> None:
        self._item_step("ready")

    def _item_step(self, code: str) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.progress import choices_for

        assert isinstance(self, DOMNode)  # a mixin of a screen
        case_id = self._selected()
        if case_id is None:
            return
        run_use_case(self, StepChoices, choices_for, self.app.services, case_id, Step(code))

    def on_step_choices(self, message: StepChoices) -> None:
        choice: StepChoice = message.result
        if not choice.items:
            self.say("该办件没有审批事项", Level.ERROR)
        elif not choice.eligible and len(choice.items) > 1:
            states = "；".join(f"{i.item_name}：{i.status_name}" for i in choice.items)
            self.say(f"该办件没有可以{STEP_NAMES[choice.step]}的事项（{states}）", Level.ERROR)
        elif len(choice.eligible) > 1:
            by_id = {str(i.case_item_id): i for i in choice.eligible}

            def chosen(value: str | None) -> None:
                if value is not None:
                    self._ask(choice.step, by_id[value])

            options = [(f"{i.item_name}（{i.status_name}）", key) for key, i in by_id.items()]
            self.app.push_screen(ChoiceScreen(f"{STEP_NAMES[choice.step]}：选择事项", options), chosen)
        else:
            # One item to act on; when it cannot take the step, the use case says why (domain.progress).
            self._ask(choice.step, (choice.eligible or choice.items)[0])

    def _ask(self, step: Step, item: ItemProgress) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services import progress

        assert isinstance(self, DOMNode)  # a mixin of a screen
        # The rule first (domain.progress, pure): a step this item cannot take is refused at once, with the
        # reason, before a dialog asks for a decision number or a reason that would only be thrown away.
        # The use case checks again against the database (another terminal may have moved the item).
        try:
            next_status(ItemFacts(item.status, item.paused, owes_supplement=item.owes_supplement), step)
        except ProgressError as exc:
            self.say(f"{item.item_name}：{exc}", Level.ERROR)
            return
        svc, session, item_id = self.app.services, self.app.session, item.case_item_id
        if step is Step.REVIEW:
            run_use_case(self, ItemStepped, progress.start_review, svc, session, item_id)
        elif step is Step.READY:
            run_use_case(self, ItemStepped, progress.mark_ready, svc, session, item_id)
        elif step is Step.APPROVE:
            def approve(number: str | None) -> None:
                if number is not None:
                    run_use_case(self, ItemStepped, progress.decide, svc, session, item_id, approved=True,
                                 decision_no=number)

            self.app.push_screen(ReasonScreen(f"准予许可：{item.item_name}　请输入决定文书号",
                                              f"如 {DECISION_NO_EXAMPLE}", check=check_decision_no,
                                              empty=f"准予许可须填写决定文书号（如 {DECISION_NO_EXAMPLE}）"),
                                 approve)
        else:
            def refuse(reason: str | None) -> None:
                if reason is not None:
                    run_use_case(self, ItemStepped, progress.decide, svc, session, item_id, approved=False,
                                 reason=reason)

            self.app.push_screen(ReasonScreen(f"不予许可：{item.item_name}　请填写理由（告知申请人）",
                                              check=check_reason), refuse)

    def on_item_stepped(self, message: ItemStepped) -> None:
        result = message.result
        if not result.case_closed:
            self._follow = result.item.case_id
        self.say(result.message)
        self.action_refresh()
