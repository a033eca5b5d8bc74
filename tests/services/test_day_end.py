"""A queue that starts clean each day (issue 11 point 7, S9): visitors still queued at the day's end
leave the queue for a call-back; F8's answer says which of the two things is missing."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from sqlalchemy import update

from hallterm.services import cases
from hallterm.services.context import Services
from hallterm.services.deadline_sweep import sweep
from hallterm.services.slip_builders import waiting_reason
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import lounges
from hallterm.tui.desk.history import describe
from tests.services.test_open_and_route import EVENING, draft, event_kinds

THURSDAY_10 = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)
FRIDAY_9 = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
SUNDAY_10 = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)
NATIONAL_DAY_SUNDAY_10 = dt.datetime(2026, 10, 4, 2, 0, tzinfo=dt.UTC)  # 国庆节, a Sunday
NATIONAL_DAY_THURSDAY_10 = dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.UTC)  # a holiday on a weekday


def test_the_nightly_sweep_lists_the_evenings_queue_for_a_call_back_and_the_morning_starts_clean(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    clock[0] = EVENING  # Thursday 21:30, after hours: nobody of 业务协调科 comes back today
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert view.status == "queued"
    assert sweep(loaded).left_queue == []  # a desk starting in the evening leaves tonight's queue alone
    night = sweep(loaded, day_end=True)  # the nightly `hallterm sweep`
    assert [(c.case_no, c.name, c.phone) for c in night.left_queue] == [(view.case_no, "王*", "138****5678")]
    after = cases.get_case(loaded, view.id)
    assert after is not None and after.status == "in_progress" and after.lounge_code is None
    assert event_kinds(loaded, view.id)[-1] == "queue_left"
    left_event = cases.history(loaded, view.id)[-1]
    assert left_event.staff_id == "system:sweep"  # the sweep's act, recorded as the system's (issue 16 point 9)
    line = describe(left_event)  # the F6 history's line: words, not an internal code
    assert "回访" in line and "day_end" not in line and "day_end" not in str(left_event.details)
    assert sweep(loaded, day_end=True).left_queue == []  # idempotent
    clock[0] = FRIDAY_9
    routing = cases.route_queued(loaded, desk_session)
    assert (routing.routed, routing.waiting, routing.left) == (0, 0, [])  # nobody seated who went home


def test_a_visitor_queued_while_a_coordinator_is_still_due_today_stays_in_the_queue_tonight(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    with loaded.db.write() as conn:
        conn.execute(update(lounges).values(capacity=0))  # rooms full, coordinators on duty
    clock[0] = THURSDAY_10
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert view.status == "queued"
    assert sweep(loaded, day_end=True).left_queue == []  # run by mistake at 10:00: the visitor is in the hall
    routing = cases.route_queued(loaded, desk_session)
    assert (routing.routed, routing.waiting) == (0, 1)
    assert routing.blocked == "业务洽谈室已满"  # the one thing missing, not "已满或无在岗协调员"


@pytest.mark.usefixtures("no_duty_roster")  # the roster would receive the case (test_after_hours.py)
def test_on_a_sunday_or_a_holiday_the_reason_is_the_rest_day_not_an_evening(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    clock[0] = SUNDAY_10
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    routing = cases.route_queued(loaded, desk_session)
    assert (routing.routed, routing.waiting) == (0, 1)
    assert "已下班" not in routing.blocked and "已下班" not in view.queue_reason
    assert routing.blocked.startswith("今天星期日休息，业务协调科无人值班，最早 11月30日（星期一）08:30 到岗")
    # The visit slip, shorter, says the same: a rest day, not an evening.
    assert waiting_reason(loaded, view) == "今日休息，协调员最早 11月30日 08:30 到岗"
    clock[0] = NATIONAL_DAY_SUNDAY_10
    with loaded.db.write() as conn:
        conn.execute(update(lounges).values(capacity=0))
    holiday = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert holiday.queue_reason.startswith("业务洽谈室已满，且今天国庆节（星期日），业务协调科无人值班")


@pytest.mark.usefixtures("no_duty_roster")  # the roster would receive the case (test_after_hours.py)
def test_on_a_holiday_on_a_weekday_the_weekly_shifts_do_not_run(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    """The staff file says mon–fri; on 国庆节 the hall's calendar says nobody is there (not even the
    Saturday duty on the holiday's Saturday): the visitor is not sent to wait for an absent coordinator."""
    clock[0] = NATIONAL_DAY_THURSDAY_10
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert view.status == "queued" and view.coordinator is None
    assert view.queue_reason.startswith("今天国庆节（星期四），业务协调科无人值班，最早 10月08日（星期四）08:30 到岗")
    assert not any(p.on_duty for p in cases.reassign_options(loaded).coordinators)


def test_the_call_back_list_gives_the_phone_whole_for_the_phone_desk(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime],
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sweep's list is masked (it goes to logs); nobody can call 138****5678 back, so
    `hallterm callbacks` gives the name and phone whole, on screen and in a CSV only its owner reads."""
    from hallterm import cli
    from hallterm.services.day_end import callbacks

    clock[0] = EVENING
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    sweep(loaded, day_end=True)
    thursday = EVENING.astimezone(loaded.settings.hall.tz).date()
    [entry] = callbacks(loaded, thursday)
    assert (entry.case_no, entry.name, entry.phone) == (view.case_no, "王喆", "13812345678")
    assert callbacks(loaded, thursday + dt.timedelta(days=1)) == []
    out_file = tmp_path / "回访.csv"
    assert cli.main(["--db", loaded.db.url, "callbacks", "--day", f"{thursday:%Y-%m-%d}", "--csv",
                     str(out_file)]) == 0
    printed = capsys.readouterr().out
    assert "13812345678" in printed and view.case_no in printed
    assert out_file.read_bytes().startswith("\ufeff".encode()) and "13812345678" in out_file.read_text("utf-8-sig")
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
