"""`hallterm proxy list [--staff ID] [--all] [--json]` (issue 13 point 3), run in-process through main().

The command reads the real clock: the tasks are added on a day long past, so they are late whenever
the test runs."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hallterm import cli
from hallterm.domain.proxy_tasks import ProxyTaskKind
from hallterm.services import cases
from hallterm.services import proxy_tasks as proxy
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from tests.services.test_open_and_route import draft

MONDAY_JUNE_1 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in the hall


def run(svc: Services, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", svc.db.url, "proxy", "list", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_open_tasks_earliest_due_first_masked_and_as_json(
    loaded: Services, cards: dict[str, str], desk_session: StaffSession, clock: list[dt.datetime],
    capsys: pytest.CaptureFixture[str]
) -> None:
    clock[0] = MONDAY_JUNE_1
    case = cases.open_case(loaded, desk_session, draft(cards["valid"], full_proxy=True,
                                                       item_codes=("QY-GSSL", "DB-SDQBZ")))
    assert case.proxy is not None
    water, _heating = proxy.add_tasks(loaded, desk_session, case.id, [ProxyTaskKind.HEATING, ProxyTaskKind.WATER])
    proxy.move_task(loaded, desk_session, water.id)
    proxy.add_note(loaded, desk_session, water.id, "已约供水公司踏勘")

    code, out, err = run(loaded, capsys, "--staff", case.proxy.staff_id.lower(), "--json")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{case.proxy.staff_id} 的代办任务 2 项，超期 2 项"
    assert "2026-06-08  超期" in lines[1] and "供水报装  办理中" in lines[1] and "王*" in lines[1]
    assert "王喆" not in out  # the holder's name is masked
    listed = json.loads(lines[-1])
    assert [(t["kind"], t["state"], t["due_on"]) for t in listed] == [
        ("water", "in_progress", "2026-06-08"), ("heating", "pending", "2026-06-15")]
    assert listed[0]["days_late"] > 0 and listed[0]["notes"][0]["text"] == "已约供水公司踏勘"

    proxy.move_task(loaded, desk_session, water.id)  # 已办结: off the open list, on --all
    code, out, _ = run(loaded, capsys)
    assert code == 0 and out.splitlines()[0] == "全部代办任务 1 项，超期 1 项"
    code, out, _ = run(loaded, capsys, "--all")
    assert out.splitlines()[0] == "全部代办任务 2 项，超期 1 项" and "已办结" in out

    code, out, err = run(loaded, capsys, "--staff", "S1001")  # a coordinator, not a proxy
    assert (code, out) == (1, "") and "工号 S1001 不是帮办代办人员" in err


    # `cases show` tells the same story (issue 13 point 7: proxy_tasks), notes with who and when.
    assert cli.main(["--db", loaded.db.url, "cases", "show", case.case_no, "--json"]) == 0
    out = capsys.readouterr().out
    story = json.loads(out.splitlines()[-1])
    assert [(t["kind"], t["state"], t["owner_id"]) for t in story["proxy_tasks"]] == [
        ("water", "done", case.proxy.staff_id), ("heating", "pending", case.proxy.staff_id)]
    assert story["proxy_tasks"][0]["notes"][0]["staff_id"] == desk_session.staff_id
    assert "代办任务：" in out and "供热报装：待办" in out and "代办任务变更状态" in out
