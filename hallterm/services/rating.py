"""好差评 (国办发〔2019〕51号; issue 13 point 6): the rating pad's use cases and the follow-up of a 差评.

The pad (``hallterm rate --counter F1``) has no sign-in: whoever stands at it is the visitor just
served. Staff cannot rate in their place because a rating is taken only for the one hand-out the pad
offers (the newest unrated at that counter, recent, once: ``domain.rating.rateable``), and nothing
of the rater is recorded — no staff id on the event, no holder or staff column in ``ratings``.

A 不满意 or 非常不满意 opens two follow-ups (call back and verify within 1 working day, put right
within 15; settings ``[rating]``), owned by the case's coordinator (or ``rating.follow_up_owner``),
listed to the owner and to supervisors until closed with a note (S10: who holds what, what is late).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

from hallterm.domain.events import EventKind
from hallterm.domain.ids import mask_name
from hallterm.domain.rating import (
    FOLLOW_UP_NAMES,
    REASONS,
    FollowUpKind,
    HandOut,
    Level,
    RatingRefused,
    check_note,
    check_reason,
    follow_up_plan,
    is_late,
    level_of,
    rateable,
    replaced_at,
)
from hallterm.domain.terminal_text import visible  # no control characters from data reach a terminal
from hallterm.services.cases import HALL_ROLES  # supervisors see every follow-up; others their own
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage import events
from hallterm.storage import ratings as store

# --- the rating pad -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PadOffer:
    """What the pad shows of the hand-out it takes a rating for: nothing more (masked name, no ID)."""

    hand_out_event_id: int
    case_no: str
    holder: str  # masked: 张*明
    item_names: tuple[str, ...]
    handed_out_at: dt.datetime
    replaced_at: dt.datetime | None  # when a newer hand-out takes over the pad (None: none is waiting)


@dataclass(frozen=True)
class PadState:
    last_event_id: int
    offer: PadOffer | None


@dataclass(frozen=True)
class RatingGiven:
    level: Level
    reason: str  # a REASONS code, or empty


def pad_state(svc: Services, counter: str) -> PadState:
    """The hand-out the pad at ``counter`` offers for rating now, if any."""
    now = svc.now()
    with svc.db.read() as conn:
        last = events.last_id(conn)
        if not store.counter_exists(conn, counter):
            raise RatingRefused(f"窗口代码 {counter} 不存在：请按大厅布局（assets/hall.toml）的窗口代码启动，"
                                "如 hallterm rate --counter F1")
        current, found = _rateable(svc, conn, counter, now)
        if current is None:
            return PadState(last, None)
        shown = store.case_for_pad(conn, current.case_id, current.item_codes)
    if shown is None:
        return PadState(last, None)
    case_no, name, item_names = shown
    hand_outs = [HandOut(h.event_id, h.at) for h in found]
    replace = replaced_at(hand_outs, HandOut(current.event_id, current.at),
                          replace_after=dt.timedelta(seconds=svc.settings.rating.replace_after_s))
    return PadState(last, PadOffer(current.event_id, case_no, visible(mask_name(name)),
                                   tuple(visible(n) for n in item_names), current.at, replace))


def _rateable(svc: Services, conn: Connection, counter: str,
              now: dt.datetime) -> tuple[store.HandOutRow | None, list[store.HandOutRow]]:
    settings = svc.settings.rating
    found = store.hand_outs_since(conn, counter, now - dt.timedelta(minutes=settings.max_age_minutes))
    rated = store.rated_hand_outs(conn, [h.event_id for h in found])
    chosen = rateable([HandOut(h.event_id, h.at) for h in found], rated, now,
                      replace_after=dt.timedelta(seconds=settings.replace_after_s),
                      max_age=dt.timedelta(minutes=settings.max_age_minutes))
    by_id = {h.event_id: h for h in found}
    return (by_id[chosen.event_id] if chosen else None), found


def rate(svc: Services, counter: str, hand_out_event_id: int, level: int | str, reason: str = "") -> RatingGiven:
    """Take the visitor's rating of the hand-out the pad offers; one per hand-out (一次一评).

    Refused for a hand-out that is not the one on offer at this counter (an earlier visitor's, one
    rated already, one too old): nobody can rate later in a visitor's place.
    """
    chosen = level_of(level)
    reason = check_reason(chosen, reason)
    now = svc.now()
    with svc.db.write() as conn:
        hand_out = store.hand_out(conn, hand_out_event_id)
        if hand_out is None or hand_out.counter != counter:
            raise RatingRefused("未找到本窗口的这次办理记录，无法评价；请向窗口工作人员咨询")
        current, _ = _rateable(svc, conn, counter, now)
        if current is None or current.event_id != hand_out_event_id:
            if store.rated_hand_outs(conn, [hand_out_event_id]):
                raise RatingRefused("这次办理已经评价过了（一次一评），感谢您的评价")
            raise RatingRefused("这次办理已不能评价（已超过评价时限或窗口已办理下一位）；如有意见请向窗口工作人员反映")
        try:
            rating_id = store.insert_rating(conn, hand_out_event_id=hand_out_event_id, case_id=hand_out.case_id,
                                            counter=counter, level=int(chosen), reason=reason, at=now)
        except store.AlreadyRated:
            raise RatingRefused("这次办理已经评价过了（一次一评），感谢您的评价") from None
        # Nothing that identifies the rater: no staff id, no card number; the case is what was rated.
        events.append(conn, EventKind.RATING_GIVEN, now, case_id=hand_out.case_id, level=int(chosen), reason=reason)
        _open_follow_ups(svc, conn, rating_id, hand_out.case_id, chosen, now)
    return RatingGiven(chosen, reason)


def _open_follow_ups(svc: Services, conn: Connection, rating_id: int, case_id: int, level: Level,
                     now: dt.datetime) -> None:
    settings = svc.settings.rating
    plans = follow_up_plan(level, now.astimezone(svc.settings.hall.tz).date(), svc.work_calendar,
                           call_back_days=settings.call_back_days, put_right_days=settings.put_right_days)
    if not plans:
        return
    owner = store.coordinator_of(conn, case_id)
    default = settings.follow_up_owner.strip().upper()
    if owner is None and default and store.active_staff(conn, default):
        owner = default
    for plan in plans:
        follow_up_id = store.insert_follow_up(conn, rating_id=rating_id, case_id=case_id,
                                              task=plan.kind.value, owner_id=owner, due_on=plan.due_on, at=now)
        events.append(conn, EventKind.RATING_FOLLOW_UP_OPENED, now, case_id=case_id,
                      follow_up=follow_up_id, task=plan.kind.value, owner=owner, due_on=plan.due_on.isoformat())


# --- the follow-up list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpView:
    id: int
    case_id: int
    case_no: str
    task: FollowUpKind
    level: Level
    reason: str  # what the visitor picked, in Chinese ("" when none)
    owner_id: str | None
    owner_name: str  # "未指定" when the case had no coordinator and no default owner is set
    due_on: dt.date
    late: bool
    closed_at: dt.datetime | None
    note: str

    @property
    def task_name(self) -> str:
        return FOLLOW_UP_NAMES[self.task]


@dataclass(frozen=True)
class FollowUpBoard:
    follow_ups: list[FollowUpView]
    whole_hall: bool  # a supervisor's list: every owner's; otherwise the signed-in owner's own
    today: dt.date

    @property
    def late(self) -> int:
        return sum(f.late for f in self.follow_ups)


def _view(row: store.FollowUpRow, today: dt.date, tz: dt.tzinfo) -> FollowUpView:
    closed_on = row.closed_at.astimezone(tz).date() if row.closed_at else None
    return FollowUpView(row.id, row.case_id, row.case_no, FollowUpKind(row.task), Level(row.level),
                        REASONS.get(row.reason, ""), row.owner_id,
                        visible(row.owner_name) if row.owner_name else "未指定", row.due_on,
                        is_late(row.due_on, today, closed_on), row.closed_at, row.note)


def follow_up_board(svc: Services, session: StaffSession) -> FollowUpBoard:
    """Open follow-ups: a supervisor's whole hall, anyone else their own; the earliest due first."""
    whole = session.role in HALL_ROLES
    today = svc.today()
    with svc.db.read() as conn:
        rows = store.open_follow_ups(conn, owner_id=None if whole else session.staff_id)
    return FollowUpBoard([_view(r, today, svc.settings.hall.tz) for r in rows], whole, today)


def close_follow_up(svc: Services, session: StaffSession, follow_up_id: int, note: str) -> FollowUpView:
    """Close a follow-up with what was done; only its owner or a supervisor may, and only with a note."""
    note = check_note(note)
    now = svc.now()
    today = svc.today()
    with svc.db.write() as conn:
        row = store.follow_up(conn, follow_up_id)
        if row is None:
            raise RatingRefused("未找到这项差评整改，请刷新列表后重试")
        if row.closed_at is not None:
            raise RatingRefused(f"{row.case_no} 的{FOLLOW_UP_NAMES[FollowUpKind(row.task)]}已办结，无需再次办结")
        if session.role not in HALL_ROLES and row.owner_id != session.staff_id:
            raise RatingRefused(f"{row.case_no} 的差评整改由{row.owner_name or '督查指定的人员'}负责："
                                "只有责任人或督查人员可以办结")
        late = is_late(row.due_on, today)
        if not store.close_follow_up(conn, follow_up_id, staff_id=session.staff_id, note=note, at=now):
            raise RatingRefused(f"{row.case_no} 的这项整改刚由其他终端办结，请刷新列表")
        events.append(conn, EventKind.RATING_FOLLOW_UP_CLOSED, now, staff_id=session.staff_id, case_id=row.case_id,
                      follow_up=follow_up_id, task=row.task, note=note, late=late)
        closed = store.follow_up(conn, follow_up_id)
    assert closed is not None
    return _view(closed, today, svc.settings.hall.tz)


@dataclass(frozen=True)
class CaseRating:
    """A case's rating for its whole story (``cases show``): level and reason, nothing of the rater."""

    level: Level
    reason: str  # in Chinese, "" when none
    rated_at: dt.datetime
    follow_ups: list[FollowUpView]


def case_ratings(svc: Services, case_id: int) -> list[CaseRating]:
    """Every rating of the case with its follow-ups, oldest first (one per hand-out)."""
    today = svc.today()
    with svc.db.read() as conn:
        rows = store.ratings_of_case(conn, case_id)
        follow_ups = store.follow_ups_of_case(conn, case_id) if rows else []
    tz = svc.settings.hall.tz
    return [CaseRating(Level(row.level), REASONS.get(row.reason, ""), row.rated_at,
                       [_view(f, today, tz) for f in follow_ups if f.rating_id == row.id]) for row in rows]


def case_rating(svc: Services, case_id: int) -> CaseRating | None:
    """The case's latest rating (None when none)."""
    found = case_ratings(svc, case_id)
    return found[-1] if found else None


def rating_json(found: CaseRating | None) -> dict[str, object] | None:
    """The rating as ``cases show --json`` gives it (null when none): level and reason, nothing of the rater."""
    if found is None:
        return None
    return {
        "level": int(found.level), "level_name": found.level.label, "reason": found.reason,
        "rated_at": found.rated_at.isoformat(),
        "follow_ups": [{"task": f.task.value, "task_name": f.task_name, "owner": f.owner_name,
                        "due_on": f.due_on.isoformat(), "late": f.late,
                        "closed_at": f.closed_at.isoformat() if f.closed_at else None, "note": f.note}
                       for f in found.follow_ups],
    }
