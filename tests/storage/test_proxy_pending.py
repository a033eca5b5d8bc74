"""Cases owed a 帮办代办 staff member, routed when none was on duty, get one from F8 once one is on
duty, on SQLite and PostgreSQL (issue 11 point 6, S1/S3)."""

from __future__ import annotations

import datetime as dt

from hallterm.services import cases
from hallterm.services.context import Services
from hallterm.services.staff import set_pin, sign_in
from tests.services.test_open_and_route import draft

EVENING_19 = dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC)  # Thursday 19:00 in the hall
NEXT_MORNING = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # Friday 10:00


def test_cases_owed_a_proxy_after_hours_get_one_when_one_is_on_duty(
    any_hall: Services, clock: list[dt.datetime], cards_for
) -> None:
    set_pin(any_hall, "S1401", "2468")
    desk = sign_in(any_hall, "S1401", "2468")
    clock[0] = EVENING_19
    card = cards_for(any_hall)
    utilities = cases.open_case(any_hall, desk, draft(card, item_codes=("DB-SDQBZ",)))
    on_request = cases.open_case(any_hall, desk, draft(card, full_proxy=True))
    plain = cases.open_case(any_hall, desk, draft(card))
    for owed in (utilities, on_request):
        assert owed.coordinator is not None and owed.proxy is None
        assert owed.proxy_reason.startswith("帮办代办人员已下班，最早 11月27日 08:30 到岗")
    assert plain.proxy is None and plain.proxy_reason == ""

    assert cases.route_queued(any_hall, desk).proxies == 0  # still evening: nobody came, nothing changes
    clock[0] = NEXT_MORNING
    assert cases.route_queued(any_hall, desk).proxies == 2
    proxies = {c.id: getattr(cases.get_case(any_hall, c.id), "proxy", None) for c in (utilities, on_request, plain)}
    assert proxies[utilities.id] is not None and proxies[on_request.id] is not None
    assert proxies[plain.id] is None
    assert cases.route_queued(any_hall, desk).proxies == 0  # given once
