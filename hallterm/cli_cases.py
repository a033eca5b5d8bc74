"""What ``hallterm cases show CASE_NO [--json]`` prints: a case's whole story (issue 13 point 7).

The text is for a person at a terminal; with ``--json`` the last line is one JSON object for scripts.
Everything taken from data passes through ``visible`` first: a stored control character is shown,
never obeyed by the terminal.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from hallterm.domain.terminal_text import visible

if TYPE_CHECKING:
    from hallterm.services.case_story import CaseStory
    from hallterm.services.context import Services


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cases = sub.add_parser("cases", help="办件查询")
    cases_sub = cases.add_subparsers(dest="cases_command", required=True)
    show = cases_sub.add_parser("show", help="一个办件的全过程：事项、进度、代办、会商、评价和每一步记录")
    show.add_argument("case_no", metavar="CASE_NO", help="办件编号，例如 210300-20261203-0001")
    show.add_argument("--json", action="store_true", help="最后一行输出一个 JSON 对象")


def run(svc: Services, args: argparse.Namespace) -> int:
    # lazy: the use case loads SQLAlchemy; only this command needs it
    from hallterm.services.case_story import case_story

    story = case_story(svc, args.case_no)
    print_story(story)
    if args.json:
        print(json.dumps(story.as_json(), ensure_ascii=False, default=str))
    return 0


def _details(details: dict[str, Any]) -> str:
    return "；".join(f"{key}={value}" for key, value in details.items() if value not in (None, "", [], {}))


def _rating_lines(rating: dict[str, Any] | None) -> list[str]:
    """好差评: the level and reason (nothing of the rater), and each follow-up of a 差评 with its state."""
    if rating is None:
        return ["评价：未评价"]
    reason = f"（{rating['reason']}）" if rating["reason"] else ""
    lines = [f"评价：{rating['level_name']}{reason}"]
    for f in rating["follow_ups"]:
        state = f"已办结：{f['note']}" if f["closed_at"] else ("已逾期" if f["late"] else "待办")
        lines.append(f"  - {f['task_name']}　责任人 {f['owner']}　期限 {f['due_on']}　{state}")
    return lines


def print_story(story: CaseStory) -> None:
    lines = [
        f"办件 {story.case_no}　{story.status_name}（{story.status}）",
        f"持卡人：{story.holder}（{story.card_no}）　办理方式：{story.service_mode}"
        + ("　全程代办" if story.full_proxy else ""),
        f"协调员：{story.coordinator or '未分配'}　洽谈室：{story.lounge or '—'}　"
        f"开办：{story.opened_at:%Y-%m-%d %H:%M}",
        "事项：",
    ]
    for item in story.items:
        due = f"　承诺办结 {item.due_on:%Y-%m-%d}" if item.due_on else ""
        given = f"　领取人：{item.handed_out_to}" if item.handed_out_to else ""
        lines.append(f"  - {item.name}（{item.department}）：{item.status_name}{due}{given}")
    ratings: list[dict[str, Any] | None] = list(story.ratings) or [None]
    for rating in ratings:
        lines.extend(_rating_lines(rating))
    if story.proxy_tasks:
        lines.append("代办任务：")
    for task in story.proxy_tasks:
        late = f"（超期 {task['days_late']} 个工作日）" if task["days_late"] else ""
        lines.append(f"  - {task['kind_name']}：{task['state_name']}　负责人 {task['owner_name'] or '未分派'}"
                     f"　到期 {task['due_on']}{late}")
    for came in story.consultations:  # S5: where the case came from
        lines.append(f"来源：提前介入咨询 {came['number']}（{came['section']}，{came['topic']}）")
    for review in story.joint_reviews:  # S8
        outcome = f"　结论：{review['outcome']}" if review["outcome"] else ""
        lines.append(f"会商 {review['number']}：{review['day']} {review['start']} {review['place']}{outcome}")
    lines.append(f"记录（{len(story.events)} 条）：")
    for event in story.events:
        who = f"　{event.staff}" if event.staff else ""
        extra = _details(event.details)
        lines.append(f"  {event.at:%Y-%m-%d %H:%M:%S}　{event.label}{who}" + (f"　{extra}" if extra else ""))
    print("\n".join(visible(line) for line in lines))
