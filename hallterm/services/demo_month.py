"""A month of the hall for the demo (issue 13 point 8), made by driving the real use cases at the times
they happened — tickets and calls, cases opened and routed, materials checked, 容缺 supplemented or
returned, clocks paused, items reviewed and decided, results handed out at the issuing window and
rated, proxy tasks run, consultations logged and turned into cases, joint reviews held — never by
writing rows, so every screen and report reads history the program itself could have made.

Each visit schedules what follows it on later working days in an agenda; a day runs its agenda in
time order, and whatever falls on today or later is left undone, as it would be. Deterministic (a
seeded random generator): two demos built on the same day agree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from hallterm.domain.cases import CaseDraft, CaseStatus
from hallterm.domain.checklist import ItemStatus, MaterialKind
from hallterm.domain.consultations import Channel, ConsultationDraft
from hallterm.domain.errors import Refused
from hallterm.domain.handout import Recipient, RecipientKind
from hallterm.domain.hours import DayKind
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.joint_reviews import Conclusion, Opinion
from hallterm.domain.jurisdiction import DISTRICTS, CaseKind, EnterpriseKind
from hallterm.domain.proxy_tasks import ProxyTaskKind
from hallterm.domain.rating import REASONS, Level
from hallterm.services import (
    after_hours,
    cases,
    checklist,
    consultations,
    deadline_sweep,
    handout,
    joint_reviews,
    progress,
    proxy_tasks,
    queue,
    rating,
)
from hallterm.services.appointment_slots import day_schedule
from hallterm.services.case_views import CaseView
from hallterm.services.checklist_sheet import ItemChecklist, load
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession

DEMO_DAYS = 30
PER_WORKING_DAY = 8  # green-channel cases on an ordinary working day
GREEN_COUNTER = "G1"
ISSUING_COUNTER = "F1"  # 统一发证窗口 (S9)
JOINT_REVIEWS = 2
# How visitors rate (一次一评): mostly satisfied, a few 差评 that open follow-ups.
LEVELS = [(Level.VERY_SATISFIED, 60), (Level.SATISFIED, 25), (Level.BASICALLY_SATISFIED, 8),
          (Level.DISSATISFIED, 5), (Level.VERY_DISSATISFIED, 2)]
TOPICS = ("新设企业的经营范围和审批事项", "厂房建设的规划和施工许可", "外资企业设立的材料", "水电气接入的时间",
          "项目备案和环评的先后", "人才创业的场地和扶持政策")


@dataclass
class MonthSummary:
    days: int = 0
    cases: int = 0
    accepted: int = 0
    conditional: int = 0
    supplemented: int = 0
    breached: int = 0
    one_time_notices: int = 0
    paused: int = 0
    tickets: int = 0
    no_shows: int = 0  # called and never came (过号): the report's no-shows per counter are not always zero
    decided: int = 0
    refused_items: int = 0  # 不予许可
    handed_out: int = 0
    ratings: int = 0
    poor_ratings: int = 0
    follow_ups_closed: int = 0
    proxy_tasks: int = 0
    consultations: int = 0
    converted: int = 0
    joint_reviews: int = 0
    refused: list[str] = field(default_factory=list)  # what the hall's own rules refused (none expected)


@dataclass(frozen=True)
class Cast:
    """Who works the month: a clerk at the counter and the issuing window, the after-hours desk, the
    coordinators and the 帮办代办 staff."""

    clerk: StaffSession
    after_hours: StaffSession  # the evening and weekend desk; the duty roster may make them the receiver
    coordinators: dict[str, StaffSession]
    proxies: dict[str, StaffSession] = field(default_factory=dict)

    def receiver(self, staff_id: str) -> StaffSession | None:
        if staff_id == self.after_hours.staff_id:
            return self.after_hours
        return self.coordinators.get(staff_id)


def at(svc: Services, day: dt.date, minutes: int) -> Services:
    """The services with the clock at ``minutes`` after midnight of ``day``, hall time."""
    local = dt.datetime(day.year, day.month, day.day, tzinfo=svc.settings.hall.tz) + dt.timedelta(minutes=minutes)
    when = local.astimezone(dt.UTC)
    return dataclasses.replace(svc, clock=lambda: when)


class Month:
    """The month being played: the agenda of what is to happen, and who does it."""

    def __init__(self, svc: Services, cast: Cast, cards: list[str], employers: dict[str, str],
                 id_numbers: dict[str, str], seed: int) -> None:
        self.svc, self.cast, self.cards = svc, cast, cards
        self.employers, self.id_numbers = employers, id_numbers
        self.rng = random.Random(seed)
        # Its own generator, so that the no-shows (issue 14) leave the rest of the month as it was.
        self.no_show_rng = random.Random(seed + 1)
        self.proxy_rng = random.Random(seed + 2)  # likewise for finishing old proxy tasks
        self.summary = MonthSummary()
        self.catalog = [i for i in cases.catalog(svc) if i.code]
        self.today = svc.today()
        self._agenda: list[tuple[dt.date, int, int, Callable[[], object]]] = []
        self._seq = itertools.count()
        self._decision_no = itertools.count(1)
        self._reviews_left = JOINT_REVIEWS

    # -- the agenda ------------------------------------------------------------------------------------

    def later(self, day: dt.date, minute: int, step: Callable[[], object]) -> None:
        """Do ``step`` on ``day`` at ``minute`` (hall time), unless that is today or later."""
        if day < self.today:
            heapq.heappush(self._agenda, (day, minute, next(self._seq), step))

    def run_day(self, day: dt.date) -> None:
        while self._agenda and self._agenda[0][0] <= day:
            *_when, step = heapq.heappop(self._agenda)
            try:
                step()
            except Refused as exc:
                self.summary.refused.append(str(exc))

    def clock(self, day: dt.date, minute: int) -> Services:
        return at(self.svc, day, minute)

    def working_day(self, day: dt.date, after: int) -> dt.date:
        """The ``after``-th working day after ``day`` (the hall's calendar, 调休 included)."""
        out = day
        while after > 0:
            out += dt.timedelta(days=1)
            if day_schedule(self.svc, out).kind in (DayKind.WORKDAY, DayKind.MAKEUP):
                after -= 1
        return out

    # -- a day ----------------------------------------------------------------------------------------

    def plan_day(self, day: dt.date, per_day: int) -> None:
        """The day's walk-ins (and on working days a consultation or two), on the agenda."""
        kind = day_schedule(self.svc, day).kind
        if kind not in (DayKind.WORKDAY, DayKind.MAKEUP):
            for start in (9 * 60 + 30, 10 * 60 + 40):  # the duty window (S6: 365 days a year)
                self.later(day, start, self._walk_in(day, start, self.cast.after_hours))
            return
        # The day shift reads and acknowledges what the evening and the weekend handed over (交接单, S6).
        self.later(day, 9 * 60 + 2, lambda: self._acknowledge_handover(day))
        for n in range(per_day):
            start = 9 * 60 + 5 + n * (420 // per_day) + self.rng.randrange(10)
            if 11 * 60 + 30 <= start < 13 * 60 + 30:
                start += 120  # the noon break: coordinators are at lunch
            self.later(day, start, self._walk_in(day, start, self.cast.clerk))
        if self.rng.random() < 0.5:
            self.later(day, 17 * 60 + 40, self._walk_in(day, 17 * 60 + 40, self.cast.after_hours))  # 延时服务
        if self.rng.random() < 0.6:
            self.later(day, 15 * 60 + 10, lambda: self._consultation(day))
        if self.no_show_rng.random() < 0.3:
            self.later(day, 11 * 60 + 10, self._no_show(day, 11 * 60 + 10))

    def _acknowledge_handover(self, day: dt.date) -> None:
        clock = self.clock(day, 9 * 60 + 2)
        waiting = after_hours.handover(clock)
        if waiting.entries:
            after_hours.acknowledge(clock, self.cast.clerk, waiting.upto)

    def _walk_in(self, day: dt.date, start: int, clerk: StaffSession) -> Callable[[], None]:
        def step() -> None:
            card = self.cards[self.rng.randrange(len(self.cards))]
            queue.issue_walkin(self.clock(day, start), clerk, card, count_ahead=False)
            self.summary.tickets += 1
            called = queue.call_next(self.clock(day, start + 2), clerk, GREEN_COUNTER)
            try:
                view = cases.open_case(self.clock(day, start + 4), clerk, self._draft(card))
            finally:  # served either way: the counter calls the next visitor
                queue.finish(self.clock(day, start + 6), clerk, GREEN_COUNTER, called.id)
            self._serve(view, day, start + 8, clerk)
        return step

    def _no_show(self, day: dt.date, start: int) -> Callable[[], None]:
        """A visitor takes a ticket and is gone when it is called (过号): the counter marks it a no-show."""
        def step() -> None:
            card = self.cards[self.no_show_rng.randrange(len(self.cards))]
            ticket = queue.issue_walkin(self.clock(day, start), self.cast.clerk, card, count_ahead=False)
            self.summary.tickets += 1
            queue.call_ticket(self.clock(day, start + 3), self.cast.clerk, GREEN_COUNTER, ticket.id)
            queue.no_show(self.clock(day, start + 6), self.cast.clerk, GREEN_COUNTER, ticket.id)
            self.summary.no_shows += 1
        return step

    def _draft(self, card: str) -> CaseDraft:
        rng = self.rng
        items = tuple(sorted({i.code for i in rng.sample(self.catalog, rng.choice((1, 1, 1, 2)))}))
        foreign = rng.random() < 0.3  # a foreign-invested company is the city bureau's (S2); the rest a district's
        return CaseDraft(card_no=card, kind=CaseKind.ENTERPRISE, item_codes=items,
                         enterprise_kind=EnterpriseKind.FOREIGN if foreign else EnterpriseKind.LIMITED,
                         enterprise_name=f"{self.employers.get(card) or '鞍山'}（演示）新设公司",
                         district="" if foreign else rng.choice(DISTRICTS),
                         full_proxy=rng.random() < 0.1)  # 全程代办 on the applicant's request (S3)

    # -- at the counter and in the lounge --------------------------------------------------------------

    def _serve(self, view: CaseView, day: dt.date, minute: int, clerk: StaffSession) -> None:
        self.summary.cases += 1
        coordinator = self.cast.receiver(view.coordinator.staff_id) if view.coordinator else None
        sheet = load(self.svc, view.id)
        outcomes = [self._check_item(day, minute + 3 * n, item, clerk, view.card_no)
                    for n, item in enumerate(sheet.items)]
        if coordinator is not None and view.status is CaseStatus.WAITING:
            cases.mark_met(self.clock(day, minute + 8 + self.rng.randrange(10)), coordinator, view.id)
            cases.end_visit(self.clock(day, minute + 37 + self.rng.randrange(20)), coordinator, view.id)
        owner = coordinator if coordinator is not None and coordinator.role == "coordinator" else None
        owner = owner or next(iter(self.cast.coordinators.values()))
        if view.full_proxy:
            self._proxy_tasks(view, day, minute + 60, owner)
        for item, outcome in zip(sheet.items, outcomes, strict=True):
            if outcome == "pause":
                # A special procedure (专家评审, 现场勘验 …) stops the clock for a few working days (S6).
                days = self.rng.choice((3, 5))
                checklist.pause_item(self.clock(day, minute + 62), owner, item.case_item_id, item.clock_exempt[0],
                                     expected_working_days=days)
                self.summary.paused += 1
                resume = self.working_day(day, days)
                self.later(resume, 9 * 60 + 30, partial(self._resume, item.case_item_id, resume, owner, view.card_no))
            elif outcome == "accepted":
                self._follow_through(item.case_item_id, item.promised_days, day, owner, view.card_no)
        if self._reviews_left and view.coordinator and owner.staff_id == view.coordinator.staff_id \
                and day <= self.today - dt.timedelta(days=6):
            self._reviews_left -= 1
            self._joint_review(view, day, owner)

    def _check_item(self, day: dt.date, minute: int, item: ItemChecklist, clerk: StaffSession, card_no: str) -> str:
        """Tick the papers brought; most files are complete, some lack a secondary paper (容缺, S7), a few
        lack a core one (one-time notice, S1). Says what became of the item: accepted, pause, conditional,
        notice."""
        rng = self.rng
        roll = rng.random()
        secondary = [m for m in item.materials if m.kind is MaterialKind.SECONDARY]
        core = [m for m in item.materials if m.kind is MaterialKind.CORE]
        leave_out: set[int] = set()
        if roll < 0.2 and item.allow_conditional and secondary:
            leave_out = {secondary[0].material_id}
        elif roll < 0.27 and core:
            leave_out = {core[-1].material_id}
        conditional = bool(leave_out) and roll < 0.2
        brought = [m.material_id for m in item.materials
                   if m.kind is not MaterialKind.CONDITIONAL and m.material_id not in leave_out]
        checklist.receive_many(self.clock(day, minute), clerk, item.case_item_id, brought)
        if conditional:  # 容缺 needs the fees paid (S7)
            checklist.set_fees_paid(self.clock(day, minute + 1), clerk, item.case_item_id, True)
        sheet, _notices = checklist.decide_item(self.clock(day, minute + 2), clerk, item.case_item_id,
                                                commitment_signed=conditional,
                                                one_time_notice=bool(leave_out) and not conditional)
        # A holder barred from 容缺 (a breached commitment, S7) gets a one-time notice instead.
        conditional = conditional and any(i.case_item_id == item.case_item_id and i.status is ItemStatus.CONDITIONAL
                                          for i in sheet.items)
        if not leave_out:
            self.summary.accepted += 1
            return "pause" if item.clock_exempt and rng.random() < 0.3 else "accepted"
        if not conditional:
            self.summary.one_time_notices += 1
            return "notice"
        self.summary.conditional += 1
        if rng.random() < 0.7:  # most come back within the 5 working days; the rest are returned (S7)
            back = self.working_day(day, rng.choice((1, 2, 3)))
            material = next(iter(leave_out))
            self.later(back, 10 * 60, lambda: self._supplement(item, back, material, card_no))
        return "conditional"

    def _supplement(self, item: ItemChecklist, day: dt.date, material_id: int, card_no: str) -> None:
        checklist.tick(self.clock(day, 10 * 60), self.cast.clerk, item.case_item_id, material_id, received=True,
                       form="original", note="补正")
        self.summary.supplemented += 1
        owner = next(iter(self.cast.coordinators.values()))
        self._follow_through(item.case_item_id, item.promised_days, day, owner, card_no)

    def _resume(self, item_id: int, day: dt.date, owner: StaffSession, card_no: str) -> None:
        checklist.resume_item(self.clock(day, 9 * 60 + 30), owner, item_id)
        self._follow_through(item_id, 3, day, owner, card_no)

    # -- after acceptance: review, decision, the issuing window, the rating -----------------------------

    def _follow_through(self, item_id: int, promised: int, day: dt.date, owner: StaffSession, card_no: str) -> None:
        rng = self.rng
        review = self.working_day(day, 1)
        # Most are decided well inside the promised days; some run past them, which the supervisor's report shows.
        late = rng.random() < 0.1
        decide = self.working_day(review, promised + rng.choice((1, 3)) if late else rng.choice((0, 1, 1, 2)))
        self.later(review, 9 * 60 + 15, lambda: progress.start_review(self.clock(review, 9 * 60 + 15), owner, item_id))
        self.later(decide, 15 * 60 + rng.randrange(60), lambda: self._decide(item_id, decide, owner, card_no))

    def _decide(self, item_id: int, day: dt.date, owner: StaffSession, card_no: str) -> None:
        approved = self.rng.random() > 0.04
        clock = self.clock(day, 15 * 60 + 30)
        if approved:
            number = f"鞍审批准字〔{day.year}〕第{next(self._decision_no):04d}号"
            progress.decide(clock, owner, item_id, approved=True, decision_no=number)
            ready = self.working_day(day, 1)
            self.later(ready, 9 * 60, lambda: progress.mark_ready(self.clock(ready, 9 * 60), owner, item_id))
            collect = self.working_day(ready, self.rng.choice((0, 0, 1, 2)))
            minute = 10 * 60 + self.rng.randrange(240)
            self.later(collect, minute, lambda: self._hand_out(item_id, card_no, collect, minute))
        else:
            progress.decide(clock, owner, item_id, approved=False, reason="项目选址不符合国土空间规划（演示）")
            self.summary.refused_items += 1
        self.summary.decided += 1

    def _hand_out(self, item_id: int, card_no: str, day: dt.date, minute: int) -> None:
        rng = self.rng
        clerk = self.cast.clerk
        ready = handout.lookup(self.clock(day, minute), clerk, card_no).item_ids
        if item_id not in ready:  # collected already, with another result of the holder's
            return
        if rng.random() < 0.8:
            recipient = Recipient(RecipientKind.HOLDER, self.id_numbers[card_no])
        else:
            body = f"2103021985{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(100, 999)}"
            recipient = Recipient(RecipientKind.AGENT, body + resident_id_check_char(body),
                                  name=rng.choice(("王立新", "李晓梅", "赵志强")), power_of_attorney_seen=True)
        handout.hand_out(self.clock(day, minute), clerk, counter_code=ISSUING_COUNTER, card_no=card_no,
                         case_item_ids=list(ready), recipient=recipient)
        self.summary.handed_out += len(ready)
        if rng.random() < 0.85:  # most visitors press a key on the pad (一次一评)
            self._rate(day, minute + 1)

    def _rate(self, day: dt.date, minute: int) -> None:
        clock = self.clock(day, minute)
        offer = rating.pad_state(clock, ISSUING_COUNTER).offer
        if offer is None:
            return
        level = self.rng.choices([lv for lv, _w in LEVELS], weights=[w for _lv, w in LEVELS])[0]
        reason = self.rng.choice(list(REASONS)) if level.is_poor else ""
        rating.rate(clock, ISSUING_COUNTER, offer.hand_out_event_id, level, reason)
        self.summary.ratings += 1
        if level.is_poor:
            self.summary.poor_ratings += 1
            self.later(self.working_day(day, 1), 11 * 60, lambda: self._close_follow_ups(day))

    def _close_follow_ups(self, rated_on: dt.date) -> None:
        """The owner calls the visitor back the next working day; putting it right takes longer and is
        left open when it falls in the coming days."""
        day = self.working_day(rated_on, 1)
        for session in self.cast.coordinators.values():
            board = rating.follow_up_board(self.clock(day, 11 * 60), session)
            for follow_up in board.follow_ups:
                if follow_up.owner_id == session.staff_id and follow_up.task.value == "call_back":
                    rating.close_follow_up(self.clock(day, 11 * 60), session, follow_up.id,
                                           "已电话回访，向申请人说明情况并致歉（演示）")
                    self.summary.follow_ups_closed += 1

    # -- 全程代办, 提前介入, 会商 -------------------------------------------------------------------------

    def _proxy_tasks(self, view: CaseView, day: dt.date, minute: int, clerk: StaffSession) -> None:
        offer = proxy_tasks.suggest_tasks(self.clock(day, minute), clerk, view.id)
        kinds = list(offer.suggested) or [ProxyTaskKind.MARKET_ACCESS]
        added = proxy_tasks.add_tasks(self.clock(day, minute), clerk, view.id, kinds, suggested=offer.suggested)
        self.summary.proxy_tasks += len(added)
        for task in added:
            owner = self.cast.proxies.get(task.owner_id or "")
            if owner is None:
                continue
            start = self.working_day(day, 1)
            self.later(start, 9 * 60, partial(proxy_tasks.move_task, self.clock(start, 9 * 60), owner, task.id))
            if self.rng.random() < 0.75:  # the rest still running, some of them late
                done = self.working_day(start, self.rng.choice((2, 4, 6)))
            elif (self.today - start).days > 10 and self.proxy_rng.random() < 0.8:
                # A task weeks old is mostly finished by now, if late: a hall whose proxies left most of a
                # month's tasks open would make the supervisor's figures (issue 14) read as a crisis.
                done = self.working_day(start, self.proxy_rng.choice((5, 7, 9)))
            else:
                continue
            self.later(done, 16 * 60, partial(proxy_tasks.move_task, self.clock(done, 16 * 60), owner, task.id))

    def _consultation(self, day: dt.date) -> None:
        """A coordinator takes a call before anything is filed (S5); half of them come to open a case."""
        rng = self.rng
        coordinator = next(iter(self.cast.coordinators.values()))
        card = self.cards[rng.randrange(len(self.cards))]
        draft = ConsultationDraft(rng.choice((Channel.PHONE, Channel.NETWORK, Channel.ON_SITE)), "业务协调科",
                                  rng.choice(TOPICS), notes="演示：已告知所需材料", card_no=card)
        logged = consultations.log_consultation(self.clock(day, 15 * 60 + 10), coordinator, draft)
        self.summary.consultations += 1
        if self.summary.consultations % 2 == 1:  # every other one comes back to file
            come = self.working_day(day, rng.choice((1, 2)))
            self.later(come, 14 * 60, lambda: self._from_consultation(logged.id, card, come))

    def _from_consultation(self, consultation_id: int, card: str, day: dt.date) -> None:
        clerk = self.cast.clerk
        view = consultations.open_case_from_consultation(self.clock(day, 14 * 60), clerk, consultation_id,
                                                         self._draft(card))
        self.summary.converted += 1
        self._serve(view, day, 14 * 60 + 4, clerk)

    def _joint_review(self, view: CaseView, day: dt.date, owner: StaffSession) -> None:
        """特事特办、一事一议 (S8): the departments meet three working days later and agree, one with conditions."""
        meeting = self.working_day(day, 3)
        departments = list(joint_reviews.department_catalog(self.svc)[:3])
        review = joint_reviews.schedule(self.clock(day, 16 * 60 + 30), owner, view.id, day=meeting, start="14:30",
                                        place="三楼会商室", departments=departments)
        self.summary.joint_reviews += 1

        def meet() -> None:
            for n, department in enumerate(departments):
                opinion = Opinion.CONDITIONAL if n == len(departments) - 1 else Opinion.AGREE
                text = "须在开工前补办消防设计审查（演示）" if opinion is Opinion.CONDITIONAL else ""
                joint_reviews.record_opinion(self.clock(meeting, 14 * 60 + 45 + n), owner, review.id, department,
                                             opinion, text)
            joint_reviews.record_outcome(self.clock(meeting, 15 * 60 + 30), owner, review.id, Conclusion.CONDITIONAL,
                                         "同意按特事特办推进，开工前补办消防设计审查（演示）")

        self.later(meeting, 14 * 60 + 45, meet)


def build_month(svc: Services, cards: list[str], employers: dict[str, str], id_numbers: dict[str, str], cast: Cast,
                days: int = DEMO_DAYS, per_day: int = PER_WORKING_DAY, seed: int = 13) -> MonthSummary:
    """Play ``days`` days before today. ``cards``: holders the desk accepts; ``employers`` and ``id_numbers``:
    their roster entries (the issuing window checks the ID of whoever collects, S9)."""
    month = Month(svc, cast, cards, employers, id_numbers, seed)
    for back in range(days, 0, -1):
        day = month.today - dt.timedelta(days=back)
        month.summary.days += 1
        month.plan_day(day, per_day)
        month.run_day(day)
        swept = deadline_sweep.sweep(at(svc, day, 23 * 60 + 30), day_end=True)
        month.summary.breached += swept.returned
    return month.summary
