"""What ``hallterm duties [--section S] [--person ID] [--pdf FILE] [--json]`` prints: the responsibility list
(责任清单, S10), late or unheld first.

No rules here: the list is ``services.responsibility.responsibility_list``. Holders' names are masked (张*明);
everything taken from data is passed through ``visible`` by the service, so a stored control character is
shown, never obeyed. With ``--json`` the last line is one JSON object for scripts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hallterm.domain.errors import Refused

if TYPE_CHECKING:
    from hallterm.domain.responsibility import Duty
    from hallterm.services.context import Services


USAGE_EXIT = 2  # as ``hallterm report`` and argparse: the command was asked wrongly, nothing was written


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    duties = sub.add_parser("duties", help="责任清单：每个在办事项的责任部门、责任人和期限（工作日），"
                            "逾期和未指定责任人的在前")
    duties.add_argument("--section", metavar="S",
                        help="只列这个科室的：责任部门是它，或责任人在这个科室（所以各科室的条数会有重叠），"
                        "如 企业登记科、市政公用审批科；科室名不对时列出可选的科室")
    duties.add_argument("--person", metavar="ID", help="只列这位工作人员的（工号，如 S1001）")
    duties.add_argument("--pdf", metavar="FILE", type=Path,
                        help="另存为 A4 PDF（可打印，仅本人可读），文件名以 .pdf 结尾")
    duties.add_argument("--json", action="store_true", help="最后一行输出一个 JSON 对象")


def run(svc: Services, args: argparse.Namespace) -> int:
    try:
        return _run(svc, args)
    except Refused as exc:  # a filter or a file asked wrongly: said in one line, nothing written
        print(str(exc), file=sys.stderr)
        return USAGE_EXIT


def _run(svc: Services, args: argparse.Namespace) -> int:
    # lazy: the use case loads SQLAlchemy; only this command needs it (json: only with --json)
    import json

    from hallterm.services.responsibility import (
        as_json,
        check_filters,
        check_pdf_path,
        responsibility_list,
        scope_words,
        write_pdf,
    )

    section = (args.section or "").strip() or None
    check_filters(svc, section, args.person)
    target = args.pdf.expanduser() if args.pdf is not None else None
    if target is not None:
        check_pdf_path(target)  # before the list is read: a wrong place is said at once
    duties = responsibility_list(svc, section=section, person=args.person)
    if target is not None:  # before anything is printed: a failure leaves no half of the output behind
        write_pdf(svc, target, duties, section)
    now = svc.now().astimezone(svc.settings.hall.tz)  # the hall's day, as ``hallterm report`` says it
    flagged = sum(d.flagged for d in duties)
    who = f"，{args.person.strip().upper()} 的" if args.person else ""
    scope = f"　{scope_words(section)}{who}　" if section else f"（全部科室{who}）"  # no brackets in brackets
    print(f"责任清单{scope}{now:%Y-%m-%d %H:%M}："
          f"共 {len(duties)} 项，逾期或未指定责任人 {flagged} 项（期限按工作日计）")
    for d in duties:
        print("  " + _line(d))
    if target is not None:
        print(f"已写入 {target}（仅本人可读）")
    if args.json:
        print(json.dumps({"generated_at": now.isoformat(), "section": section, "count": len(duties),
                          "flagged": flagged, "duties": [as_json(d) for d in duties]}, ensure_ascii=False))
    return 0


def _line(d: Duty) -> str:
    due = f"{d.due_on:%Y-%m-%d}" if d.due_on else "—"
    return f"{d.state}　{d.kind_name}　{d.what}　{d.case_no}　{d.holder}　{d.section}　{d.person}　期限 {due}"
