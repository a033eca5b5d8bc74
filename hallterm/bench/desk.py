"""A signed-in front desk on the bench database: what the case and display measurements act through."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update

from hallterm.bench.measuring import BenchContext
from hallterm.domain.cases import CaseDraft
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services.case_views import CaseView
from hallterm.services.cases import open_case
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession, set_pin, sign_in
from hallterm.storage.tables import card_holders, cases, items


def working_hours_clock(tz: dt.tzinfo) -> Callable[[], dt.datetime]:
    """A clock at 10:00 on the last weekday, a second later at each call: coordinators are on duty."""
    day = dt.datetime.now(tz).date()
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    start = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=tz).astimezone(dt.UTC)
    ticks = itertools.count()
    return lambda: start + dt.timedelta(seconds=next(ticks))


@dataclass
class Desk:
    """A signed-in front-desk session on the bench database, with what opening a case needs."""

    svc: Services
    session: StaffSession
    item_codes: list[str]

    @classmethod
    def sign_in(cls, ctx: BenchContext) -> Desk:
        svc = Services(ctx.svc.settings, ctx.svc.db, working_hours_clock(ctx.svc.settings.hall.tz))
        set_pin(svc, BENCH_DESK, BENCH_PIN)
        session = sign_in(svc, BENCH_DESK, BENCH_PIN)
        with svc.db.read() as conn:
            city = list(conn.execute(select(items.c.code).where(items.c.active, items.c.jurisdiction == "city"))
                        .scalars())
        return cls(svc, session, city)

    def open_for(self, card_no: str, rng: random.Random) -> CaseView:
        # A city-bureau item with complete materials: the commonest green-channel case (马上办).
        draft = CaseDraft(card_no, CaseKind.ENTERPRISE, (rng.choice(self.item_codes),), EnterpriseKind.FOREIGN,
                          "鞍山基准测试有限公司", materials_complete=True)
        return open_case(self.svc, self.session, draft)

    def free_seat(self, view: CaseView) -> None:
        """The visitor leaves the lounge (outside the timing): seats never run out during the run."""
        with self.svc.db.write() as conn:
            conn.execute(update(cases).where(cases.c.id == view.id).values(status="in_progress"))


BENCH_DESK = "S1401"
BENCH_PIN = "246813"  # the hall's PIN rules hold on the bench's database too (issue 16 point 5)


def eligible_cards(ctx: BenchContext, count: int) -> list[str]:
    """Card numbers of holders the green channel serves (valid, tier A–D), as a scanner reads them."""
    with ctx.svc.db.read() as conn:
        rows = conn.execute(select(card_holders.c.card_no).where(
            card_holders.c.status == "active", card_holders.c.tier.in_(list(ctx.svc.settings.cards.eligible_tiers)),
            card_holders.c.expires_on > ctx.svc.today())).scalars().all()
    return [rows[ctx.rng.randrange(len(rows))] for _ in range(count)]
