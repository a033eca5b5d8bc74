"""`hallterm cases show CASE_NO [--json]` (issue 13 point 7), run in-process through main()."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hallterm import cli
from hallterm.domain.consultations import Channel, ConsultationDraft
from hallterm.domain.ids import mask_name
from hallterm.domain.joint_reviews import Conclusion, Opinion
from hallterm.services import cases, consultations, joint_reviews, rating
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from tests.services.handout_flow import hand_out_case, signed_in
from tests.services.test_open_and_route import draft


def run(svc: Services, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", svc.db.url, "cases", "show", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_cases_story_masked_in_text_and_json(loaded: Services, cards: dict[str, str], desk_session: StaffSession,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    view = cases.open_case(loaded, desk_session, draft(cards["markup"]))
    code, out, err = run(loaded, capsys, view.case_no, "--json")
    assert code == 0, err
    story = json.loads(out.strip().splitlines()[-1])
    assert story["case_no"] == view.case_no and story["status"] == view.status.value
    assert story["holder"] == mask_name("[b]郑[/b]") and "郑" not in out  # masked like every list of the hall
    assert [(i["code"], i["name"]) for i in story["items"]] == [("QY-GSSL", "公司设立登记")]
    assert all(i["handed_out_to"] is None for i in story["items"])
    assert story["rating"] is None and story["proxy_tasks"] == [] and story["joint_reviews"] == []
    kinds = [e["kind"] for e in story["events"]]
    assert kinds[0] == "case_opened" and "case_routed" in kinds
    assert [e["id"] for e in story["events"]] == sorted(e["id"] for e in story["events"])  # in order
    assert "21030219800101" not in out and "13812345678" not in out  # no ID number or phone in full
    assert f"办件 {view.case_no}" in out.splitlines()[0] and "开办件" in out


def test_an_unknown_case_number_is_one_line_and_exit_1(loaded: Services, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(loaded, capsys, "210300-20990101-0001")
    assert (code, out) == (1, "") and "没有编号为 210300-20990101-0001 的办件" in err


def test_the_whole_story_from_a_consultation_to_the_rating(
        loaded: Services, cards: dict[str, str], desk_session: StaffSession, clock: list[dt.datetime],
        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 13 point 7: where the case came from (S5), its joint review (S8), who collected each result (S9)
    and the visitor's rating — each field the issue names, filled by the real use cases."""
    coordinator = signed_in(loaded, "S1001")
    logged = consultations.log_consultation(loaded, coordinator, ConsultationDraft(
        Channel.PHONE, "业务协调科", "新设企业的审批事项", card_no=cards["valid"]))
    view = consultations.open_case_from_consultation(loaded, desk_session, logged.id, draft(cards["valid"]))
    invited = list(joint_reviews.department_catalog(loaded)[:2])
    review = joint_reviews.schedule(loaded, coordinator, view.id, day=loaded.today(), start="15:00", place="三楼会商室",
                                    departments=invited)
    for department in invited:
        joint_reviews.record_opinion(loaded, coordinator, review.id, department, Opinion.AGREE)
    clock[0] = clock[0].replace(hour=7, minute=30)  # 15:30 in the hall: the meeting is under way
    joint_reviews.record_outcome(loaded, coordinator, review.id, Conclusion.APPROVED, "同意按特事特办推进")
    handed = hand_out_case(loaded, view.id)
    clock[0] += dt.timedelta(minutes=1)
    rating.rate(loaded, "F1", handed, 2, "slow")
    code, out, err = run(loaded, capsys, view.case_no, "--json")
    assert code == 0, err
    story = json.loads(out.strip().splitlines()[-1])
    assert story["status"] == "closed"
    given = story["items"][0]["handed_out_to"]
    assert given.startswith("本人 ") and "21030219800101" not in out  # the holder collected it; ID masked
    assert story["rating"]["level"] == 2 and story["rating"]["reason"] == "办事效率低"
    assert [f["task"] for f in story["rating"]["follow_ups"]] == ["call_back", "put_right"]
    assert story["ratings"] == [story["rating"]]  # one per hand-out (一次一评); a case collected in parts has more
    assert [c["number"] for c in story["consultations"]] == [logged.number]
    assert story["joint_reviews"][0]["outcome"] == "同意按特事特办推进"
    kinds = [e["kind"] for e in story["events"]]
    assert kinds.index("item_ready") < kinds.index("items_handed_out") < kinds.index("case_closed")
    assert "来源：提前介入咨询" in out and "会商" in out and "领取人：本人" in out
