"""Keeping and deleting personal data (issue 16 point 12; PIPL: kept no longer than its purpose needs).

The talent office's roster is the source of who holds a card: a holder it no longer lists is marked at
the import (``off_roster_since``). After ``[privacy] purge_after_days`` their name, resident ID number,
phone and employer are blanked; their cases, tickets and every figure stay, tied to the card number.
A slip's stored content (for the reprint list) is cleared after ``slip_content_days``; the spool's day
folders go after ``[printing] spool_keep_days`` (``print_jobs.prune_spool``). The events log holds no
names, ID numbers or phones (card numbers, counts and ids only), so it needs no purge and stays
append-only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hallterm.domain.events import EventKind
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession, system_session
from hallterm.storage import events, holders, slip_records

# The nightly sweep deletes as the system, allowed this and nothing else.
PURGER = system_session("sweep", "夜间巡检", "purge")


@dataclass(frozen=True)
class Purge:
    holders: int  # holders whose personal data was blanked now
    slip_contents: int  # slips whose stored content was cleared now
    purge_after_days: int
    slip_content_days: int

    @property
    def message(self) -> str:
        who = (f"名册中已移除满 {self.purge_after_days} 天的持卡人 {self.holders} 位，"
               "已删除姓名、身份证号、电话和工作单位" if self.purge_after_days
               else "持卡人个人信息：设置为不删除（[privacy] purge_after_days = 0）")
        slips = (f"{self.slip_content_days} 天以前打印的回执 {self.slip_contents} 张，已删除保存的内容"
                 if self.slip_content_days else "回执内容：设置为保留（[privacy] slip_content_days = 0）")
        return f"{who}；{slips}"


def purge(svc: Services, session: StaffSession) -> Purge:
    """Delete what is past its keeping period, in one transaction, with one event of the counts."""
    session.require("purge")
    p = svc.settings.privacy
    now = svc.now()
    with svc.db.write() as conn:
        gone = holders.purge_off_roster(conn, now - dt.timedelta(days=p.purge_after_days), now) \
            if p.purge_after_days else 0
        cleared = slip_records.clear_contents(conn, now - dt.timedelta(days=p.slip_content_days)) \
            if p.slip_content_days else 0
        if gone or cleared:
            events.append(conn, EventKind.PERSONAL_DATA_PURGED, now, staff_id=session.staff_id, holders=gone,
                          slip_contents=cleared, purge_after_days=p.purge_after_days,
                          slip_content_days=p.slip_content_days)
    return Purge(gone, cleared, p.purge_after_days, p.slip_content_days)
