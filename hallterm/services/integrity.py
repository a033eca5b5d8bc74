"""``hallterm db check``: is this hall's database sound? (issue 15 point 1)

``check_database`` runs every check and returns one Chinese line per problem found (an empty list when
all is well), so the command line, a restore and the nightly sweep all judge a database the same way.
``seal_events`` is the sweep's part: it seals the events old enough that no slower transaction can
still commit one with a lower id.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from hallterm.domain.cases import CaseStatus
from hallterm.domain.checklist import ItemStatus
from hallterm.domain.holders import CardStatus
from hallterm.domain.proxy_tasks import ProxyTaskState
from hallterm.domain.queue import AppointmentStatus, TicketStatus
from hallterm.storage import integrity
from hallterm.storage.engine import Database
from hallterm.storage.tables import events

# Status columns and the values this version writes: any other value was put there around the program.
STATUS_COLUMNS: dict[tuple[str, str], frozenset[str]] = {
    ("card_holders", "status"): frozenset(CardStatus),
    ("cases", "status"): frozenset(CaseStatus),
    ("case_items", "status"): frozenset(ItemStatus),
    ("proxy_tasks", "state"): frozenset(ProxyTaskState),
    ("tickets", "status"): frozenset(TicketStatus),
    ("appointments", "status"): frozenset(AppointmentStatus),
}

SEAL_AFTER = dt.timedelta(minutes=10)  # an event id is taken before its commit: leave the stragglers time


def check_database(db: Database) -> list[str]:
    problems: list[str] = []
    with db.read() as conn:
        if db.is_sqlite:
            problems += [f"数据库文件损坏（SQLite integrity_check）：{line}"
                         for line in integrity.sqlite_integrity(conn)]
            problems += [f"表 {table} 第 {rowid} 行引用的 {parent} 记录不存在（外键）"
                         for table, rowid, parent in integrity.sqlite_foreign_key_violations(conn)]
        else:
            problems += [f"表 {table} 的编号序列落后（下一个 {nxt}，已有最大编号 {top}）：新记录将无法保存"
                         for table, nxt, top in integrity.pg_sequences_behind(conn)]
        problems += [f"操作记录的防篡改触发器 {name} 不存在：操作记录可能已被改动"
                     for name in integrity.missing_triggers(conn)]
        for first, last, sealed, found in integrity.broken_seals(conn):
            start = integrity.first_changed_event(conn, first, last)
            gone = f"，封存时 {sealed} 条、现有 {found} 条" if sealed != found else ""
            problems += [f"操作记录第 {first}–{last} 条与封存时不一致（被修改或删除{gone}；从第 {start} 条查起）"]
        problems += [f"排队号 {series} {day:%Y-%m-%d} 的计数器为 {value}，落后于已发出的 {top} 号：会发出重复的号"
                     for series, day, value, top in integrity.ticket_counters_behind(conn)]
        for (table, column), known in STATUS_COLUMNS.items():
            problems += [f"表 {table} 的 {column} 列有 {rows} 行为未知状态“{value}”：不是本程序写入的"
                         for value, rows in integrity.unknown_values(conn, table, column, known)]
    return problems


def seal_events(db: Database, now: dt.datetime) -> int:
    """Seal the events older than ``SEAL_AFTER``; returns how many were sealed."""
    with db.write() as conn:
        upto = conn.execute(select(func.max(events.c.id)).where(events.c.at <= now - SEAL_AFTER)).scalar_one()
        return integrity.seal_events(conn, int(upto), now) if upto is not None else 0
