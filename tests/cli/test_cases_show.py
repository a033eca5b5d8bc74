"""`hallterm cases show CASE_NO [--json]` (issue 13 point 7), run in-process through main()."""

from __future__ import annotations

import json

import pytest

from hallterm import cli
from hallterm.domain.ids import mask_name
from hallterm.services import cases
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
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
