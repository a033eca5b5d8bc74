"""A demo database: the reference data, 300 card holders across tiers and a month of the hall."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import random
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from hallterm.config import Settings
from hallterm.domain.auth import pepper_id
from hallterm.domain.cases import CaseDraft, CaseStatus
from hallterm.domain.errors import Refused
from hallterm.domain.events import EventKind
from hallterm.domain.holders import CardStatus
from hallterm.domain.hours import WindowKind
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.domain.roster import RosterRow
from hallterm.services import after_hours, appointment_slots, appointment_views, appointments, cases, queue
from hallterm.services.appointment_sweep import sweep_missed
from hallterm.services.context import Services
from hallterm.services.demo_month import DEMO_DAYS, Cast, at, build_month
from hallterm.services.pin_pepper import load_pepper
from hallterm.services.reference import Reference, load_reference
from hallterm.services.staff import StaffSession, set_pin, sign_in, system_session
from hallterm.services.synthetic_holders import load_names, synthetic_holders
from hallterm.storage import demo as demo_store
from hallterm.storage import events, holders

DEMO_HOLDERS = 300
DEMO_PIN = "1234"  # every demo staff member's PIN; the demo database is never the hall's own
DEMO_CLERK = "S1401"  # the front-desk clerk of the demo's month (README's demo logins)
DEMO_AFTER_HOURS = "S1501"  # and its evening and weekend desk
# The demo builder books, checks in and marks missed as itself, recorded as the system (issue 16 point 9).
DEMO_BUILDER = system_session("demo", "演示数据生成", "book_appointment", "issue_ticket")


def demo_rows(svc: Services, count: int = DEMO_HOLDERS, seed: int = 7) -> list[RosterRow]:
    """Deterministic holders: mostly valid, some expired, exactly one revoked (the demo shows each)."""
    names = load_names(svc.settings.paths.assets_dir)
    return list(synthetic_holders(count, random.Random(seed), names, svc.card_format, svc.today()))


def build_demo(svc: Services, count: int = DEMO_HOLDERS, days: int = DEMO_DAYS) -> dict[str, Any]:
    """Fill an (already migrated) database with demo data; running it again starts the demo afresh.

    The history — ``days`` days of the hall before today, appointments, last evening's after-hours desk —
    is made by the use cases themselves at the times it happened (issue 13 point 8)."""
    ref = load_reference(svc)
    rows = demo_rows(svc, count)
    now = svc.now()
    with svc.db.write() as conn:
        demo_store.clear_cases(conn)
        holders.upsert_rows(conn, rows, now)
    for staff_id in active_staff_ids(svc):
        set_pin(svc, staff_id, DEMO_PIN, demo=True)  # the demo's own database: exempt from the hall's PIN rules
    today = svc.today()
    first_day = today - dt.timedelta(days=days + 1)
    # Cards valid through the whole month and beyond, so that every visit of the month is served.
    lasting = [r for r in rows if r.status is CardStatus.ACTIVE and r.tier != "E" and r.issued_on <= first_day
               and r.expires_on > today + dt.timedelta(days=60)]
    month = build_month(svc, [r.card_no for r in lasting], {r.card_no: r.employer for r in lasting},
                        {r.card_no: r.id_number for r in lasting}, _cast(svc, first_day), days=days)
    booked = demo_appointments(svc, ref, [r.card_no for r in lasting])
    # The desk marks missed the appointments past their end at start (issue 12 point 5): count the
    # handover list as the desk will show it, not as it stood a moment before.
    sweep_missed(svc)
    with svc.db.write() as conn:
        events.append(conn, EventKind.DEMO_BUILT, now, holders=len(rows), days=days)
    played = (f"近 {days} 天：办件 {month.cases} 件，发证 {month.handed_out} 项，评价 {month.ratings} 次"
              f"（差评 {month.poor_ratings}；评价器：hallterm rate --counter F1），"
              f"代办任务 {month.proxy_tasks} 项，提前介入咨询 {month.consultations} 次，会商 {month.joint_reviews} 次")
    return {"holders": len(rows), "cases": month.cases, "days": days, "month": month, "played": played,
            "samples": sample_cards(rows, today), **booked, "duty_lines": len(ref.duty),
            "handover": len(after_hours.handover(svc).entries)}


def _cast(svc: Services, first_day: dt.date) -> Cast:
    """The month's staff, signed in once with the demo PIN on its first morning."""
    clock = at(svc, first_day, 8 * 60 + 30)
    with svc.db.read() as conn:
        coordinators = demo_store.active_staff_ids(conn, role="coordinator")
        proxies = demo_store.active_staff_ids(conn, role="proxy")
    return Cast(sign_in(clock, DEMO_CLERK, DEMO_PIN), sign_in(clock, DEMO_AFTER_HOURS, DEMO_PIN),
                {sid: sign_in(clock, sid, DEMO_PIN) for sid in coordinators},
                {sid: sign_in(clock, sid, DEMO_PIN) for sid in proxies})


def _at(svc: Services, day: dt.date, hhmm: str, minutes: int = 0) -> dt.datetime:
    """``day`` at ``hhmm`` hall time (plus ``minutes``), in UTC, as the services' clocks give it."""
    hour, minute = map(int, hhmm.split(":"))
    local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=svc.settings.hall.tz)
    return (local + dt.timedelta(minutes=minutes)).astimezone(dt.UTC)


def _at_clock(svc: Services, when: dt.datetime) -> Services:
    """The same database with the clock at ``when``: the demo's history is made by the use cases
    themselves (numbers, seats, events), at the times it happened."""
    return dataclasses.replace(svc, clock=lambda: when)


def demo_appointments(svc: Services, ref: Reference, cards: list[str]) -> dict[str, int]:
    """Issue 12 point 7: appointments yesterday, today and the coming days (some checked in, some
    missed), and last evening's after-hours desk — a case received by the duty roster and an
    appointment booked for the day shift — on the handover list (交接单)."""
    holders = iter(cards)
    tz = svc.settings.hall.tz
    now = svc.now()
    today = now.astimezone(tz).date()
    counts = {"appointments_today": 0, "appointments_ahead": 0, "checked_in": 0, "missed": 0}

    def book_on(day: dt.date, picks: list[int], booked_at: dt.datetime) -> list[appointment_views.AppointmentView]:
        clocked = _at_clock(svc, booked_at)
        try:
            slots = [x for x in appointment_slots.day_slots(clocked, day).slots if x.bookable and x.free > 0]
        except Refused:
            return []
        made = []
        for pick in picks:
            if not slots:
                break
            slot = slots[pick % len(slots)]
            try:
                made.append(appointments.book(clocked, DEMO_BUILDER, next(holders), day, slot.start,
                                              section=slot.section, note="演示预约"))
            except (Refused, StopIteration):
                continue
        return made

    def settle(made: list[appointment_views.AppointmentView]) -> None:
        """Every other past appointment checked in at its start, the rest missed after their end."""
        for n, appt in enumerate(made):
            start, end = _at(svc, appt.day, appt.slot_start, 5), _at(svc, appt.day, appt.slot_end, 30)
            try:
                if n % 2 == 0 and start <= now:
                    queue.check_in(_at_clock(svc, start), DEMO_BUILDER, appt.id)
                    counts["checked_in"] += 1
                elif n % 2 == 1 and end <= now:
                    appointments.mark_missed(_at_clock(svc, end), DEMO_BUILDER, appt.id)
                    counts["missed"] += 1
            except Refused:
                continue

    yesterday = today - dt.timedelta(days=1)
    # Booked in the day shift's hours, before the day's first slot (and never after now: no event may lie in
    # the future), so that only last evening's booking below is the after-hours desk's, on the 交接单.
    settle(book_on(yesterday, [0, 1, 2, 3], office_time(svc, _at(svc, yesterday, "07:00"))))
    settle(book_on(today, [0, 1, 3, 5, 7, -1], office_time(svc, min(now, _at(svc, today, "07:00")))))
    for ahead in range(1, 8):  # the coming week, an evening or duty slot among them for the after-hours desk
        book_on(today + dt.timedelta(days=ahead), [0, -1], office_time(svc, now))
    evening_case(svc, ref, yesterday, holders)
    # Counted as `hallterm appointments list --all` lists them: last evening's booking for today included.
    counts["appointments_today"] = len(appointment_views.call_list(svc, today, with_cancelled=True))
    counts["appointments_ahead"] = sum(len(appointment_views.call_list(svc, today + dt.timedelta(days=ahead),
                                                                       with_cancelled=True)) for ahead in range(1, 8))
    return counts


def office_time(svc: Services, before: dt.datetime) -> dt.datetime:
    """The latest moment in the regular hours of a day (an hour after they open) that is not after
    ``before``: when the demo's day-shift bookings are made. Looks back two weeks at most (a long
    holiday), else ``before`` itself."""
    day = before.astimezone(svc.settings.hall.tz).date()
    for back in range(15):
        d = day - dt.timedelta(days=back)
        regular = [w for w in appointment_slots.day_schedule(svc, d).windows if w.kind is WindowKind.REGULAR]
        if regular:
            moment = _at(svc, d, min(w.start for w in regular), 60)
            if moment <= before:
                return moment
    return before


def evening_case(svc: Services, ref: Reference, day: dt.date, holders: Any) -> None:
    """Last evening at the after-hours desk: a walk-in's case, received as the duty roster says, and an
    appointment booked for the next day: both wait on the handover list for the day shift."""
    member = next((m for m in ref.staff if m.role == "after_hours"), None)
    if member is None:
        return
    session = StaffSession(member.staff_id, member.name, member.role, member.section, member.extension)
    evening = _at_clock(svc, _at(svc, day, "18:30"))
    try:
        opened = cases.open_case(evening, session, CaseDraft(next(holders), CaseKind.ENTERPRISE, ("QY-GSSL",),
                                                    EnterpriseKind.FOREIGN, "鞍山演示科技有限公司（演示）"))
        if opened.status is CaseStatus.WAITING:  # met that evening; the approval goes on (its seat is free)
            cases.end_visit(_at_clock(svc, _at(svc, day, "19:10")), session, opened.id)
        booked_at = _at(svc, day, "19:15")
        later = _at_clock(svc, booked_at)
        # The day shift's next day and its regular hours: an evening or duty slot is not handed over.
        next_day = after_hours.day_shift_day(svc, booked_at.astimezone(svc.settings.hall.tz))
        slots = [x for x in appointment_slots.day_slots(later, next_day).slots if x.bookable and x.free > 0
                 and after_hours.in_regular_hours(svc, next_day, x.start, x.end)]
        if slots:
            appointments.book(later, session, next(holders), next_day, slots[-1].start, section=slots[-1].section,
                              note="延时服务受理后预约次日办理（演示）")
    except (Refused, StopIteration):
        return


# -- the day's demo, kept: the month takes ~half a minute to play, a copy a moment ----------------------


def demo_cache_file(settings: Settings, url: str, count: int, days: int, today: dt.date) -> Path | None:
    """Where today's demo of this size is kept for the next ``hallterm demo`` into a SQLite file (None for a
    server database). The name changes with the day, the size, the program and the hall's reference files,
    so a copy is only ever reused for the same demo."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    digest = hashlib.sha256()
    for root in (Path(__file__).resolve().parents[1], settings.paths.assets_dir):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".toml", ".csv", ".txt"):
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    # The copy's PIN hashes hold this computer's pepper: another pepper (a new key folder) builds anew.
    digest.update(pepper_id(load_pepper(settings)).encode())
    key = f"{today:%Y%m%d}-{count}-{days}-{digest.hexdigest()[:12]}"
    return Path(parsed.database).parent / ".demo-cache" / f"{key}.sqlite3"


def keep_demo(built: Path, cache: Path, summary: dict[str, Any]) -> None:
    """Keep the demo just built (and what it printed) as today's; older copies go."""
    if cache.parent.is_dir():
        for old in cache.parent.iterdir():
            old.unlink(missing_ok=True)
    demo_store.copy_sqlite_file(built, cache)
    printed = {k: v for k, v in summary.items() if k != "month"}
    cache.with_suffix(".json").write_text(json.dumps(printed, ensure_ascii=False), encoding="utf-8")
    cache.with_suffix(".json").chmod(0o600)


def restore_demo(cache: Path, target: Path) -> dict[str, Any] | None:
    """Today's demo copied into ``target`` (cleared first by the caller); None when there is none."""
    printed = cache.with_suffix(".json")
    if not cache.is_file() or not printed.is_file():
        return None
    demo_store.copy_sqlite_file(cache, target)
    return dict(json.loads(printed.read_text(encoding="utf-8")))


class NotADemoDatabase(Refused):
    """The target holds real data: the demo refuses to overwrite it."""


def clear_demo_file(url: str) -> None:
    """Delete a previous demo's SQLite file so that a rebuild starts empty (events are append-only,
    so they cannot be cleared in place). Refuses any database that is not a demo's. On a database
    server (``hallterm --db postgresql+psycopg://… demo``) the database must be empty: a previous
    demo there cannot be cleared in place either, so it is dropped and created again by its owner."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kind = demo_store.server_database_kind(url)
        if kind == "demo":
            raise NotADemoDatabase(f"{parsed.database} 已有一份演示数据，无法原地清空（操作记录只追加）："
                                   "请删除并重建该数据库（dropdb/createdb）后再生成")
        if kind == "data":
            raise NotADemoDatabase(f"{parsed.database} 不是空数据库（含有正式数据），拒绝写入演示数据；"
                                   "请换一个空数据库")
        return
    path = Path(parsed.database or "")
    if not path.is_file():
        return
    kind = demo_store.sqlite_file_kind(path)
    if kind == "not_sqlite":
        raise NotADemoDatabase(f"{path} 不是 SQLite 数据库，拒绝覆盖")
    if kind == "data":
        raise NotADemoDatabase(f"{path} 不是演示数据库（含有正式数据），拒绝覆盖；请换一个文件")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def active_staff_ids(svc: Services) -> list[str]:
    with svc.db.read() as conn:
        return demo_store.active_staff_ids(conn)


def sample_cards(rows: list[RosterRow], today: dt.date) -> dict[str, str]:
    """One card of each kind, so that whoever opens the demo can try every message."""
    samples: dict[str, str] = {}
    for r in rows:
        label = ("注销" if r.status is CardStatus.REVOKED
                 else "过期" if r.status is CardStatus.EXPIRED or r.expires_on < today
                 else "E类（非绿色通道）" if r.tier == "E" else f"有效{r.tier}类")
        samples.setdefault(label, r.card_no)
    return dict(sorted(samples.items()))
