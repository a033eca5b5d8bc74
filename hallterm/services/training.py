"""What ``hallterm simulate`` needs of the hall before its virtual desks start (issue 17 point 4): a
demo database (the simulator writes tickets and cases, which must never land in a hall's real data),
one counter per desk, the holders who come as visitors, and the staff signed in.

The simulated hall works through the same use cases as the desks; only this set-up touches the demo's
rows directly (the extra counters of a hall bigger than the demo's two green windows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hallterm.domain.errors import Refused
from hallterm.services.context import Services
from hallterm.services.demo import DEMO_PIN
from hallterm.services.staff import StaffSession, sign_in
from hallterm.storage import training as store
from hallterm.storage.training import VisitorRow

DESK_STAFF = ("S1401", "S1402", "S1403", "S1404")  # the demo's front-desk clerks, one per desk in turn
VISITORS = 2000  # enough distinct holders that a busy simulated day rarely sees one twice


class NotADemo(Refused):
    """The configured database is not a demo's: the simulator refuses to write to it."""


def require_demo(svc: Services) -> None:
    with svc.db.read() as conn:
        demo = store.is_demo(conn)
    if not demo:
        raise NotADemo("大厅模拟只在演示数据库上运行（它会取号、开件、发证）：这个数据库不是演示数据库。"
                       "请先用 hallterm --db 地址 demo --no-ui 在一个空数据库里生成演示数据，再运行模拟")


def desk_counters(svc: Services, desks: int) -> list[str]:
    """A counter of its own for each virtual desk, 模拟窗口1号 … (green, so the display shows their calls):
    never the hall's G1 or G2, where a trainee may be calling the same queue (``hallterm demo --live``).
    A later ``hallterm reference load`` deactivates them, as it does any counter not in hall.toml."""
    rows = [(f"M{n:02d}", f"模拟窗口{n}号") for n in range(1, desks + 1)]
    with svc.db.write() as conn:
        store.add_green_counters(conn, rows)
    return [code for code, _name in rows]


def visitors(svc: Services, limit: int = VISITORS) -> list[VisitorRow]:
    with svc.db.read() as conn:
        found = store.visitors(conn, svc.settings.cards.eligible_tiers, svc.today() + dt.timedelta(days=30), limit)
    if not found:
        raise NotADemo("演示数据库里没有有效的持卡人可作为模拟访客：请重新生成演示数据（hallterm demo --no-ui）")
    return found


def ready_cards(svc: Services) -> list[VisitorRow]:
    with svc.db.read() as conn:
        return store.ready_cards(conn)


def ticket_duplicates(svc: Services) -> int:
    with svc.db.read() as conn:
        return store.ticket_duplicates(conn, svc.today())


@dataclass
class Staff:
    """The demo's staff signed in once per process with the demo PIN, each when first needed."""

    svc: Services
    sessions: dict[str, StaffSession]

    @classmethod
    def of(cls, svc: Services) -> Staff:
        return cls(svc, {})

    def session(self, staff_id: str) -> StaffSession:
        if staff_id not in self.sessions:
            self.sessions[staff_id] = sign_in(self.svc, staff_id, DEMO_PIN)
        return self.sessions[staff_id]
