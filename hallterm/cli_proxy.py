"""What ``hallterm proxy list`` prints: the open proxy tasks (全程代办, S3), earliest due first.

No rules here: the listing is ``services.proxy_tasks.open_tasks``. Holder names are masked (张*明): the
list goes to scripts and reports, which need the task and its case number, not the person.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hallterm.domain.terminal_text import visible

if TYPE_CHECKING:
    from hallterm.services.context import Services
    from hallterm.services.proxy_tasks import ProxyTaskView


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    proxy = sub.add_parser("proxy", help="全程代办任务（帮办代办）")
    proxy_sub = proxy.add_subparsers(dest="proxy_command", required=True)
    listing = proxy_sub.add_parser("list", help="未办结的代办任务，按到期日排列（超期的注明超期工作日数）")
    listing.add_argument("--staff", metavar="ID", help="只列这位帮办代办人员的任务（工号，如 S1201）")
    listing.add_argument("--all", action="store_true", help="包括已办结和已撤销的任务")
    listing.add_argument("--json", action="store_true", help="最后一行输出 JSON 数组")


def run(svc: Services, args: argparse.Namespace) -> int:
    # lazy: the use cases load SQLAlchemy; only this command needs them (json: only with --json)
    import json

    from hallterm.services.proxy_tasks import open_tasks

    listing = open_tasks(svc, owner_id=args.staff, include_closed=args.all)
    who = f"{args.staff.strip().upper()} 的" if args.staff else "全部"
    late = f"，超期 {listing.late} 项" if listing.late else ""
    print(f"{who}代办任务 {len(listing.tasks)} 项{late}")
    for t in listing.tasks:
        print("  " + visible(_line(t)))  # a stored control character is shown, never obeyed
    if args.json:
        print(json.dumps([as_json(t) for t in listing.tasks], ensure_ascii=False))
    return 0


def _line(t: ProxyTaskView) -> str:
    # lazy: with the use cases, which only this command loads
    from hallterm.domain.ids import mask_name

    if t.late:
        due = f"超期 {t.days_late} 个工作日"
    elif t.is_open:
        due = f"剩 {t.days_left} 个工作日"
    else:
        due = t.state_name
    owner = t.owner_name or "未分派"
    return (f"{t.due_on:%Y-%m-%d}  {due}  {t.kind_name}  {t.state_name}  {t.case_no}  {mask_name(t.holder_name)}  "
            f"{owner}")


def as_json(t: ProxyTaskView) -> dict[str, object]:
    """One task for scripts, with the holder's name masked."""
    # lazy: with the use cases, which only this command loads
    from hallterm.domain.ids import mask_name

    return {**t.as_json(), "holder": mask_name(t.holder_name)}
