"""``hallterm db check``: is this hall's database sound? (issue 15 point 1)

``check_database`` runs every check and returns one Chinese line per problem found (an empty list when
all is well), so the command line, a restore and the nightly sweep all judge a database the same way.
"""

from __future__ import annotations

from hallterm.storage import integrity
from hallterm.storage.engine import Database


def check_database(db: Database) -> list[str]:
    problems: list[str] = []
    with db.read() as conn:
        if db.is_sqlite:
            problems += [f"数据库文件损坏（SQLite integrity_check）：{line}"
                         for line in integrity.sqlite_integrity(conn)]
            problems += [f"表 {table} 第 {rowid} 行引用的 {parent} 记录不存在（外键）"
                         for table, rowid, parent in integrity.sqlite_foreign_key_violations(conn)]
    return problems
