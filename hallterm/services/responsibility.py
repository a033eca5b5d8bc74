"""The responsibility list (责任清单, S10): every open case, open item, 容缺 supplement deadline (S7),
open 帮办代办 task (S3) and open 差评 follow-up, with who holds it and how late it is, in working days
(S6). Late or unheld duties first (``domain.responsibility.sort_key``).

Who holds what:
- a case: its coordinator (S4, S9: the named staff member who receives the holder and organises the
  approval sections); a case routed to a proxy without a coordinator: its proxy;
- an item: the approving section from the catalog is the responsible department, the case's
  coordinator the named person following it (S9); its due date counts the promised working days,
  special-procedure pauses excluded (S6; recomputed here as the desk does, a running pause moves it);
- a 容缺 supplement: the same department and coordinator, due on the supplement deadline (S7);
- a proxy task: its owner among the 帮办代办 staff (S3), due on its working-day due date;
- a 差评 follow-up: its owner (the case's coordinator, or the hall's default owner).

The case's own due date is the latest due date of its items on the clock: the day the case should be
done. Nothing is written: reading the list changes nothing.
"""

from __future__ import annotations

import datetime as dt
import errno
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from hallterm.domain.auth import ROLE_NAMES, AuthError
from hallterm.domain.cases import ACTIVE_STATUSES, STATUS_NAMES, CaseStatus
from hallterm.domain.checklist import CLOCK_STATUSES, ITEM_STATUS_NAMES, OPEN_ITEM_STATUSES, ItemStatus, owes_supplement
from hallterm.domain.deadlines import DeadlineError, Pause, due_date
from hallterm.domain.errors import Refused
from hallterm.domain.ids import mask_name
from hallterm.domain.os_errors import os_error_words
from hallterm.domain.proxy_tasks import KIND_NAMES as PROXY_KIND_NAMES
from hallterm.domain.proxy_tasks import OPEN_STATES, STATE_NAMES, ProxyTaskKind, ProxyTaskState
from hallterm.domain.rating import FOLLOW_UP_NAMES, FollowUpKind
from hallterm.domain.report import Column, Table
from hallterm.domain.responsibility import (
    VIEW_ROLES,
    Duty,
    DutyKind,
    WorkingDayCounter,
    filtered,
    ordered,
    timing,
)
from hallterm.domain.routing import COORDINATION_SECTION, PROXY_SECTION
from hallterm.domain.terminal_text import visible
from hallterm.domain.workdays import WorkCalendar
from hallterm.printing.backends import atomic_write
from hallterm.printing.responsibility_sheet import ResponsibilitySheet, missing_in, render_pdf
from hallterm.services.context import Services
from hallterm.services.print_jobs import PrintOutcome, glyph_warning, print_sheet
from hallterm.services.staff import StaffSession
from hallterm.storage import case_items
from hallterm.storage import responsibility as store
from hallterm.storage import staff as staff_store
from hallterm.storage.responsibility import HeldBy

TABLE_KEY = "responsibility"
TABLE_TITLE = "责任清单"


def responsibility_list(svc: Services, *, section: str | None = None,
                        person: str | None = None) -> tuple[Duty, ...]:
    """Who holds what now, late or unheld first; only a section's (department or the holder's own section)
    and only one person's (staff id) when asked."""
    today = svc.today()
    cal = svc.work_calendar
    with svc.db.read() as conn:
        open_cases = store.open_cases(conn, [s.value for s in ACTIVE_STATUSES])
        items = store.open_items(conn, [s.value for s in ACTIVE_STATUSES], [s.value for s in OPEN_ITEM_STATUSES])
        pauses = case_items.pauses_of(conn, [i.id for i in items if i.status in CLOCK_STATUSES]) if items else {}
        tasks = store.open_proxy_tasks(conn, [s.value for s in OPEN_STATES])
        follow_ups = store.open_follow_ups(conn)
    duties: list[Duty] = []
    dues_of: dict[tuple[dt.date, int], dt.date] = {}  # (accepted on, promised days) → due: most items share them
    items_of: dict[int, list[store.OpenItem]] = defaultdict(list)
    for item in items:
        items_of[item.case_id].append(item)
    for case in open_cases:
        holder = _holder(case.holder_name)
        held = case.coordinator if case.coordinator.staff_id else case.proxy
        item_dues: list[dt.date] = []
        for item in items_of[case.id]:
            due = _item_due(cal, item, pauses.get(item.id, []), today, dues_of)
            if due is not None:
                item_dues.append(due)
            status = ITEM_STATUS_NAMES.get(ItemStatus(item.status), item.status)
            running = any(p.running for p in pauses.get(item.id, []))
            what = f"{visible(item.name)}（{status}{'，暂停计时' if running else ''}）"
            duties.append(_duty(DutyKind.ITEM, what, case.id, case.case_no, holder, item.department, held, due))
            if owes_supplement(item.status, item.decision) and item.supplement_due_on is not None:
                duties.append(_duty(DutyKind.SUPPLEMENT, f"补正材料：{visible(item.name)}", case.id, case.case_no,
                                    holder, item.department, held, item.supplement_due_on))
        what = STATUS_NAMES.get(CaseStatus(case.status), case.status)
        duties.append(_duty(DutyKind.CASE, what, case.id, case.case_no, holder,
                            held.section or COORDINATION_SECTION, held, max(item_dues, default=None)))
    for task in tasks:
        what = (f"{PROXY_KIND_NAMES.get(ProxyTaskKind(task.kind), task.kind)}"
                f"（{STATE_NAMES.get(ProxyTaskState(task.state), task.state)}）")
        duties.append(_duty(DutyKind.PROXY, what, task.case_id, task.case_no, _holder(task.holder_name),
                            task.owner.section or PROXY_SECTION, task.owner, task.due_on))
    for f in follow_ups:
        what = FOLLOW_UP_NAMES.get(FollowUpKind(f.task), f.task)
        duties.append(_duty(DutyKind.FOLLOW_UP, what, f.case_id, f.case_no, _holder(f.holder_name),
                            f.owner.section or COORDINATION_SECTION, f.owner, f.due_on))
    chosen = filtered(duties, section=section, person=person)
    # Lateness once the list is complete: over one span of days (``WorkingDayCounter``), once per due date.
    dues = {d.due_on for d in chosen if d.due_on is not None}
    counter = WorkingDayCounter(cal, min([*dues, today]), max([*dues, today])) if dues else None
    timings = {due: timing(cal, due, today, counter) for due in dues}
    return ordered(d.timed(timings[d.due_on]) if d.due_on is not None else d for d in chosen)


def _holder(name: str) -> str:
    return visible(mask_name(name))


def _item_due(cal: WorkCalendar, item: store.OpenItem, pauses: list[Pause], today: dt.date,
              known: dict[tuple[dt.date, int], dt.date]) -> dt.date | None:
    """The due date of an item on the clock (S6), pauses excluded; the stored one otherwise."""
    if item.status not in CLOCK_STATUSES:
        return None
    if item.accepted_on is None:
        return item.due_on
    if not pauses:  # without a pause the due date depends on nothing else: counted once per pair
        key = (item.accepted_on, item.promised_days)
        if key not in known:
            known[key] = due_date(cal, item.accepted_on, item.promised_days).due
        return known[key]
    try:
        return due_date(cal, item.accepted_on, item.promised_days, pauses, as_of=today).due
    except DeadlineError:  # a pause recorded wrongly must not hide the item: the stored date stands
        return item.due_on


def _duty(kind: DutyKind, what: str, case_id: int, case_no: str, holder: str, section: str, person: HeldBy,
          due: dt.date | None) -> Duty:
    # Lateness is counted once the list is complete (``WorkingDayCounter``): the timing is added then.
    return Duty(kind, what, case_id, visible(case_no), holder, visible(section), person.staff_id,
                visible(person.name), visible(person.section), due)


class FilterRefused(Refused, ValueError):
    """A section or a person the list cannot be filtered by; ``str()`` says what to use instead."""


SECTION_MEANS = "责任部门或责任人所在科室"  # the filter matches either, so counts per section overlap


def check_filters(svc: Services, section: str | None, person: str | None) -> None:
    """Refuse a section the list cannot name, or a staff id nobody has, with what to use instead."""
    with svc.db.read() as conn:
        known = _duty_sections(conn)
        people = staff_store.names(conn)
    if section and section not in known:
        raise FilterRefused(f"没有科室“{section}”（按{SECTION_MEANS}筛选）：可用 {'、'.join(known)}")
    if person and person.strip().upper() not in people:
        raise FilterRefused(f"没有工号 {person.strip().upper()} 的工作人员：请核对工号（如 S1001）")


def sections(svc: Services) -> list[str]:
    """The sections of the hall's active staff (what ``hallterm report --section`` counts by)."""
    with svc.db.read() as conn:
        return store.sections(conn)


def duty_sections(svc: Services) -> list[str]:
    """The sections the list can be filtered by: every one it can name (a staff member's, a catalog's
    approving department), so a 责任部门 shown in the list can always be picked (F, ``--section``)."""
    with svc.db.read() as conn:
        return _duty_sections(conn)


def _duty_sections(conn: Connection) -> list[str]:
    # A duty whose holder has no section is put under the fallbacks (``responsibility_list``): they appear too.
    known = {*store.sections(conn, active_only=False), *store.departments(conn), COORDINATION_SECTION, PROXY_SECTION}
    return sorted(known)


def scope_words(section: str | None) -> str:
    """The list's scope, saying what a section filter matches: 按科室筛选：X（责任部门或责任人所在科室）."""
    return f"按科室筛选：{section}（{SECTION_MEANS}）" if section else "全部科室"


# --- as a table of the report (its exports, the printed sheet) -----------------------------------------

COLUMNS: tuple[Column, ...] = (
    Column("state", "状态", "text"),
    Column("late_days", "逾期工作日", "count"),
    Column("kind", "类别", "text"),
    Column("what", "事项", "text"),
    Column("case_no", "案件编号", "text"),
    Column("holder", "申请人", "text"),
    Column("section", "责任部门", "text"),
    Column("person", "责任人", "text"),
    Column("person_id", "工号", "text"),
    Column("due_on", "期限", "date"),
)


def as_row(d: Duty) -> tuple[object, ...]:
    return (d.state, d.late_days, d.kind_name, d.what, d.case_no, d.holder, d.section,
            d.person_name if d.person_id else "未指定责任人", d.person_id or "", d.due_on)


def as_table(duties: tuple[Duty, ...] | list[Duty]) -> Table:
    """The list as the report's table ``responsibility`` (责任清单), in the list's order."""
    return Table(TABLE_KEY, TABLE_TITLE, COLUMNS, tuple(as_row(d) for d in duties))


def as_json(d: Duty) -> dict[str, object]:
    return {"kind": d.kind.value, "kind_name": d.kind_name, "what": d.what, "case_no": d.case_no,
            "holder": d.holder, "section": d.section, "person_id": d.person_id,
            "person_name": d.person_name if d.person_id else None, "due_on": d.due_on.isoformat() if d.due_on else None,
            "late": d.late, "late_working_days": d.late_days,
            "working_days_left": None if d.timing is None or d.late else d.timing.days_left,
            "estimated": d.timing is not None and d.timing.estimated, "unassigned": d.unassigned, "state": d.state}


# --- on paper (A4, S10) --------------------------------------------------------------------------------


def sheet(svc: Services, duties: tuple[Duty, ...], section: str | None = None) -> ResponsibilitySheet:
    """The list as the printed sheet, dated now in the hall's time."""
    return ResponsibilitySheet(svc.settings.hall.name, svc.now().astimezone(svc.settings.hall.tz), section or "",
                               as_table(duties), sum(d.flagged for d in duties))


class PdfPathRefused(Refused, ValueError):
    """The PDF cannot be written where asked; ``str()`` says why (in Chinese) and what to do."""


_DO = "请换一个有写入权限的已有目录（如 ~/责任清单.pdf），责任清单未保存"


def check_pdf_path(path: Path) -> None:
    """Refuse before any work a path that is not a .pdf file name in an existing folder."""
    try:
        if path.is_dir():
            raise PdfPathRefused(f"{path} 是一个文件夹：--pdf 需要一个文件名，如 {path / '责任清单.pdf'}")
        if path.suffix.lower() != ".pdf":
            raise PdfPathRefused(f"{path} 不是 .pdf 文件名：请写成例如 --pdf 责任清单.pdf")
        if not path.parent.is_dir():
            raise PdfPathRefused(f"无法写入 {path}：目录 {path.parent} 不存在。请先建好它，或换一个已有的目录，"
                                 "责任清单未保存")
    except OSError as exc:  # a name too long for the file system: is_dir() raises instead of answering
        raise PdfPathRefused(f"无法写入 {path}：{os_error_words(exc)}。请换一个文件名，责任清单未保存") from None


def write_pdf(svc: Services, path: Path, duties: tuple[Duty, ...], section: str | None = None) -> Path:
    """Write the A4 PDF to ``path`` (mode 0600: it names staff and cases), atomically: on a failure nothing is
    left behind (``atomic_write`` removes its temporary file) and the refusal says why in Chinese."""
    check_pdf_path(path)
    data = render_pdf(sheet(svc, duties, section))
    try:
        atomic_write(path, data, mode=0o600)
    except OSError as exc:
        if exc.errno == errno.ENOENT and path.parent.is_dir():  # /proc: the folder is there, files cannot be
            why = f"目录 {path.parent} 中不能新建文件"
        else:
            why = os_error_words(exc)
        raise PdfPathRefused(f"无法写入 {path}：{why}。{_DO}") from None
    return path


def print_list(svc: Services, duties: tuple[Duty, ...], section: str | None = None, *,
               staff_id: str | None = None) -> PrintOutcome:
    """Spool and print the A4 sheet the way every notice goes (补打 lists it); the outcome says where it went."""
    printed = sheet(svc, duties, section)
    number = f"ZRQD-{printed.printed_at:%Y%m%d-%H%M}"
    return print_sheet(svc, "duties", number, printed.title, render_pdf(printed), staff_id=staff_id,
                       warnings=glyph_warning(missing_in(printed)))


# --- for the screen (the coordinators' view opens it, S10) ----------------------------------------------

MINE = "\0mine"  # ``duty_board``'s default section: a coordinator's own, the whole hall for anyone else


@dataclass(frozen=True)
class DutyBoard:
    duties: tuple[Duty, ...]
    section: str | None  # None: the whole hall
    sections: tuple[str, ...]  # to pick from
    at: dt.datetime  # hall-local, when it was read

    @property
    def flagged(self) -> int:
        return sum(d.flagged for d in self.duties)


def duty_board(svc: Services, session: StaffSession, section: str | None = MINE) -> DutyBoard:
    """The list as the screen shows it; a coordinator sees their own section's unless they pick another."""
    if session.role not in VIEW_ROLES:
        role = ROLE_NAMES.get(session.role, session.role)
        raise AuthError(f"{role}账号不能查看责任清单：须由协调员、督查或管理员查看")
    if section == MINE:
        section = session.section if session.role == "coordinator" else None
    return DutyBoard(responsibility_list(svc, section=section or None), section or None, tuple(duty_sections(svc)),
                     svc.now().astimezone(svc.settings.hall.tz))
