"""What ``hallterm duties [--section S] [--person ID] [--pdf FILE] [--json]`` prints: the responsibility list
(责任清单, S10), late or unheld first.

No rules here: the list is ``services.responsibility.responsibility_list``. Holders' names are masked (张*明);
everything taken from data is passed through ``visible`` by the service, so a stored control character is
shown, never obeyed. With ``--json`` the last line is one JSON object for scripts.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from hallterm.domain.errors import Refused

if TYPE_CHECKING:
    from hallterm.domain.responsibility import Duty
    from hallterm.services.context import Services


class DutiesRefused(Refused, ValueError):
    """A filter or a file the command cannot use; ``str()`` says what to do."""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    duties = sub.add_parser("duties", help="责任清单：每个在办事项的责任部门、责任人和期限，逾期和未指定责任人的在前")
    duties.add_argument("--section", metavar="S", help="只列这个科室的（责任部门或责任人所在科室），如 企业登记科")
    duties.add_argument("--person", metavar="ID", help="只列这位工作人员的（工号，如 S1001）")
    duties.add_argument("--pdf", metavar="FILE", type=Path, help="另存为 A4 PDF（可打印）")
    duties.add_argument("--json", action="store_true", help="最后一行输出一个 JSON 对象")


def run(svc: Services, args: argparse.Namespace) -> int:
    # lazy: the use case loads SQLAlchemy; only this command needs it (json: only with --json)
    import json

    from hallterm.services.responsibility import as_json, check_filters, responsibility_list, write_pdf

    section = (args.section or "").strip() or None
    check_filters(svc, section, args.person)
    duties = responsibility_list(svc, section=section, person=args.person)
    flagged = sum(d.flagged for d in duties)
    scope = section or "全部科室"
    who = f"，{args.person.strip().upper()} 的" if args.person else ""
    print(f"责任清单（{scope}{who}）{svc.now().astimezone(svc.settings.hall.tz):%Y-%m-%d %H:%M}："
          f"共 {len(duties)} 项，逾期或未指定责任人 {flagged} 项")
    for d in duties:
        print("  " + _line(d))
    if args.pdf is not None:
        target = args.pdf.expanduser()
        if target.is_dir():
            raise DutiesRefused(f"{target} 是一个文件夹：请给出文件名，如 {target / '责任清单.pdf'}")
        if not target.parent.is_dir():
            raise DutiesRefused(f"文件夹 {target.parent} 不存在：请先建好，或换一个路径")
        write_pdf(svc, target, duties, section)
        print(f"已写入 {target}")
    if args.json:
        print(json.dumps({"generated_at": svc.now().isoformat(), "section": section, "count": len(duties),
                          "flagged": flagged, "duties": [as_json(d) for d in duties]}, ensure_ascii=False))
    return 0


def _line(d: Duty) -> str:
    due = f"{d.due_on:%Y-%m-%d}" if d.due_on else "—"
    return f"{d.state}　{d.kind_name}　{d.what}　{d.case_no}　{d.holder}　{d.section}　{d.person}　期限 {due}"
