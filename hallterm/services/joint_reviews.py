"""Joint review (特事特办、一事一议, S8; issue 13 point 5): schedule a joint consultation (会商) for a case,
record each invited department's opinion and the outcome, and print the record (会商纪要) as a PDF.

Each public call that changes something is one transaction that appends its events (with the case's id,
so the case's history shows them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection

from hallterm.domain.cases import ACTIVE_STATUSES
from hallterm.domain.documents import ISSUER
from hallterm.domain.events import EventKind
from hallterm.domain.joint_reviews import (
    CONCLUSION_NAMES,
    OPINION_NAMES,
    REVIEW_STATUS_NAMES,
    Conclusion,
    JointReviewError,
    Opinion,
    ReviewStatus,
    check_opinion,
    check_outcome,
    check_schedule,
    minutes_number,
    parse_departments,
)
from hallterm.printing.minutes import Minutes, MinutesOpinion
from hallterm.services.case_views import case_at
from hallterm.services.context import Services
from hallterm.services.print_jobs import PrintOutcome, print_minutes
from hallterm.services.reference import DEPARTMENTS_FILE
from hallterm.services.staff import StaffSession
from hallterm.storage import events, sequences
from hallterm.storage import joint_reviews as store
from hallterm.storage import staff as staff_store
from hallterm.storage.joint_reviews import JointReviewRow

SERIES = "joint_review"


@dataclass(frozen=True)
class DepartmentOpinion:
    department: str
    opinion: Opinion | None  # None: not given yet
    text: str

    @property
    def opinion_name(self) -> str:
        return OPINION_NAMES[self.opinion] if self.opinion else "未出具意见"


@dataclass(frozen=True)
class JointReviewView:
    id: int
    case_id: int
    case_no: str
    holder_name: str
    item_names: tuple[str, ...]
    project_name: str
    number: str
    day: dt.date
    start: str
    place: str
    status: ReviewStatus
    conclusion: Conclusion | None
    outcome: str
    organiser: str  # the staff member's name
    departments: tuple[DepartmentOpinion, ...]
    message: str = ""

    @property
    def status_name(self) -> str:
        return REVIEW_STATUS_NAMES[self.status]

    @property
    def conclusion_name(self) -> str:
        return CONCLUSION_NAMES[self.conclusion] if self.conclusion else ""

    @property
    def invited(self) -> tuple[str, ...]:
        return tuple(d.department for d in self.departments)

    def as_json(self) -> dict[str, object]:
        return {"number": self.number, "day": self.day.isoformat(), "start": self.start, "place": self.place,
                "status": self.status.value, "conclusion": self.conclusion.value if self.conclusion else None,
                "outcome": self.outcome,
                "departments": [{"department": d.department, "opinion": d.opinion.value if d.opinion else None,
                                 "text": d.text} for d in self.departments]}


@lru_cache(maxsize=4)
def _read_departments(path: Path, _stamp: float) -> tuple[str, ...]:
    return parse_departments(path.read_text(encoding="utf-8"), str(path))


def department_catalog(svc: Services) -> tuple[str, ...]:
    """The departments a joint review may invite (assets/departments.toml; re-read when it changes)."""
    path = svc.settings.paths.assets_dir / DEPARTMENTS_FILE
    if not path.is_file():
        raise JointReviewError(f"找不到会商部门名录 {path}：请从程序自带的基础数据复制 {DEPARTMENTS_FILE}")
    return _read_departments(path, path.stat().st_mtime)


def _view(conn: Connection, row: JointReviewRow, message: str = "") -> JointReviewView:
    case = case_at(conn, row.case_id)
    assert case is not None
    names = staff_store.names(conn)
    departments = tuple(DepartmentOpinion(d.department, Opinion(d.opinion) if d.opinion else None, d.opinion_text)
                        for d in row.departments)
    return JointReviewView(row.id, row.case_id, case.case_no, case.holder_name, case.item_names, case.project_name,
                           row.number, row.day, row.start, row.place, ReviewStatus(row.status),
                           Conclusion(row.conclusion) if row.conclusion else None, row.outcome,
                           names.get(row.staff_id or "", row.staff_id or ""), departments, message)


def reviews_of_case(svc: Services, case_id: int) -> list[JointReviewView]:
    """The case's joint reviews, oldest first."""
    with svc.db.read() as conn:
        return [_view(conn, r) for r in store.of_case(conn, case_id)]


def schedule(svc: Services, session: StaffSession, case_id: int, *, day: dt.date, start: str, place: str,
             departments: list[str] | tuple[str, ...]) -> JointReviewView:
    """Schedule a joint consultation of the competent departments for a case (S8)."""
    session.require("joint_review")
    catalog = department_catalog(svc)
    local_now = svc.now().astimezone(svc.settings.hall.tz)
    now = svc.now()
    with svc.db.write() as conn:
        case = case_at(conn, case_id)
        if case is None:
            raise JointReviewError("办件不存在：请刷新后再试")
        plan = check_schedule(day, start, place, departments, local_now=local_now, catalog=catalog,
                              case_active=case.status in ACTIVE_STATUSES, case_no=case.case_no,
                              pending=store.pending_number(conn, case_id))
        year = svc.today().year
        number = minutes_number(year, sequences.next_value(conn, SERIES, dt.date(year, 1, 1)))
        review_id = store.insert_review(conn, plan.departments, case_id=case_id, number=number, day=plan.day,
                                        start=plan.start, place=plan.place, status=ReviewStatus.SCHEDULED.value,
                                        conclusion="", outcome="", staff_id=session.staff_id, created_at=now)
        events.append(conn, EventKind.JOINT_REVIEW_SCHEDULED, now, staff_id=session.staff_id, case_id=case_id,
                      review_id=review_id, number=number, day=plan.day.isoformat(), start=plan.start,
                      place=plan.place, departments=list(plan.departments))
        row = store.get(conn, review_id)
        assert row is not None
        return _view(conn, row, f"已安排会商 {number}：{plan.day:%Y-%m-%d} {plan.start} {plan.place}，"
                                f"邀请 {len(plan.departments)} 个部门")


def _locked(conn: Connection, review_id: int) -> JointReviewRow:
    row = store.get(conn, review_id, lock=True)
    if row is None:
        raise JointReviewError("会商记录不存在：请刷新后再试")
    return row


def record_opinion(svc: Services, session: StaffSession, review_id: int, department: str, opinion: Opinion,
                   text: str = "") -> JointReviewView:
    """A department's opinion (同意 / 有条件同意 / 不同意 and its words); given again, it replaces the first
    (both are in the events log)."""
    session.require("joint_review")
    now = svc.now()
    with svc.db.write() as conn:
        row = _locked(conn, review_id)
        words = check_opinion(ReviewStatus(row.status), row.number, department,
                              tuple(d.department for d in row.departments), opinion, text)
        before = next(d for d in row.departments if d.department == department)
        store.set_opinion(conn, review_id, department, opinion=opinion.value, text=words, at=now,
                          staff_id=session.staff_id)
        events.append(conn, EventKind.JOINT_REVIEW_OPINION, now, staff_id=session.staff_id, case_id=row.case_id,
                      review_id=review_id, number=row.number, department=department, opinion=opinion.value,
                      text=words, replaces=before.opinion or None)
        done = _locked(conn, review_id)
        return _view(conn, done, f"已记录 {department} 的意见：{OPINION_NAMES[opinion]}")


def record_outcome(svc: Services, session: StaffSession, review_id: int, conclusion: Conclusion,
                   text: str) -> JointReviewView:
    """The meeting's outcome (S8: the bureau records the departments' guidance and decides)."""
    session.require("joint_review")
    now = svc.now()
    with svc.db.write() as conn:
        row = _locked(conn, review_id)
        opinions = {d.department: Opinion(d.opinion) if d.opinion else None for d in row.departments}
        local = now.astimezone(svc.settings.hall.tz)
        words = check_outcome(ReviewStatus(row.status), row.number, row.day, row.start, local, opinions, conclusion,
                              text)
        if not store.conclude(conn, review_id, conclusion=conclusion.value, outcome=words, at=now,
                              staff_id=session.staff_id):
            raise JointReviewError(f"会商 {row.number} 刚刚已在其他终端记录结论：请刷新后查看")
        missing = [d for d, o in opinions.items() if o is None]
        events.append(conn, EventKind.JOINT_REVIEW_CONCLUDED, now, staff_id=session.staff_id, case_id=row.case_id,
                      review_id=review_id, number=row.number, conclusion=conclusion.value, outcome=words,
                      without_opinion=missing)
        done = _locked(conn, review_id)
        absent = f"（{'、'.join(missing)}未出具意见，纪要中注明）" if missing else ""
        return _view(conn, done, f"会商 {row.number} 结论：{CONCLUSION_NAMES[conclusion]}{absent}。按 F10 打印会商纪要")


def get_review(svc: Services, review_id: int) -> JointReviewView:
    with svc.db.read() as conn:
        row = store.get(conn, review_id)
        if row is None:
            raise JointReviewError("会商记录不存在：请刷新后再试")
        return _view(conn, row)


def minutes_of(view: JointReviewView, printed_on: dt.date) -> Minutes:
    """The record (会商纪要) of a joint review, as printed."""
    return Minutes(ISSUER, view.number, view.case_no, view.holder_name, "、".join(view.item_names), view.project_name,
                   f"{view.day.year}年{view.day.month}月{view.day.day}日 {view.start}", view.place, view.organiser,
                   tuple(MinutesOpinion(d.department, d.opinion_name, d.text) for d in view.departments),
                   view.conclusion_name, view.outcome, printed_on)


def print_minutes_of(svc: Services, session: StaffSession, review_id: int) -> PrintOutcome:
    """Print the record of a joint review that has its outcome (S8: the bureau records the guidance)."""
    session.require("joint_review")
    view = get_review(svc, review_id)
    if view.status is not ReviewStatus.CONCLUDED:
        raise JointReviewError(f"会商 {view.number} 尚未形成结论：记录结论后才能打印会商纪要")
    return print_minutes(svc, minutes_of(view, svc.today()), session=session, case_id=view.case_id)
