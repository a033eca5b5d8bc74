"""The case form's fields, driven with Textual's Pilot, fed hostile text: too long, control characters,
markup, formula starts, a credit code where a name goes. F10 then opens a clean case or the form says, in
Chinese, what stops it, and nothing is written; the desk keeps running.

As in test_scan_field.py, a Pilot app is slow to start: few examples at ``ci``, more at ``long``.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from textual.widgets import Input, Static

from hallterm.domain.cases import CaseDraft, check_draft
from hallterm.domain.jurisdiction import CaseKind
from hallterm.domain.service_mode import ServiceMode
from hallterm.domain.terminal_text import hidden_characters
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import cases
from hallterm.tui.desk.case_form import CaseFormScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.widgets.message_line import MessageLine
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import settle

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
PILOT = settings(settings.default, max_examples=max(2, settings.default.max_examples // 25),
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FIELDS = ("enterprise-name", "project-name", "uscc", "uscc-reason", "mode-reason", "item-filter")

hostile = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="\x00\x07\x1b[]0123456789;mJ\u202e\u200b\u2028\t张三鞍钢", min_size=1, max_size=20),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(150, 400)),
    st.sampled_from(["=cmd|' /C calc'!A0", "[b]鞍钢[/b]", "[red]x[/", "91210300MA0QN6QJ4X", "9121030０MA0QN6QJ4X",
                     "鞍钢集团\x1b[2J有限公司", "ＧＤ２０２２", " ", "\u3000" * 5]),
)


def _case_count(svc: Services) -> int:
    with svc.db.read() as conn:
        return conn.execute(select(func.count()).select_from(cases)).scalar_one()


@PILOT
@given(st.lists(st.tuples(st.sampled_from(FIELDS), hostile), min_size=1, max_size=4))
async def test_hostile_fields_open_a_clean_case_or_are_refused(loaded: Services, cards: dict[str, str],
                                                               desk_app: DeskAppFactory, desk_session: StaffSession,
                                                               entries: list[tuple[str, str]]) -> None:
    before = _case_count(loaded)
    app = desk_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#scan", Input).insert_text_at_cursor(cards["valid"])
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CaseFormScreen)
        await pilot.press("enter")  # tick the highlighted item, as the 3-key path does
        for field_id, text in entries:
            field = form.query_one(f"#{field_id}", Input)
            field.focus()
            field.value = ""
            field.insert_text_at_cursor(text)  # as typing or a paste inserts it (max_length applies)
            await pilot.pause()
        await pilot.press("f10")
        await settle(pilot)
        assert app.is_running
        if app.screen is form:  # refused on the form: it says why, in Chinese, on one safe line
            error = str(form.query_one("#form-error", Static).render())
            assert _CHINESE.search(error) and not hidden_characters(error), (entries, error)
            assert _case_count(loaded) == before
            return
        assert isinstance(app.screen, DeskScreen), app.screen
        said = app.screen.query_one(MessageLine).text
        assert _CHINESE.search(said) and not hidden_characters(said), said
    with loaded.db.read() as conn:
        opened = conn.execute(select(cases.c.enterprise_name, cases.c.project_name, cases.c.uscc)
                              .order_by(cases.c.id.desc())).first()
    if _case_count(loaded) > before:  # what was stored is clean and fits its columns
        assert opened is not None
        for value, width in zip(opened, (200, 200, 18), strict=True):
            assert not hidden_characters(value) and len(value) <= width, opened


async def test_a_filter_typed_past_every_match_keeps_the_desk_running(cards: dict[str, str], desk_app: DeskAppFactory,
                                                                     desk_session: StaffSession) -> None:
    """Found by the property test above: the filter emptied and refilled before the list caught up."""
    app = desk_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#scan", Input).insert_text_at_cursor(cards["valid"])
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        field = app.screen.query_one("#item-filter", Input)
        for _ in range(3):
            field.value = ""  # every item: the first is highlighted…
            field.value = "没有这个事项"  # …and gone before the list hears of it
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, CaseFormScreen)
        field.value = ""
        await pilot.press("enter")
        assert app.screen.query_one("#chosen", Static).render() != "已选：（未选）"


@given(st.fixed_dictionaries({field: hostile | st.just("") for field in
                              ("enterprise_name", "project_name", "uscc", "uscc_override_reason", "mode_reason")}))
def test_a_draft_that_passes_the_check_is_clean(texts: dict[str, str]) -> None:
    """The form's check itself, without Pilot: what it lets through can be stored and shown."""
    draft = CaseDraft("GD2022A000178", CaseKind.ENTERPRISE, ("QY-GSSL",), **texts)
    problems = check_draft(draft, ServiceMode.PENDING)
    for problem in problems:
        assert _CHINESE.search(problem) and not hidden_characters(problem), problem
    if not problems:
        for name, value in texts.items():  # as the case stores them: stripped
            assert not hidden_characters(value.strip()), (name, value)
        assert len(draft.enterprise_name.strip()) <= 200 and len(draft.project_name.strip()) <= 200
        assert len(draft.uscc.strip()) <= 18
