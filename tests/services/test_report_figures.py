"""The supervision report's figures (issue 14 point 4) against values worked out by hand.

A small month of the hall — September 29 to October 30, 2026 — is played once per module and backend
(SQLite and PostgreSQL) through the real use cases with a moved clock, then the report is read for the
month, for one day of it, and for an empty month. Every expected number below is derived in a comment
from the story; nothing is copied from a report.

The story (hall-local times; the 2026 calendar: 10-01…10-07 国庆 holidays, 10-10 a Saturday make-up day):

  09-29 Tue  A  holder H1, 建设工程规划许可 GC-GHXK (5 working days), all papers → accepted, due 10-12
                (09-30, 10-08, 10-09, 10-10 调休, 10-12). Coordinator 王芳 S1001.
  09-30 Wed  A  paused for 专家评审 …
  10-09 Fri  A  … resumed: paused working days 09-30, 10-08, 10-09 (the holidays between are not working
                days anyway) → due 10-10, 10-12, 10-13, 10-14, 10-15 = 10-15.
  10-12 Mon  ticket T1 (H2) 09:00, called 09:04 at G1 → B opened 09:06 (H2, QY-GSSL 3 days, all papers →
                accepted, due 10-15), S1001; met 09:20.
             ticket T2 (H3) 09:30, called 09:40, recalled 09:42 → C opened 09:45 (H3, 容缺: core papers, fees,
                commitment; supplement due 10-15), 张喆 S1002; met 10:15.
             ticket T3 (H4) 10:00, called 10:20, no-show 10:25.
             D opened 11:00 (H1, no ticket), routed, then reassigned to 刘玥 S1003; met 11:10.
             Appointments booked for 10-13: H2 09:00, H4 10:00 (业务协调科).
  10-13 Tue  H4 checks in 09:55 (an appointment ticket); H2 never comes → missed.
             E opened 10:00 (H1, 容缺, supplement due 10-16), S1002; met 10:30. B into review.
  10-14 Wed  E's missing paper arrives → supplement complete; E is an ordinary accepted item, due 10-16.
  10-15 Thu  A decided (approved) on 10-15 ≤ due 10-15: on time — only because the pause was excluded.
             E into review.
  10-16 Fri  the nightly sweep returns C (supplement due 10-15 passed): breached, case closed.
             A ready, handed out to H1 → case closed; rated 5 非常满意.
  10-19 Mon  B decided 10-19 > due 10-15: late by 2 working days (10-16, 10-19).
  10-20 Tue  B ready, handed out → case closed; rated 2 不满意 (差评) → follow-ups owned by S1001:
                回访 due 10-21, 整改 due 11-10; a second rating of the same hand-out is refused.
             G opened (H2, 全程代办), S1001 and a 帮办代办 staff member; proxy tasks 市场准入 and 供电,
                5 working days each → due 10-27.
  10-21 Wed  both proxy tasks in progress.
  10-23 Fri  the 回访 follow-up closed: 10-23 > due 10-21, late.
  10-26 Mon  the 市场准入 task done (10-26 ≤ 10-27): on time; 供电 stays open.
  10-29 Thu  F opened (H4, 容缺, supplement due 11-03), S1003.
  The report is read on 10-30 at 17:00.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hallterm.config import sqlite_url
from hallterm.domain.cases import CaseDraft
from hallterm.domain.checklist import MaterialKind
from hallterm.domain.handout import Recipient, RecipientKind
from hallterm.domain.holders import CardStatus
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.domain.proxy_tasks import ProxyTaskKind
from hallterm.domain.rating import RatingRefused
from hallterm.domain.report import FIGURE_BY_KEY, FIGURES, Period, Report
from hallterm.domain.roster import RosterRow
from hallterm.services import (
    appointment_sweep,
    appointments,
    cases,
    checklist,
    checklist_sheet,
    deadline_sweep,
    handout,
    progress,
    proxy_tasks,
    queue,
    rating,
)
from hallterm.services.case_views import CaseView
from hallterm.services.context import Services
from hallterm.services.report import ReportError, build_report
from hallterm.services.report_drilldown import cases_behind
from hallterm.services.staff import StaffSession, set_pin, sign_in
from hallterm.storage import holders
from hallterm.storage.report_queries import staff_directory
from tests.storage.conftest import BACKENDS, pg_server, settings_for  # noqa: F401  (pg_server: the PG fixture)

PIN = "864213"  # set in a module-scoped hall, before _short_test_pins: the hall's 6 digits
OCTOBER = Period.month_of(dt.date(2026, 10, 1))
DAY = Period.day(dt.date(2026, 10, 12))
COORDINATION = "业务协调科"
PROXY_SECTION = "政务服务中心帮办代办部"


@dataclass
class Played:
    svc: Services
    clock: list[dt.datetime]
    case_no: dict[str, str] = field(default_factory=dict)  # story letter → case number
    proxy_id: str = ""
    october: Report | None = None
    day: Report | None = None


class Story:
    """The month above, told through the use cases."""

    def __init__(self, svc: Services, clock: list[dt.datetime]) -> None:
        self.svc, self.clock = svc, clock
        self.played = Played(svc, clock)
        self.at(dt.date(2026, 9, 29), "08:00")
        self.desk, self.boss = self.signed("S1401"), self.signed("S1601")
        self.co = {s: self.signed(s) for s in ("S1001", "S1002", "S1003")}
        self.cards, self.ids = self._holders()

    def at(self, day: dt.date, hhmm: str) -> None:
        local = dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=self.svc.settings.hall.tz)
        self.clock[0] = local.astimezone(dt.UTC)

    def signed(self, staff_id: str) -> StaffSession:
        set_pin(self.svc, staff_id, PIN)
        return sign_in(self.svc, staff_id, PIN)

    def _holders(self) -> tuple[dict[str, str], dict[str, str]]:
        rows = []
        for n, (key, name) in enumerate((("H1", "王喆"), ("H2", "李玥"), ("H3", "赵鑫"), ("H4", "孙昊")), start=1):
            body = f"2103021980010100{n}"
            rows.append((key, RosterRow(n + 1, self.svc.card_format.make(f"GD2024A0001{n}"), name,
                                        body + resident_id_check_char(body), "A", dt.date(2024, 1, 2),
                                        dt.date(2029, 1, 1), CardStatus.ACTIVE, "13812345678", "鞍钢集团有限公司")))
        with self.svc.db.write() as conn:
            holders.upsert_rows(conn, [r for _k, r in rows], self.svc.now())
        return {k: r.card_no for k, r in rows}, {k: r.id_number for k, r in rows}

    # -- steps ---------------------------------------------------------------------------------------

    def open(self, letter: str, holder: str, code: str, *, city: bool, coordinator: str,
             full_proxy: bool = False) -> CaseView:
        draft = CaseDraft(card_no=self.cards[holder], kind=CaseKind.ENTERPRISE, item_codes=(code,),
                          enterprise_kind=EnterpriseKind.FOREIGN if city else EnterpriseKind.LIMITED,
                          enterprise_name=f"鞍山{letter}科技有限公司", district="" if city else "铁东区",
                          full_proxy=full_proxy)
        view = cases.open_case(self.svc, self.desk, draft)
        assert view.coordinator is not None, f"case {letter} was not routed"
        if view.coordinator.staff_id != coordinator:
            view = cases.reassign(self.svc, self.boss, view.id, coordinator_id=coordinator, reason="按科室分工")
        self.played.case_no[letter] = view.case_no
        return view

    def item(self, view: CaseView) -> checklist_sheet.ItemChecklist:
        return checklist_sheet.load(self.svc, view.id).items[0]

    def accept(self, view: CaseView) -> int:
        item = self.item(view)
        papers = [m.material_id for m in item.materials if m.kind in (MaterialKind.CORE, MaterialKind.SECONDARY)]
        checklist.receive_many(self.svc, self.desk, item.case_item_id, papers)
        checklist.decide_item(self.svc, self.desk, item.case_item_id)
        return item.case_item_id

    def conditional(self, view: CaseView) -> tuple[int, int]:
        """Core papers in, fees paid, the commitment signed: 容缺 (S7). Returns the item and the missing paper."""
        item = self.item(view)
        core = [m.material_id for m in item.materials if m.kind is MaterialKind.CORE]
        missing = next(m.material_id for m in item.materials if m.kind is MaterialKind.SECONDARY)
        checklist.receive_many(self.svc, self.desk, item.case_item_id, core)
        checklist.set_fees_paid(self.svc, self.desk, item.case_item_id, True)
        checklist.decide_item(self.svc, self.desk, item.case_item_id, commitment_signed=True)
        return item.case_item_id, missing

    def meet(self, view: CaseView, coordinator: str, met: str, left: str, day: dt.date) -> None:
        self.at(day, met)
        cases.mark_met(self.svc, self.co[coordinator], view.id)
        self.at(day, left)
        cases.end_visit(self.svc, self.co[coordinator], view.id)

    def hand_out_and_rate(self, view: CaseView, holder: str, item_id: int, day: dt.date, level: int,
                          reason: str = "") -> int:
        self.at(day, "09:00")
        progress.mark_ready(self.svc, self.co["S1001"], item_id)
        self.at(day, "10:00")
        handout.hand_out(self.svc, self.desk, counter_code="F1", card_no=self.cards[holder], case_item_ids=[item_id],
                         recipient=Recipient(RecipientKind.HOLDER, self.ids[holder]))
        self.at(day, "10:01")
        offer = rating.pad_state(self.svc, "F1").offer
        assert offer is not None
        rating.rate(self.svc, "F1", offer.hand_out_event_id, level, reason)
        return offer.hand_out_event_id

    # -- the month ------------------------------------------------------------------------------------

    def play(self) -> Played:
        d = dt.date
        svc = self.svc
        self.at(d(2026, 9, 29), "10:00")
        a = self.open("A", "H1", "GC-GHXK", city=True, coordinator="S1001")
        a_item = self.accept(a)
        self.meet(a, "S1001", "10:05", "10:30", d(2026, 9, 29))
        procedure = self.item(a).clock_exempt[0]
        self.at(d(2026, 9, 30), "10:00")
        checklist.pause_item(svc, self.co["S1001"], a_item, procedure, expected_working_days=5)
        self.at(d(2026, 10, 9), "09:30")
        checklist.resume_item(svc, self.co["S1001"], a_item)
        deadline = self.item(a).deadline
        assert deadline is not None and deadline.due == d(2026, 10, 15)  # the hand count above

        oct12 = d(2026, 10, 12)
        self.at(oct12, "09:00")
        t1 = queue.issue_walkin(svc, self.desk, self.cards["H2"], count_ahead=False)
        self.at(oct12, "09:04")
        assert queue.call_next(svc, self.desk, "G1").id == t1.id
        self.at(oct12, "09:06")
        queue.finish(svc, self.desk, "G1", t1.id)
        b = self.open("B", "H2", "QY-GSSL", city=True, coordinator="S1001")
        b_item = self.accept(b)
        self.meet(b, "S1001", "09:20", "09:50", oct12)

        self.at(oct12, "09:30")
        t2 = queue.issue_walkin(svc, self.desk, self.cards["H3"], count_ahead=False)
        self.at(oct12, "09:40")
        assert queue.call_next(svc, self.desk, "G1").id == t2.id
        self.at(oct12, "09:42")
        queue.recall(svc, self.desk, "G1", t2.id)
        self.at(oct12, "09:45")
        queue.finish(svc, self.desk, "G1", t2.id)
        c = self.open("C", "H3", "QY-GSSL", city=True, coordinator="S1002")
        self.conditional(c)
        self.meet(c, "S1002", "10:15", "10:40", oct12)

        self.at(oct12, "10:00")
        t3 = queue.issue_walkin(svc, self.desk, self.cards["H4"], count_ahead=False)
        self.at(oct12, "10:20")
        assert queue.call_next(svc, self.desk, "G1").id == t3.id
        self.at(oct12, "10:25")
        queue.no_show(svc, self.desk, "G1", t3.id)

        self.at(oct12, "11:00")
        draft_d = self.open("D", "H1", "QY-GSSL", city=False, coordinator="S1004")
        # D is corrected once more, to 刘玥: whoever held it before, it counts once, for S1003.
        d_view = cases.reassign(svc, self.boss, draft_d.id, coordinator_id="S1003", reason="改派给刘玥")
        self.meet(d_view, "S1003", "11:10", "11:30", oct12)

        self.at(oct12, "14:00")
        missed = appointments.book(svc, self.desk, self.cards["H2"], d(2026, 10, 13), "09:00", section=COORDINATION)
        kept = appointments.book(svc, self.desk, self.cards["H4"], d(2026, 10, 13), "10:00", section=COORDINATION)
        self.at(oct12, "16:00")
        progress.start_review(svc, self.co["S1001"], a_item)

        oct13 = d(2026, 10, 13)
        self.at(oct13, "09:15")
        progress.start_review(svc, self.co["S1001"], b_item)
        self.at(oct13, "09:55")
        queue.check_in(svc, self.desk, kept.id)
        self.at(oct13, "10:00")
        e = self.open("E", "H1", "QY-GSSL", city=False, coordinator="S1002")
        e_item, e_missing = self.conditional(e)
        self.meet(e, "S1002", "10:30", "10:50", oct13)
        self.at(oct13, "12:00")
        assert appointment_sweep.sweep_missed(svc).missed == (missed.number,)

        self.at(d(2026, 10, 14), "10:00")
        checklist.tick(svc, self.desk, e_item, e_missing, received=True, form="original", note="补正")

        self.at(d(2026, 10, 15), "09:15")
        progress.start_review(svc, self.co["S1002"], e_item)
        self.at(d(2026, 10, 15), "15:00")
        progress.decide(svc, self.co["S1001"], a_item, approved=True, decision_no="鞍审批准字〔2026〕第0001号")

        self.at(d(2026, 10, 16), "00:30")
        assert deadline_sweep.sweep(svc).returned == 1  # C
        self.hand_out_and_rate(a, "H1", a_item, d(2026, 10, 16), 5)

        self.at(d(2026, 10, 19), "15:00")
        progress.decide(svc, self.co["S1001"], b_item, approved=True, decision_no="鞍审批准字〔2026〕第0002号")
        b_hand_out = self.hand_out_and_rate(b, "H2", b_item, d(2026, 10, 20), 2, "slow")
        with pytest.raises(RatingRefused):  # 一次一评: the second press is refused, counted nowhere
            rating.rate(svc, "F1", b_hand_out, 5)

        self.at(d(2026, 10, 20), "11:00")
        g = self.open("G", "H2", "QY-GSSL", city=False, coordinator="S1001", full_proxy=True)
        assert g.proxy is not None
        self.played.proxy_id = g.proxy.staff_id
        proxy = self.signed(g.proxy.staff_id)
        self.at(d(2026, 10, 20), "11:30")
        market, power = proxy_tasks.add_tasks(svc, self.desk, g.id, [ProxyTaskKind.MARKET_ACCESS, ProxyTaskKind.POWER])
        assert market.due_on == power.due_on == d(2026, 10, 27)
        self.at(d(2026, 10, 21), "09:00")
        proxy_tasks.move_task(svc, proxy, market.id)
        proxy_tasks.move_task(svc, proxy, power.id)

        self.at(d(2026, 10, 23), "11:00")
        board = rating.follow_up_board(svc, self.co["S1001"])
        call_back = next(f for f in board.follow_ups if f.task.value == "call_back")
        assert call_back.due_on == d(2026, 10, 21)
        rating.close_follow_up(svc, self.co["S1001"], call_back.id, "已电话回访并致歉")

        self.at(d(2026, 10, 26), "16:00")
        proxy_tasks.move_task(svc, proxy, market.id)

        self.at(d(2026, 10, 29), "10:00")
        f = self.open("F", "H4", "QY-GSSL", city=False, coordinator="S1003")
        self.conditional(f)

        self.at(d(2026, 10, 30), "17:00")
        self.played.october = build_report(svc, OCTOBER)
        self.played.day = build_report(svc, DAY)
        return self.played


@pytest.fixture(scope="module", params=BACKENDS)
def played(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           _sqlite_templates: dict[str, Path]) -> Iterator[Played]:
    """The month, played once per backend (a few seconds): every test of this module reads it."""
    dropped: tuple[object, str] | None = None
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("report") / "hall.sqlite3"
        shutil.copyfile(_sqlite_templates["loaded"], path)
        url = sqlite_url(path)
    else:
        server = request.getfixturevalue("pg_server")
        name = server.create(template=server.loaded_template())
        url, dropped = server.url(name), (server, name)
    clock = [dt.datetime(2026, 9, 29, tzinfo=dt.UTC)]
    svc = Services.open(settings_for(url), clock=lambda: clock[0])
    try:
        yield Story(svc, clock).play()
    finally:
        svc.close()
        if dropped is not None:
            server, name = dropped
            server.drop(name)  # type: ignore[attr-defined]


def row(report: Report, table: str, first: object) -> dict[str, object]:
    found = [r for r in report.table(table).as_dicts() if next(iter(r.values())) == first]
    assert len(found) == 1, (table, first, report.table(table).rows)
    return found[0]


# -- the month ------------------------------------------------------------------------------------------


def test_the_months_headline_figures(played: Played) -> None:
    report = played.october
    assert report is not None and not report.empty
    assert dict(report.figures) == {
        "cases_opened": 6,  # B, C, D (10-12), E (10-13), G (10-20), F (10-29); A opened in September
        "cases_closed": 3,  # A (handed out 10-16), C (returned 10-16), B (handed out 10-20)
        "on_time_rate": 0.5,  # decided in October: A 10-15 ≤ 10-15 on time, B 10-19 > 10-15 late → 1/2
        "overdue_items": 1,  # E: in review, due 10-16, open on 10-30 (F is due 11-03; D's and G's not accepted)
        "wait_p50_min": 25.0,  # waits D 10, B 20, E 30, C 45 → (20 + 30) / 2
        "wait_p90_min": 45.0,  # nearest rank ⌈0.9 × 4⌉ = 4th
        "conditional_outstanding": 1,  # F (C was returned, E supplemented)
        "conditional_supplemented": 1,  # E on 10-14
        "conditional_breached": 1,  # C, returned by the sweep on 10-16
        "appointments_kept": 1,  # H4 checked in 10-13
        "appointments_missed": 1,  # H2 never came
        "tickets_issued": 4,  # T1, T2 (recalled once: still one ticket), T3; H4's check-in ticket on 10-13
        "tickets_no_show": 1,  # T3
        "ratings_total": 2,  # A 5, B 2; B's second press refused
        "satisfaction_rate": 0.5,  # levels 3–5 (no 差评) over all: A's 5 of A 5, B 2 → 1 / 2
        "bad_ratings": 1,  # B's 2
        "follow_ups_late": 1,  # 回访 closed 10-23 > due 10-21, closed late in the month
        "follow_ups_overdue_now": 0,  # 整改 open on 10-30 but due 11-10: not late yet
        "proxy_open": 1,  # 供电, in progress
        "proxy_done_on_time": 1,  # 市场准入 done 10-26 ≤ 10-27
        "proxy_late": 0,  # nothing done after its due day in October (供电 is still open)
        "proxy_overdue_now": 1,  # 供电 open on 10-30, due 10-27
    }
    assert [f.key for f in FIGURES] == list(report.figures)  # every figure, in the model's order
    assert dict(report.ratings_by_level) == {5: 1, 4: 0, 3: 0, 2: 1, 1: 0}


def test_per_section_and_per_person(played: Played) -> None:
    report = played.october
    assert report is not None
    coordination = row(report, "by_section", COORDINATION)
    assert coordination == {
        "section": COORDINATION, "cases_opened": 6, "cases_closed": 3, "items_decided": 2, "items_on_time": 1,
        "on_time_rate": 0.5, "overdue_items": 1,
        # arrival → lounge: B 6 (09:00 → routed 09:06), C 15, D 0, E 0 → (0 + 6) / 2 = 3;
        # lounge → met: D 10, B 14, E 30, C 30 → (14 + 30) / 2 = 22
        "arrival_to_lounge_p50_min": 3.0, "lounge_to_met_p50_min": 22.0,
        "wait_p50_min": 25.0, "wait_p90_min": 45.0,
        "conditional_outstanding": 1, "conditional_supplemented": 1, "conditional_breached": 1,
        "appointments_kept": 1, "appointments_missed": 1,  # the appointments' section
        "ratings_total": 2, "satisfaction_rate": 0.5, "bad_ratings": 1, "follow_ups_late": 1,
        "follow_ups_overdue_now": 0,
        "proxy_open": 0, "proxy_done_on_time": 0, "proxy_late": 0,  # the tasks are the proxy's, below
        "proxy_overdue_now": 0,
    }
    proxies = row(report, "by_section", PROXY_SECTION)
    assert (proxies["cases_opened"], proxies["proxy_open"], proxies["proxy_done_on_time"], proxies["proxy_late"],
            proxies["proxy_overdue_now"]) == (0, 1, 1, 0, 1)

    def person(staff_id: str) -> dict[str, object]:
        return row(report, "by_person", staff_id)

    wang, zhang, liu = person("S1001"), person("S1002"), person("S1003")
    # 王芳: B and G opened; A and B closed and decided (one on time); B's wait 20; both ratings; the late 回访.
    assert (wang["cases_opened"], wang["cases_closed"], wang["on_time_rate"], wang["wait_p50_min"],
            wang["ratings_total"], wang["bad_ratings"], wang["follow_ups_late"]) == (2, 2, 0.5, 20.0, 2, 1, 1)
    # 张喆: C and E; C closed by the sweep; nothing decided (no rate); E overdue; waits 45 and 30 → 37.5 and 45.
    assert (zhang["cases_opened"], zhang["cases_closed"], zhang["on_time_rate"], zhang["overdue_items"],
            zhang["wait_p50_min"], zhang["wait_p90_min"], zhang["conditional_supplemented"],
            zhang["conditional_breached"]) == (2, 1, None, 1, 37.5, 45.0, 1, 1)
    # 刘玥: D (reassigned to her) and F; D's wait 10; F outstanding.
    assert (liu["cases_opened"], liu["wait_p50_min"], liu["conditional_outstanding"]) == (2, 10.0, 1)
    # The reassigned case counts once, for its final person: six cases, however often D was moved.
    assert sum(r["cases_opened"] for r in report.table("by_person").as_dicts()) == 6  # type: ignore[misc]
    proxy = person(played.proxy_id)
    assert (proxy["section"], proxy["proxy_open"], proxy["proxy_done_on_time"], proxy["proxy_late"],
            proxy["proxy_overdue_now"]) == (PROXY_SECTION, 1, 1, 0, 1)
    assert proxy["appointments_kept"] is None  # appointments belong to a section, not a person


def test_by_mode_and_by_jurisdiction(played: Played) -> None:
    report = played.october
    assert report is not None
    # Opened: B all papers → 马上办; C, E, F 容缺 → 指导办 (E stays so once supplemented); D, G unchecked → 待定.
    # Closed: A and B 马上办, C 指导办.
    assert {r[0]: r[1:] for r in report.table("by_mode").rows} == {
        "马上办": (1, 2), "指导办": (3, 1), "加班办": (0, 0), "重点办": (0, 0), "跟踪办": (0, 0), "待定": (2, 0)}
    # Foreign-invested (A, B, C) is the city's; the limited companies of 铁东区 (D, E, F, G) the district's (S2).
    assert report.table("by_jurisdiction").rows == (("市级", "", 2, 3), ("县区", "铁东区", 4, 0))


def test_on_time_per_item_excludes_the_paused_holiday_week(played: Played) -> None:
    report = played.october
    assert report is not None
    # A (GC-GHXK) was due 10-12 without its pause; decided 10-15, it is on time only because 09-30, 10-08 and
    # 10-09 were paused (the 国庆 days between are no working days either way).
    assert row(report, "on_time_by_item", "GC-GHXK") == {
        "item_code": "GC-GHXK", "item": "建设工程规划许可", "decided": 1, "on_time": 1, "late": 0, "on_time_rate": 1.0}
    assert row(report, "on_time_by_item", "QY-GSSL")["late"] == 1  # B


def test_overdue_items_name_who_is_responsible(played: Played) -> None:
    report = played.october
    assert report is not None
    # E: due 10-16; working days after it up to 10-30: 19, 20, 21, 22, 23, 26, 27, 28, 29, 30 = 10.
    assert report.table("overdue_items").as_dicts() == [{
        "case_no": played.case_no["E"], "item": "公司设立登记", "due_on": dt.date(2026, 10, 16),
        "working_days_late": 10, "lateness": "逾期10个工作日", "responsible": "张喆", "section": COORDINATION}]


def test_the_other_tables(played: Played) -> None:
    report = played.october
    assert report is not None
    assert report.table("conditional").rows == ((COORDINATION, 1, 1, 1),)
    assert report.table("appointments").as_dicts() == [{
        "section": COORDINATION, "total": 2, "kept": 1, "missed": 1, "cancelled": 0, "booked": 0, "kept_rate": 0.5}]
    # G1 called T1 after 4 min, T2 after 10 (the recall is no new call), T3 after 20: median 10, p90 the 3rd.
    # H4's check-in ticket was never called: no counter.
    assert [r for r in report.table("tickets_by_counter").as_dicts() if r["counter"] == "G1"] == [{
        "counter": "G1", "counter_name": "绿色通道1号窗口", "issued": 3, "called": 3, "no_show": 1,
        "wait_p50_min": 10.0, "wait_p90_min": 20.0}]
    assert [r[:3] for r in report.table("ratings").rows] == [
        (5, "非常满意", 1), (4, "满意", 0), (3, "基本满意", 0), (2, "不满意", 1), (1, "非常不满意", 0)]
    assert report.table("follow_ups").rows == (("王芳", COORDINATION, 0, 1, 0),)
    assert [r[1:] for r in report.table("proxy_tasks").rows] == [(PROXY_SECTION, 1, 1, 0, 1)]


def test_the_chart_series(played: Played) -> None:
    report = played.october
    assert report is not None
    series = {s.key: dict(s.points) for s in report.series}
    per_day = series["cases_per_day"]
    assert len(per_day) == 31 and sum(v or 0 for v in per_day.values()) == 6
    assert (per_day["10-12"], per_day["10-13"], per_day["10-20"], per_day["10-29"]) == (3, 1, 1, 1)
    # By the hour of arrival: 09 h B 20 and C 45 → 32.5; 10 h E 30; 11 h D 10; the other hours nothing.
    assert series["waits_by_hour"] == {f"{h:02d}时": {9: 32.5, 10: 30.0, 11: 10.0}.get(h) for h in range(8, 21)}
    assert series["on_time_by_section"] == {COORDINATION: 0.5}
    assert series["ratings_by_level"] == {"非常满意": 1, "满意": 0, "基本满意": 0, "不满意": 1, "非常不满意": 0}


# -- a day, a section, an empty month --------------------------------------------------------------------


def test_one_day(played: Played) -> None:
    report = played.day
    assert report is not None and not report.empty
    figures = report.figures
    # 10-12: B, C, D opened; nothing closed or decided; waits B 20, C 45, D 10 → median 20, p90 the 3rd, 45.
    assert (figures["cases_opened"], figures["cases_closed"], figures["on_time_rate"]) == (3, 0, None)
    assert (figures["wait_p50_min"], figures["wait_p90_min"]) == (20.0, 45.0)
    # C was accepted conditionally that day but is breached now, and breached on 10-16: none of the three.
    assert (figures["conditional_outstanding"], figures["conditional_supplemented"],
            figures["conditional_breached"]) == (0, 0, 0)
    assert (figures["tickets_issued"], figures["tickets_no_show"]) == (3, 1)
    assert (figures["ratings_total"], figures["satisfaction_rate"], figures["overdue_items"]) == (0, None, 0)
    assert (figures["appointments_kept"], figures["appointments_missed"], figures["proxy_open"]) == (0, 0, 0)


def test_a_sections_report_keeps_its_own(played: Played) -> None:
    svc = played.svc
    mine = build_report(svc, OCTOBER, section=PROXY_SECTION)
    assert mine.section == PROXY_SECTION
    assert (mine.figures["cases_opened"], mine.figures["proxy_open"], mine.figures["proxy_late"],
            mine.figures["proxy_overdue_now"]) == (0, 1, 0, 1)
    assert mine.figures["tickets_issued"] is None  # the counters serve the whole hall, not a section
    assert [r[0] for r in mine.table("by_section").rows] == [PROXY_SECTION]
    theirs = build_report(svc, OCTOBER, section=COORDINATION)
    assert (theirs.figures["cases_opened"], theirs.figures["appointments_missed"], theirs.figures["proxy_open"]) \
        == (6, 1, 0)


def test_an_empty_period_says_so(played: Played) -> None:
    report = build_report(played.svc, Period.month_of(dt.date(2026, 8, 1)))
    assert report.empty
    assert all(report.figures[f.key] is None for f in FIGURES if f.unit in ("rate", "minutes"))
    assert all(report.figures[f.key] == 0 for f in FIGURES if f.unit == "count")
    assert report.table("overdue_items").rows == ()
    # Every section and person who can be responsible is still listed, with nothing but zeros and no-data.
    sections = report.table("by_section").rows
    assert COORDINATION in {r[0] for r in sections} and all(v in (0, None) for r in sections for v in r[1:])
    assert all(v is None for _label, v in next(s for s in report.series if s.key == "waits_by_hour").points)


# -- the cases behind a figure ---------------------------------------------------------------------------


def test_drilling_down_to_the_cases(played: Played) -> None:
    svc, no = played.svc, played.case_no
    overdue = cases_behind(svc, OCTOBER, "overdue_items")
    assert [(c.case_no, c.person, c.section) for c in overdue] == [(no["E"], "张喆", COORDINATION)]
    assert overdue[0].holder == "王*" and "逾期10个工作日" in overdue[0].note  # masked: 王喆
    on_time = {c.case_no: c.note for c in cases_behind(svc, OCTOBER, "on_time_rate")}
    assert on_time == {no["A"]: "建设工程规划许可：按时办结", no["B"]: "公司设立登记：超期2个工作日办结"}
    opened = cases_behind(svc, OCTOBER, "cases_opened", person="S1003")
    assert [c.case_no for c in opened] == [no["D"], no["F"]]
    assert [c.note for c in opened] == ["待定：公司设立登记", "指导办：公司设立登记"]  # 说明: 五办 mode and items
    assert [c.case_no for c in cases_behind(svc, OCTOBER, "conditional_breached")] == [no["C"]]
    assert [c.case_no for c in cases_behind(svc, OCTOBER, "follow_ups_late")] == [no["B"]]
    assert [c.case_no for c in cases_behind(svc, OCTOBER, "bad_ratings", section=COORDINATION)] == [no["B"]]
    assert cases_behind(svc, OCTOBER, "proxy_late") == ()  # nothing done late in October
    assert [c.case_no for c in cases_behind(svc, OCTOBER, "proxy_overdue_now")] == [no["G"]]
    # From a row of the tables: a section's or a person's own, and nobody else's.
    assert [c.case_no for c in cases_behind(svc, OCTOBER, "proxy_overdue_now", section=PROXY_SECTION)] == [no["G"]]
    assert cases_behind(svc, OCTOBER, "proxy_overdue_now", section=COORDINATION) == ()
    assert [c.case_no for c in cases_behind(svc, OCTOBER, "ratings_total", person="S1001")] == [no["A"], no["B"]]
    assert cases_behind(svc, OCTOBER, "ratings_total", person="S1002") == ()
    assert cases_behind(svc, OCTOBER, "appointments_missed", section="企业登记科") == ()
    missed = cases_behind(svc, OCTOBER, "appointments_missed")
    assert [(m.case_id, m.holder, m.status) for m in missed] == [(None, "李*", "预约爽约")]
    assert cases_behind(svc, OCTOBER, "cases_closed", person="S1002")[0].case_no == no["C"]
    no_show = cases_behind(svc, DAY, "tickets_no_show")  # T3: a ticket, never a case
    assert [(t.case_id, t.holder, t.status, t.opened) for t in no_show] == [(None, "孙*", "过号", "2026-10-12 10:00")]
    assert len(cases_behind(svc, DAY, "tickets_issued")) == 3
    assert cases_behind(svc, DAY, "tickets_issued", section=COORDINATION) == ()  # the counters are the hall's
    waits = cases_behind(svc, OCTOBER, "wait_p50_min")  # the visits behind the median, the longest first
    assert [(w.case_no, w.note.split("（")[0]) for w in waits] == [
        (no["C"], "等候45分钟"), (no["E"], "等候30分钟"), (no["B"], "等候20分钟"), (no["D"], "等候10分钟")]
    assert [w.case_no for w in cases_behind(svc, OCTOBER, "satisfaction_rate")] == [
        r.case_no for r in cases_behind(svc, OCTOBER, "ratings_total")]
    with pytest.raises(ReportError, match="没有这个指标"):
        cases_behind(svc, OCTOBER, "cases_forgotten")


def test_a_ticket_is_the_arrival_of_one_case_only() -> None:
    """Tickets carry the holder, not the case: a holder's second case that day did not arrive with the
    ticket of the first (times in seconds)."""
    from hallterm.services.report_times import arrival_of

    assert arrival_of([100.0], [160.0, 500.0], 160.0) == 100.0  # ticket at 100, case at 160
    assert arrival_of([100.0], [160.0, 500.0], 500.0) == 500.0  # that ticket was the first case's
    assert arrival_of([100.0, 400.0], [160.0, 500.0], 500.0) == 400.0  # a new ticket for the second
    assert arrival_of([600.0], [500.0], 500.0) == 500.0  # a ticket taken after the opening is no arrival


def test_a_task_names_its_owner_not_the_cases_coordinator(played: Played) -> None:
    """G's coordinator is 王芳 (业务协调科), its tasks the proxy's: the proxy figures' lines name the proxy and
    the proxy's section, as ``hallterm proxy list`` and ``hallterm duties`` do (S3, S10)."""
    svc = played.svc
    with svc.db.read() as conn:
        proxy_name = staff_directory(conn)[played.proxy_id].name
    for key in ("proxy_open", "proxy_done_on_time", "proxy_overdue_now"):
        lines = cases_behind(svc, OCTOBER, key)
        assert lines and {(c.person, c.section) for c in lines} == {(proxy_name, PROXY_SECTION)}, key
        mine = cases_behind(svc, OCTOBER, key, person=played.proxy_id)  # the drill from the proxy's row
        assert [(c.case_no, c.person) for c in mine] == [(c.case_no, proxy_name) for c in lines], key
        assert cases_behind(svc, OCTOBER, key, person="S1001") == (), key  # G's coordinator holds no task
    late = cases_behind(svc, OCTOBER, "follow_ups_late")  # the 回访's owner, S1001 王芳
    assert [(c.case_no, c.person, c.section) for c in late] == [(played.case_no["B"], "王芳", COORDINATION)]
    # The case's own figures still name the case's responsible person: G is 王芳's case.
    opened = {c.case_no: c.person for c in cases_behind(svc, OCTOBER, "cases_opened")}
    assert opened[played.case_no["G"]] == "王芳"


def test_everyone_who_can_be_responsible_is_listed_zeros_included(played: Played) -> None:
    """陈昊天 and the other coordinators without a case this month are rows of zeros, in staff-id order."""
    from sqlalchemy import select

    from hallterm.storage.tables import staff

    report = played.october
    assert report is not None
    with played.svc.db.read() as conn:
        responsible = sorted(r.staff_id for r in conn.execute(
            select(staff.c.staff_id).where(staff.c.active.is_(True), staff.c.role.in_(("coordinator", "proxy")))))
        desk = {r.staff_id for r in conn.execute(select(staff.c.staff_id).where(staff.c.role == "desk"))}
    people = [str(r["staff_id"]) for r in report.table("by_person").as_dicts()]
    assert people == sorted(people) and set(responsible) <= set(people)
    assert not desk & set(people)  # first contacts hold no figure: no row of zeros for them
    idle = [p for p in responsible if p not in ("S1001", "S1002", "S1003", played.proxy_id)]
    assert idle, "the hall has coordinators without a case in October"
    for p in idle:
        figures = row(report, "by_person", p)
        assert figures["cases_opened"] == figures["ratings_total"] == figures["proxy_open"] == 0, p
    sections = {r["section"] for r in report.table("by_person").as_dicts()}
    assert sections <= {r["section"] for r in report.table("by_section").as_dicts()}


def test_a_week_never_shows_more_of_a_period_figure_than_its_month(played: Played) -> None:
    """Period figures (not as_of_now) count what happened in the period: a week within a month can only show
    fewer. The week of 10-19 to 10-25: B closed and decided late (10-19), B rated 2 (10-20), the 回访 closed
    late (10-23) — each also in October."""
    svc = played.svc
    month = played.october
    assert month is not None
    for monday in (dt.date(2026, 10, 12), dt.date(2026, 10, 19), dt.date(2026, 10, 26)):
        week = build_report(svc, Period(monday, min(monday + dt.timedelta(days=6), OCTOBER.end)))
        for f in FIGURES:
            if f.unit == "count" and not f.as_of_now:
                assert (week.figures[f.key] or 0) <= (month.figures[f.key] or 0), (monday, f.key)
    week = build_report(svc, Period(dt.date(2026, 10, 19), dt.date(2026, 10, 25)))
    assert (week.figures["follow_ups_late"], week.figures["proxy_late"], week.figures["cases_closed"]) == (1, 0, 1)


def test_every_figure_says_how_it_is_counted() -> None:
    assert all(f.explain for f in FIGURES)
    assert all(f.explain.startswith("截至统计时") for f in FIGURES if f.as_of_now)
    assert {f.key for f in FIGURES if f.as_of_now} == {
        "overdue_items", "conditional_outstanding", "proxy_open", "proxy_overdue_now", "follow_ups_overdue_now"}
    assert "基本满意" in FIGURE_BY_KEY["satisfaction_rate"].explain


def test_satisfied_is_everything_but_a_bad_rating() -> None:
    """满意率 = (非常满意 + 满意 + 基本满意) / all (the national 好差评 practice: 差评 = 不满意 + 非常不满意)."""
    from collections import Counter

    from hallterm.services.report_tally import Tally

    tally = Tally.new()
    tally.levels = Counter({5: 2, 4: 1, 3: 3, 2: 1, 1: 1})
    values = tally.values()
    # (2 + 1 + 3) / 8 = 0.75; 差评 1 + 1 = 2
    assert (values["satisfaction_rate"], values["bad_ratings"], values["ratings_total"]) == (0.75, 2, 8)


def test_an_item_overdue_over_a_holiday_says_so() -> None:
    """Due 12-31, seen on 1-1 (元旦, no working day since): not "0 working days late" but 已逾期."""
    from hallterm.services.report_times import late_words

    assert late_words(0) == "已逾期" and late_words(3) == "逾期3个工作日"


def test_an_item_due_before_new_year_is_late_by_no_working_day_on_the_holiday(played: Played) -> None:
    from hallterm.services.report_times import working_days_late

    cal = played.svc.work_calendar
    assert working_days_late(cal, [dt.date(2026, 12, 31)], dt.date(2027, 1, 1)) == {dt.date(2026, 12, 31): 0}
