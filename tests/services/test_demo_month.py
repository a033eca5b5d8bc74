"""The demo's month of the hall, made by the use cases at the times it happened (issue 13 point 8)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, select

from hallterm.domain.report import Period
from hallterm.services.context import Services
from hallterm.services.demo import DEMO_AFTER_HOURS, build_demo
from hallterm.services.report import build_report
from hallterm.storage.tables import case_items, cases, events, tickets

MONDAY = dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC)  # 09:30 in the hall


def test_a_week_of_the_hall_goes_through_every_step_the_desk_takes(loaded: Services,
                                                                  clock: list[dt.datetime]) -> None:
    clock[0] = MONDAY
    summary = build_demo(loaded, 120, days=8)  # Sunday 11-29 to Sunday 12-06: two weekends, five working days
    month = summary["month"]
    assert month.refused == [], month.refused  # the hall's own rules refused nothing the demo did
    assert month.cases == summary["cases"] >= 5 * 8
    assert min(month.accepted, month.conditional, month.supplemented, month.one_time_notices, month.paused) > 0
    # ... and on past the counter: decided, handed out at the issuing window and rated; proxy tasks, a
    # consultation turned into a case, a joint review (issue 13 point 8).
    assert min(month.decided, month.handed_out, month.ratings, month.proxy_tasks, month.consultations,
               month.converted, month.joint_reviews) > 0
    tz = loaded.settings.hall.tz
    with loaded.db.read() as conn:
        opened = conn.execute(select(cases.c.id, cases.c.opened_at)).all()
        item_states = dict(conn.execute(select(case_items.c.status, func.count()).group_by(case_items.c.status)).all())
        log = conn.execute(select(events.c.case_id, events.c.at, events.c.kind, events.c.staff_id)
                           .order_by(events.c.id)).all()
        numbers = conn.execute(select(tickets.c.day, tickets.c.ticket_no)).all()
    assert {"accepted", "conditional", "not_accepted", "in_review", "handed_out"} <= set(item_states)
    # Weekends: the after-hours desk opened the cases (S6, 365 days a year).
    weekend_openers = {e.staff_id for e in log if e.kind == "case_opened"
                       and e.at.astimezone(tz).weekday() >= 5}
    assert weekend_openers == {DEMO_AFTER_HOURS}
    assert {o.opened_at.astimezone(tz).date() for o in opened} >= {dt.date(2026, 11, 29) + dt.timedelta(days=n)
                                                                   for n in range(8)}
    # History, not fiction: nothing lies ahead of the clock, and each case's events follow one another.
    assert max(e.at for e in log) <= MONDAY
    by_case: dict[int, list[dt.datetime]] = defaultdict(list)
    for e in log:
        if e.case_id is not None:
            by_case[e.case_id].append(e.at)
    assert all(times == sorted(times) for times in by_case.values())
    assert len(numbers) == len(set(numbers))  # one ticket number per day, never twice
    # What a newcomer's supervisor sees of it (issue 14): the report agrees with what the demo did, and the
    # figures a supervisor looks for first are not empty.
    report = build_report(loaded, Period(dt.date(2026, 11, 29), dt.date(2026, 12, 6)))
    figures = report.figures
    # (one case more than the month's: last evening's after-hours case, demo.evening_case)
    assert (figures["cases_opened"], figures["ratings_total"], figures["tickets_no_show"]) == (
        month.cases + 1, month.ratings, month.no_shows)
    assert figures["conditional_breached"] == month.breached
    assert all((figures[key] or 0) > 0 for key in ("cases_closed", "tickets_no_show", "conditional_supplemented",
                                                    "proxy_open"))
    assert figures["on_time_rate"] is not None and figures["wait_p50_min"] is not None
