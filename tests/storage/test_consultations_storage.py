"""Consultations (S5) and joint reviews (S8) stored and read back on SQLite and PostgreSQL: long Chinese text
at the columns' lengths, the search (case-insensitive, wildcards as characters), the follow-ups due, the
links to an appointment and a case, and the guards that stop two terminals converting or concluding twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from hallterm.services.context import Services
from hallterm.storage import consultations, joint_reviews
from hallterm.storage.cases import holder_id, insert_case
from tests.conftest import FIXED_NOW, TODAY


def _case(svc: Services, card_no: str) -> int:
    with svc.db.write() as conn:
        return insert_case(conn, {
            "case_no": "210300-20261126-0001", "holder_id": holder_id(conn, card_no), "kind": "enterprise",
            "service_mode": "immediate", "status": "in_progress", "opened_at": FIXED_NOW}, ("QY-GSSL",))


def test_consultations_round_trip_search_and_guards(any_hall: Services,
                                                     cards_for: Callable[[Services], str]) -> None:
    svc = any_hall
    card_no = cards_for(svc)
    topic = "新" * 200  # the column's full length, in characters, on both databases
    with svc.db.write() as conn:
        first = consultations.insert_consultation(
            conn, channel="phone", holder_id=holder_id(conn, card_no), company_name="", uscc="", section="业务协调科",
            topic=topic, notes="备" * 1000, follow_up_on=TODAY, status="open", staff_id="S1401",
            logged_at=FIXED_NOW, closed_note="")
        second = consultations.insert_consultation(
            conn, channel="on_site", holder_id=None, company_name="Anshan 100% Materials 有限公司",
            uscc="91210300MA0QF5XB37", section="企业登记科", topic="分公司设立", notes="",
            follow_up_on=TODAY + dt.timedelta(days=3), status="open", staff_id=None, logged_at=FIXED_NOW,
            closed_note="")
    with svc.db.read() as conn:
        row = consultations.get(conn, first)
        assert row is not None and (row.card_no, row.holder_name, row.topic) == (card_no, "王喆", topic)
        assert row.logged_at == FIXED_NOW and len(row.notes) == 1000
        other = consultations.get(conn, second)
        assert other is not None and (other.card_no, other.holder_name) == ("", "")
        assert [r.id for r in consultations.find(conn, text="王喆")] == [first]
        assert [r.id for r in consultations.find(conn, text="materials")] == [second]  # any case
        assert [r.id for r in consultations.find(conn, text="100%")] == [second]
        assert consultations.find(conn, text="1_0") == []  # "_" is a character, not a wildcard
        assert [r.id for r in consultations.find(conn, text="f5xb")] == [second]
        assert [r.id for r in consultations.find(conn, statuses=["open"], due_by=TODAY)] == [first]
        assert [r.id for r in consultations.find(conn, card_no=card_no)] == [first]
    case_id = _case(svc, card_no)
    with svc.db.write() as conn:
        assert consultations.set_values(conn, first, expect_status="open", status="converted", case_id=case_id,
                                        converted_at=FIXED_NOW)
        # a second terminal that read it as open before changes nothing
        assert not consultations.set_values(conn, first, expect_status="open", status="closed")
    with svc.db.read() as conn:
        linked = consultations.of_case(conn, case_id)
    assert [(r.id, r.status, r.case_no) for r in linked] == [(first, "converted", "210300-20261126-0001")]


def test_joint_reviews_round_trip_opinions_and_one_conclusion(any_hall: Services,
                                                              cards_for: Callable[[Services], str]) -> None:
    svc = any_hall
    case_id = _case(svc, cards_for(svc))
    departments = ("市自然资源局", "国网鞍山供电公司")
    with svc.db.write() as conn:
        review_id = joint_reviews.insert_review(
            conn, departments, case_id=case_id, number="会商〔2026〕第0001号", day=TODAY, start="14:30",
            place="二" * 100, status="scheduled", conclusion="", outcome="", staff_id="S1001", created_at=FIXED_NOW)
        assert joint_reviews.pending_number(conn, case_id) == "会商〔2026〕第0001号"
        assert joint_reviews.set_opinion(conn, review_id, "市自然资源局", opinion="conditional", text="意" * 1000,
                                         at=FIXED_NOW, staff_id="S1001")
        assert not joint_reviews.set_opinion(conn, review_id, "市教育局", opinion="agree", text="", at=FIXED_NOW,
                                             staff_id="S1001")
        assert joint_reviews.conclude(conn, review_id, conclusion="conditional", outcome="结" * 1000, at=FIXED_NOW,
                                      staff_id="S1001")
        assert not joint_reviews.conclude(conn, review_id, conclusion="rejected", outcome="x", at=FIXED_NOW,
                                          staff_id="S1002")
        assert joint_reviews.pending_number(conn, case_id) == ""
    with svc.db.read() as conn:
        (row,) = joint_reviews.of_case(conn, case_id)
    assert (row.status, row.conclusion, row.concluded_by, len(row.outcome)) == ("concluded", "conditional",
                                                                               "S1001", 1000)
    assert [(d.department, d.opinion) for d in row.departments] == [("市自然资源局", "conditional"),
                                                                     ("国网鞍山供电公司", "")]
    assert row.departments[0].recorded_at == FIXED_NOW and len(row.place) == 100
