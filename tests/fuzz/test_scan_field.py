"""The desk's scan field, driven with Textual's Pilot, fed random and hostile text then Enter.

What a person or a mis-set scanner can put there: random text, control characters (NUL, ESC sequences,
a right-to-left override), full-width and IME characters, the hall's slip prefix with garbage, input
far past the field's useful length. Each entry gets a Chinese line on the message line, the desk keeps
running on its scan screen, and nothing is written but the audit events of a scan.

Pilot apps are slow to start, so each example types several entries into one desk, and the examples
are few at the ``ci`` profile (more at ``long``).
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from hallterm.domain.cards import MAX_SCAN_LENGTH
from hallterm.domain.events import EventKind
from hallterm.domain.terminal_text import hidden_characters
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import appointments, card_holders, cases, events, tickets
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.widgets.message_line import MessageLine
from hallterm.tui.widgets.scan_field import ScanField
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import settle, type_text

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
# A handful of desks at ci, many more at long (each example starts one).
PILOT = settings(settings.default, max_examples=max(2, settings.default.max_examples // 25),
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
AUDIT = {EventKind.CARD_SCANNED.value, EventKind.SLIP_REFUSED.value, EventKind.SLIP_SCANNED.value}

typed = st.text(alphabet=st.sampled_from("GDgd2022A0178XZ :：ＧＤ０１２　%#@=+-中文卡号HT1"), min_size=1, max_size=8)
inserted = st.one_of(  # put into the field as the widget inserts a typed character, control ones too
    st.text(min_size=1, max_size=40),
    st.text(alphabet="\x00\x01\x07\x08\x1b[]0123456789;mJH\u202e\u200b\ufeffGD", min_size=1, max_size=30),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(MAX_SCAN_LENGTH, 3 * MAX_SCAN_LENGTH)),
    st.sampled_from(["\x1b[31mGD2022A000178\x1b[0m", "HT1:T:\x00:A001:K1:AAAA", "HT1:" + "A" * 500,
                     "GD2022A00017\u202e8", "[b]GD[/b]", "[red]x", "=cmd|' /C calc'!A0"]),
)
entry = st.tuples(st.sampled_from(["type", "insert"]), typed | inserted, st.sampled_from(["enter", "tab", "ctrl+j"]))


def _state(svc: Services) -> tuple[int, ...]:
    with svc.db.read() as conn:
        return tuple(conn.execute(select(func.count()).select_from(table)).scalar_one()
                     for table in (card_holders, cases, tickets, appointments))


def _kinds_after(svc: Services, last: int) -> set[str]:
    with svc.db.read() as conn:
        return set(conn.execute(select(events.c.kind).where(events.c.id > last)).scalars())


def _last_event(svc: Services) -> int:
    with svc.db.read() as conn:
        return conn.execute(select(func.coalesce(func.max(events.c.id), 0))).scalar_one()


@PILOT
@given(st.lists(entry, min_size=3, max_size=5))
async def test_hostile_scans_get_a_chinese_line_and_write_nothing(loaded: Services, desk_app: DeskAppFactory,
                                                                  desk_session: StaffSession,
                                                                  entries: list[tuple[str, str, str]]) -> None:
    before, last = _state(loaded), _last_event(loaded)
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        field = app.screen.query_one(ScanField)
        for how, text, suffix in entries:
            field.focus()
            field.value = ""
            if how == "type":
                await type_text(pilot, text)
            else:
                field.insert_text_at_cursor(text)
            await pilot.press(suffix)
            await settle(pilot)
            assert app.is_running and isinstance(app.screen, DeskScreen), (text, app.screen)
            line = app.screen.query_one(MessageLine)
            if text.strip():
                assert _CHINESE.search(line.text), (text, line.text)
                assert not hidden_characters(line.text), (text, line.text)  # nothing a terminal would obey
    assert _state(loaded) == before
    assert _kinds_after(loaded, last) <= AUDIT
