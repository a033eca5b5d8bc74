"""One virtual desk: a counter, its clerk, the visitors it calls, and the coordinators and issuing window
its cases go on to — every step a real use case, timed.

A visit is a generator that yields the wall seconds until its next step (none at ``--speed max``); the
desk runs whichever of its visits is due next, so a clerk calls the next visitor while the coordinator
is still with the last one, as in a hall."""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from hallterm.domain.cases import CaseDraft
from hallterm.domain.checklist import MaterialKind
from hallterm.domain.errors import Refused
from hallterm.domain.handout import Recipient, RecipientKind
from hallterm.domain.jurisdiction import DISTRICTS, CaseKind, EnterpriseKind
from hallterm.domain.rating import Level
from hallterm.services import (
    appointment_slots,
    appointments,
    cases,
    checklist,
    handout,
    progress,
    queue,
    queue_views,
    rating,
)
from hallterm.services.cards import check_card
from hallterm.services.checklist_sheet import load
from hallterm.services.context import Services
from hallterm.services.queue import TicketView
from hallterm.services.training import DESK_STAFF, Staff
from hallterm.simulate import plan as p
from hallterm.simulate.tally import Tally
from hallterm.storage.training import VisitorRow

ISSUING_COUNTER = "F1"  # 统一发证窗口 (S9)
NOBODY_WAITING = "暂无等候的号"  # queue.call_next's answer to an empty queue: the desk waits, no error
T = TypeVar("T")
Visit = Iterator[float]


class VirtualDesk:
    def __init__(self, svc: Services, plan: p.SimPlan, number: int, counter: str, visitors: list[VisitorRow],
                 ready: list[VisitorRow]) -> None:
        self.svc, self.plan, self.number, self.counter = svc, plan, number, counter
        self.rng = random.Random(plan.seed * 1000 + number)
        self.staff = Staff.of(svc)
        self.clerk = self.staff.session(DESK_STAFF[number % len(DESK_STAFF)])
        self.visitors = visitors
        self.ids = {v.card_no: v.id_number for v in visitors + ready}
        self.ready = [v.card_no for v in ready]  # results this desk hands out (each desk its own share)
        self.catalog = [i.code for i in cases.catalog(svc) if i.code]
        self.tally = Tally()
        self._agenda: list[tuple[float, int, Visit]] = []
        self._seq = itertools.count()
        self._decisions = itertools.count(1)
        self._started = time.monotonic()
        self._hands_free_at = 0.0  # the clerk's next step comes no sooner (plan.hands_s)
        self._runner = os.getppid()

    # -- running ---------------------------------------------------------------------------------------

    def run(self, until: float, stop: Path) -> Tally:
        """Work until the monotonic time ``until`` or until ``stop`` exists."""
        self._started = time.monotonic()
        # Desks do not press their first key in the same millisecond: each starts within a clerk's step.
        self._hands_free_at = self._started + self.rng.uniform(0, self.plan.hands_s[1])
        self.start(self.counter_loop())
        if not self.plan.flat_out:
            self.start(self.arrivals())
        checked = 0.0
        while self._agenda:
            now = time.monotonic()
            if now >= until:
                break
            if now - checked > 0.2:
                checked = now
                if stop.exists() or os.getppid() != self._runner:  # stopped, or the runner is gone (killed)
                    break
            due, _n, visit = self._agenda[0]
            due = max(due, self._hands_free_at)
            if due > now:
                time.sleep(min(due - now, until - now, 0.2))
                continue
            heapq.heappop(self._agenda)
            try:
                wait = next(visit)
            except StopIteration:
                continue
            heapq.heappush(self._agenda, (time.monotonic() + wait, next(self._seq), visit))
        return self.tally

    def start(self, visit: Visit) -> None:
        heapq.heappush(self._agenda, (time.monotonic(), next(self._seq), visit))

    def wait(self, step: str) -> float:
        return p.wall_s(self.plan, p.STEP_S[step] * self.rng.uniform(0.6, 1.4))

    def op(self, name: str, action: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Run one use case, timed; a refusal of the hall's rules or an error is counted, never raised."""
        started = time.perf_counter()
        try:
            result = action(*args, **kwargs)
        except Refused as exc:
            self.tally.refusal(name, str(exc))
            return None
        except Exception as exc:  # a desk that stops on the first error measures nothing
            self.tally.error(name, exc)
            return None
        finally:
            self._hands_free_at = time.monotonic() + self.rng.uniform(*self.plan.hands_s)
        self.tally.timed(name, (time.perf_counter() - started) * 1000)
        return result

    # -- the visitors ----------------------------------------------------------------------------------

    def visitor(self) -> VisitorRow:
        return self.visitors[self.rng.randrange(len(self.visitors))]

    def arrivals(self) -> Visit:
        """Walk-ins at the hour's rate (speed 1…): each takes a ticket, books, or comes to collect."""
        while True:
            yield p.next_arrival_s(self.plan, time.monotonic() - self._started, self.rng)
            self.arrive()

    def arrive(self) -> None:
        roll = self.rng.random()
        if roll < p.COLLECT_SHARE and self.ready:
            self.start(self.collect(self.ready.pop()))
        elif roll < p.COLLECT_SHARE + p.BOOK_SHARE:
            self.book()
        else:
            self.op("ticket", queue.issue_walkin, self.svc, self.clerk, self.visitor().card_no)

    def book(self) -> None:
        """An appointment on one of the coming days with a seat free (S6)."""
        days = self.op("slots", appointment_slots.upcoming_days, self.svc)
        open_days = [d for d in days or [] if d.free > 0 and d.hours.day > self.svc.today()]
        if not open_days:
            return
        day = self.rng.choice(open_days[:5]).hours.day
        slots = self.op("slots", appointment_slots.day_slots, self.svc, day)
        free = [s for s in (slots.slots if slots else ()) if s.bookable]
        if free:
            slot = self.rng.choice(free)
            self.op("book", appointments.book, self.svc, self.clerk, self.visitor().card_no, day, slot.start,
                    section=slot.section)

    # -- the counter -----------------------------------------------------------------------------------

    def warm_up(self) -> Tally:
        """Before the measured run, as a desk open since the morning has: close what a stopped run left at
        the counter, then serve one visitor of its own from ticket to finish, untimed. A process's first
        statements are compiled and prepared once; without this, 50 desks' first cases (three times
        slower) would be a quarter of a one-minute run's samples and set its p95. Returns the warm-up's
        own tally (reported apart as ``warmup``)."""
        measured, self.tally = self.tally, Tally()
        board = self.op("board", queue_views.counter_board, self.svc, self.counter)
        if board is not None and board.current is not None:
            self.op("finish", queue.finish, self.svc, self.clerk, self.counter, board.current.id)
        card = self.visitor().card_no
        ticket = self.op("ticket", queue.issue_walkin, self.svc, self.clerk, card)
        called = self.op("call", queue.call_ticket, self.svc, self.clerk, self.counter, ticket.id) if ticket else None
        if called is not None:
            for _wait in self.serve(dataclasses.replace(called, card_no=called.card_no or card), walk_in=False):
                pass
        warm, self.tally = self.tally, measured
        self._hands_free_at = 0.0
        return warm

    def counter_loop(self) -> Visit:
        """Call the next visitor, serve them, call the next; flat out, a visitor arrives whenever none waits."""
        while True:
            ticket = self.call()
            if ticket is None:
                if self.plan.flat_out:
                    self.arrive()
                yield self.wait("idle")
                continue
            yield from self.serve(ticket)

    def call(self) -> TicketView | None:
        """Call the next visitor (timed as ``call``); None when nobody waits, which is no operation, or
        when no more than ``plan.leave`` wait (they are left for the trainee)."""
        if self.plan.leave:
            board = self.op("board", queue_views.counter_board, self.svc, self.counter)
            if board is None or len(board.waiting) <= self.plan.leave:
                return None
        started = time.perf_counter()
        try:
            ticket = queue.call_next(self.svc, self.clerk, self.counter)
        except Refused as exc:
            if str(exc) != NOBODY_WAITING:
                self.tally.refusal("call", str(exc))
            return None
        except Exception as exc:  # as op()
            self.tally.error("call", exc)
            return None
        finally:
            self._hands_free_at = time.monotonic() + self.rng.uniform(*self.plan.hands_s)
        self.tally.timed("call", (time.perf_counter() - started) * 1000)
        return ticket

    def serve(self, ticket: TicketView, *, walk_in: bool = True) -> Visit:
        roll = self.rng.random() if walk_in else 1.0  # the warm-up's visitor comes when called
        if roll < p.NO_SHOW_SHARE:  # called twice more, then passed (过号)
            for _ in range(2):
                yield self.wait("recall")
                self.op("recall", queue.recall, self.svc, self.clerk, self.counter, ticket.id)
            yield self.wait("recall")
            self.op("no_show", queue.no_show, self.svc, self.clerk, self.counter, ticket.id)
            return
        yield self.wait("walk_up")
        if roll < p.NO_SHOW_SHARE + p.RECALL_SHARE:  # did not hear the first call
            self.op("recall", queue.recall, self.svc, self.clerk, self.counter, ticket.id)
            yield self.wait("walk_up")
        card = ticket.card_no or self.visitor().card_no
        if self.op("lookup", check_card, self.svc, card, staff_id=self.clerk.staff_id) is not None:
            yield self.wait("open_case")
            view = self.op("open_case", cases.open_case, self.svc, self.clerk, self.draft(card))
            if view is not None:
                yield from self.check_papers(view.id)
                if view.coordinator is not None and walk_in:
                    self.start(self.lounge(view.id, view.coordinator.staff_id, card))
        yield self.wait("finish")
        self.op("finish", queue.finish, self.svc, self.clerk, self.counter, ticket.id)

    def draft(self, card: str) -> CaseDraft:
        rng = self.rng
        codes = tuple(sorted(set(rng.sample(self.catalog, rng.choice((1, 1, 1, 2))))))
        foreign = rng.random() < 0.3  # a foreign-invested company is the city bureau's (S2)
        return CaseDraft(card_no=card, kind=CaseKind.ENTERPRISE, item_codes=codes,
                         enterprise_kind=EnterpriseKind.FOREIGN if foreign else EnterpriseKind.LIMITED,
                         enterprise_name=f"模拟第{self.number}窗口新设公司",
                         district="" if foreign else rng.choice(DISTRICTS))

    def check_papers(self, case_id: int) -> Visit:
        """Every paper brought, each item accepted (S1): the checklist as the desk works it."""
        sheet = self.op("checklist", load, self.svc, case_id)
        for item in sheet.items if sheet else ():
            yield self.wait("tick")
            brought = [m.material_id for m in item.materials if m.kind is not MaterialKind.CONDITIONAL]
            self.op("tick", checklist.receive_many, self.svc, self.clerk, item.case_item_id, brought)
            yield self.wait("decide")
            self.op("decide", checklist.decide_item, self.svc, self.clerk, item.case_item_id)

    # -- after the counter: the lounge, the review, the issuing window ----------------------------------

    def lounge(self, case_id: int, coordinator_id: str, card: str) -> Visit:
        coordinator = self.staff.session(coordinator_id)
        yield self.wait("met")
        self.op("met", cases.mark_met, self.svc, coordinator, case_id)
        yield self.wait("end_visit")
        self.op("end_visit", cases.end_visit, self.svc, coordinator, case_id)
        yield self.wait("review")
        items = self.op("review", progress.items_of_case, self.svc, case_id) or []
        for item in items:
            item_id = item.case_item_id
            if self.op("review", progress.start_review, self.svc, coordinator, item_id) is None:
                continue
            number = f"鞍审批准字〔{self.svc.today().year}〕第M{self.number:02d}{next(self._decisions):05d}号"
            if self.op("review", progress.decide, self.svc, coordinator, item_id, approved=True,
                       decision_no=number) is not None:
                self.op("review", progress.mark_ready, self.svc, coordinator, item_id)
        yield self.wait("collect")
        self.start(self.collect(card))

    def collect(self, card: str) -> Visit:
        """At the issuing window: what waits for the holder, handed to them, and the pad's rating (S9, S10)."""
        found = self.op("window_lookup", handout.lookup, self.svc, self.clerk, card)
        if not found or not found.item_ids or card not in self.ids:
            return
        yield self.wait("finish")
        done = self.op("handout", handout.hand_out, self.svc, self.clerk, counter_code=ISSUING_COUNTER,
                       card_no=card, case_item_ids=list(found.item_ids),
                       recipient=Recipient(RecipientKind.HOLDER, self.ids[card]))
        if done is None:
            return
        offer = rating.pad_state(self.svc, ISSUING_COUNTER).offer
        # One pad at the window: rate only when it still shows this hand-out (another desk's may follow at once).
        if offer is not None and offer.case_no in {c.case_no for c in done.cases}:
            self.op("rate", rating.rate, self.svc, ISSUING_COUNTER, offer.hand_out_event_id, Level.VERY_SATISFIED)
