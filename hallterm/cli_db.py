"""``hallterm db …``: the database's structure and health (issue 15).

``upgrade`` and ``current`` manage the schema (Alembic); ``check`` runs the integrity checks and exits 1
naming what is wrong; ``log`` lists the administrative acts, who did each and when (point 6).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hallterm.domain.errors import Refused

if TYPE_CHECKING:
    from hallterm.services.context import Services

class CopyTargetMissing(Refused):
    """``db copy`` without a target."""


CHECK_FAILED = 1  # the database answered, and something in it is wrong
COPY_TO_ENV = "HALLTERM_COPY_TO_URL"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="数据库维护")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="创建或升级数据库结构（Alembic）")
    db_sub.add_parser("current", help="显示数据库结构版本")
    db_sub.add_parser("check", help="检查数据库是否完好（有问题时退出码 1，并逐条说明）")
    backup = db_sub.add_parser("backup", help="备份数据库到一个文件（前台可继续办理业务）")
    backup.add_argument("file", metavar="FILE", help="备份文件（不覆盖已有文件）")
    restore = db_sub.add_parser("restore", help="把备份恢复到一个空数据库，然后检查")
    restore.add_argument("file", metavar="FILE", help="hallterm db backup 生成的备份文件")
    log = db_sub.add_parser("log", help="管理操作记录：导入名册、载入基础数据、设置 PIN、特批放行、规则设置变更、"
                            "备份、恢复、复制，各由谁在何时所做（最新的在前）")
    log.add_argument("--limit", type=int, default=50, metavar="N", help="最多列出多少条（默认 50）")
    log.add_argument("--json", action="store_true", help="最后一行输出 JSON 数组")
    copy = db_sub.add_parser("copy", help="把本大厅的数据库复制到另一个空数据库"
                              "（如从单机 SQLite 迁到 PostgreSQL 服务器）")
    copy.add_argument("--to", metavar="URL", default="",
                      help=f"目标数据库地址；含密码时请改用环境变量 {COPY_TO_ENV}，以免密码留在命令历史中")


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
    if sub == "backup":
        return _backup(svc, args.file)
    if sub == "restore":
        return _restore(svc, args.file)
    if sub == "copy":
        return _copy(svc, args.to)
    if sub == "log":
        return _log(svc, args.limit, args.json)
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


def _backup(svc: Services, file: str) -> int:
    # lazy: as above
    from pathlib import Path

    from hallterm.services.backup import backup_database

    done = backup_database(svc, Path(file))
    when = done.taken_at.astimezone(svc.settings.hall.tz)
    print(f"已备份到 {done.path}（{when:%Y-%m-%d %H:%M:%S}，{done.rows} 行，{done.size / 1e6:.1f} MB，仅本用户可读）")
    print(f"恢复方法：hallterm --db <新的空数据库> db restore {done.path}")
    return 0


def _restore(svc: Services, file: str) -> int:
    # lazy: as above
    import datetime as dt
    from pathlib import Path

    from hallterm.domain.terminal_text import visible
    from hallterm.services.backup import restore_database
    from hallterm.storage.engine import safe_url

    done = restore_database(svc, Path(file))
    taken = dt.datetime.fromisoformat(done.info.taken_at).astimezone(svc.settings.hall.tz)
    print(f"已从备份（{taken:%Y-%m-%d %H:%M:%S} 由 {visible(done.info.taken_by)} 备份）恢复到 {safe_url(svc.db.url)}：")
    print("  " + "，".join(f"{table} {n}" for table, n in done.rows.items() if n))
    if done.problems:
        print(f"恢复后检查发现 {len(done.problems)} 个问题：")
        for line in done.problems:
            print(f"- {visible(line)}")
        return CHECK_FAILED
    print("恢复后检查完毕，未发现问题")
    return 0


def _log(svc: Services, limit: int, as_json: bool) -> int:
    # lazy: as above
    import json

    from hallterm.domain.terminal_text import visible
    from hallterm.services.admin_log import admin_log

    acts = admin_log(svc, limit=max(limit, 1))
    print(f"管理操作记录（最新的 {len(acts)} 条，最新的在前）")
    for act in acts:
        print(visible(f"  {act.at:%Y-%m-%d %H:%M:%S}　{act.label}　{act.who}　{act.what}"))  # shown, never obeyed
    if as_json:
        print(json.dumps([act.as_json() for act in acts], ensure_ascii=False))
    return 0


def _copy(svc: Services, to: str) -> int:
    # lazy: as above
    import os
    from pathlib import Path

    from hallterm.config import sqlite_url
    from hallterm.config_checks import check_db_url
    from hallterm.services.backup import copy_database
    from hallterm.storage.engine import safe_url

    url = to or os.environ.get(COPY_TO_ENV, "")
    if not url:
        raise CopyTargetMissing(f"请用 --to 或环境变量 {COPY_TO_ENV} 给出目标数据库地址"
                                "（如 postgresql+psycopg://hallterm@服务器/hallterm）")
    if "://" not in url:
        url = sqlite_url(Path(url).expanduser().resolve())
    check_db_url(url, "--to" if to else COPY_TO_ENV)
    rows = copy_database(svc, url)
    print(f"已把 {safe_url(svc.db.url)} 复制到 {safe_url(url)}：共 {sum(rows.values())} 行")
    print("  " + "，".join(f"{table} {n}" for table, n in rows.items() if n))
    print(f"请在各前台电脑上把 HALLTERM_DB_URL 设为新地址，并运行 hallterm --db {safe_url(url)} db check")
    return 0
