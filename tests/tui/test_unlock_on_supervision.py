"""Issue 16 point 8: on the supervisor's screen, U lists the accounts locked by wrong PINs and lifts the chosen
lock-out, recorded with the supervisor's staff ID; a clerk cannot."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.widgets import OptionList, Static

from hallterm.domain.auth import AuthError
from hallterm.domain.events import EventKind
from hallterm.services.context import Services
from hallterm.services.staff import set_pin, sign_in
from hallterm.storage.tables import events
from hallterm.tui.desk.supervision import SupervisionScreen
from hallterm.tui.widgets.choice import ChoiceScreen
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import settle


def notice(app: object) -> str:
    return str(app.screen.query_one("#supervision-notice", Static).render())  # type: ignore[attr-defined]


async def test_the_supervisor_unlocks_a_locked_account_from_the_supervision_screen(
    loaded: Services, desk_app: DeskAppFactory
) -> None:
    supervisor = desk_app("supervisor")
    async with supervisor.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(supervisor.screen, SupervisionScreen)
        await pilot.press("u")
        await settle(pilot)
        assert "当前没有被锁定的账号" in notice(supervisor)

        set_pin(loaded, "S1402", "3579")
        for _ in range(5):
            with pytest.raises(AuthError):
                sign_in(loaded, "S1402", "1111")
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(supervisor.screen, ChoiceScreen)
        listed = supervisor.screen.query_one(OptionList)
        assert listed.option_count == 1 and "S1402" in str(listed.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(supervisor.screen, SupervisionScreen)
        assert "已解除 S1402 的锁定" in notice(supervisor)
    assert sign_in(loaded, "S1402", "3579").staff_id == "S1402"
    with loaded.db.read() as conn:
        row = conn.execute(select(events.c.staff_id, events.c.details)
                           .where(events.c.kind == EventKind.ACCOUNT_UNLOCKED)).one()
    assert row.staff_id == "S1601" and row.details["target"] == "S1402"
