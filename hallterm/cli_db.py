"""``hallterm db …``: the database's structure and health (issue 15).

``upgrade`` and ``current`` manage the schema (Alembic); ``check`` runs the integrity checks and exits 1
naming what is wrong.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hallterm.services.context import Services

CHECK_FAILED = 1  # the database answered, and something in it is wrong


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="数据库维护")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="创建或升级数据库结构（Alembic）")
    db_sub.add_parser("current", help="显示数据库结构版本")
    db_sub.add_parser("check", help="检查数据库是否完好（有问题时退出码 1，并逐条说明）")


def run(svc: Services, args: argparse.Namespace) -> int:
    # lazy: Alembic and SQLAlchemy load only for this command
    from hallterm.storage import migrate
    from hallterm.storage.engine import safe_url

    sub = args.db_command
    if sub == "upgrade":
        changed = migrate.ensure_current(svc.db)
        state = "已升级到" if changed else "已是最新版本"
        print(f"数据库 {safe_url(svc.db.url)} {state} {migrate.head_revision()}")
        return 0
    if sub == "check":
        return _check(svc)
    print(migrate.current_revision(svc.db) or "(空数据库)")
    return 0


def _check(svc: Services) -> int:
    # lazy: as above
    from hallterm.domain.terminal_text import visible
    from hallterm.services.integrity import check_database
    from hallterm.storage.engine import safe_url

    problems = check_database(svc.db)
    where = safe_url(svc.db.url)
    if not problems:
        print(f"数据库 {where} 检查完毕，未发现问题")
        return 0
    print(f"数据库 {where} 发现 {len(problems)} 个问题：")
    for line in problems:
        print(f"- {visible(line)}")
    print("请先备份现有数据库文件，再联系技术支持；不要继续在此数据库上办理业务")
    return CHECK_FAILED
