"""Joint review (特事特办、一事一议, S8): a complex case gets a joint consultation (会商) of the competent
departments; each department's opinion and the outcome are recorded, and the record (会商纪要) printed.

Pure rules: the clock, the case's state and the department catalog are passed in.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from enum import StrEnum

from hallterm.domain.consultations import clean
from hallterm.domain.errors import Refused


class JointReviewError(Refused, ValueError):
    """A joint review that cannot be scheduled, recorded or printed; ``str()`` says why and what to do."""


class Opinion(StrEnum):
    AGREE = "agree"
    CONDITIONAL = "conditional"
    DISAGREE = "disagree"


OPINION_NAMES = {Opinion.AGREE: "同意", Opinion.CONDITIONAL: "有条件同意", Opinion.DISAGREE: "不同意"}


class Conclusion(StrEnum):
    APPROVED = "approved"
    CONDITIONAL = "conditional"
    REJECTED = "rejected"
    DEFERRED = "deferred"  # 另行会商: no decision, another meeting


CONCLUSION_NAMES = {Conclusion.APPROVED: "同意办理", Conclusion.CONDITIONAL: "有条件同意办理",
                    Conclusion.REJECTED: "不予同意", Conclusion.DEFERRED: "另行会商"}


class ReviewStatus(StrEnum):
    SCHEDULED = "scheduled"
    CONCLUDED = "concluded"


REVIEW_STATUS_NAMES = {ReviewStatus.SCHEDULED: "已安排", ReviewStatus.CONCLUDED: "已形成结论"}

MAX_PLACE = 100
MAX_TEXT = 1000
MAX_DEPARTMENTS = 20


def minutes_number(year: int, seq: int) -> str:
    """The record's number, one yearly series: 会商〔2026〕第0001号."""
    return f"会商〔{year}〕第{seq:04d}号"


def parse_time(text: str) -> str:
    """09:30, 9:30, 0930 and 9：30 are the same start time."""
    value = text.strip().replace("：", ":")
    if value.isascii() and value.isdigit() and len(value) in (3, 4):
        value = f"{value[:-2]}:{value[-2:]}"
    hour, sep, minute = value.partition(":")
    if sep and hour.isascii() and hour.isdigit() and minute.isascii() and minute.isdigit() and len(minute) == 2 \
            and 0 <= int(hour) < 24 and 0 <= int(minute) < 60:
        return f"{int(hour):02d}:{minute}"
    raise JointReviewError(f"会商时间 {text.strip()!r} 应写成 HH:MM，例如 14:30")


def parse_day(text: str) -> dt.date:
    value = text.strip().replace("/", "-")
    try:
        if value.isascii() and value.isdigit() and len(value) == 8:
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        return dt.date.fromisoformat(value)
    except ValueError:
        raise JointReviewError(f"会商日期 {text.strip()!r} 应写成 2026-12-08") from None


@dataclass(frozen=True)
class Schedule:
    day: dt.date
    start: str  # HH:MM, hall-local
    place: str
    departments: tuple[str, ...]


def check_schedule(day: dt.date, start: str, place: str, departments: list[str] | tuple[str, ...], *,
                   local_now: dt.datetime, catalog: tuple[str, ...], case_active: bool, case_no: str,
                   pending: str) -> Schedule:
    """A meeting that can be held, or JointReviewError naming every problem (S8).

    ``pending`` is the number of the case's meeting still without an outcome ("" when none): one
    meeting at a time, so opinions never go to the wrong one."""
    if not case_active:
        raise JointReviewError(f"办件 {case_no} 已办结，不能再安排会商")
    if pending:
        raise JointReviewError(f"办件 {case_no} 已安排会商 {pending}，尚未形成结论：请先记录结论，再安排下一次")
    problems: list[str] = []
    time = parse_time(start)
    if dt.datetime.combine(day, dt.time.fromisoformat(time)) < local_now.replace(tzinfo=None, second=0,
                                                                                 microsecond=0):
        problems.append(f"会商时间 {day:%Y-%m-%d} {time} 已经过去：请选以后的时间")
    elif (day - local_now.date()).days > 366:
        problems.append(f"会商日期 {day:%Y-%m-%d} 超过一年：请核对年份")
    where = clean(place)
    if not where:
        problems.append("请填写会商地点（例如：二楼业务洽谈室）")
    elif len(where) > MAX_PLACE:
        problems.append(f"会商地点最多 {MAX_PLACE} 个字")
    chosen = tuple(dict.fromkeys(d.strip() for d in departments if d.strip()))
    unknown = [d for d in chosen if d not in catalog]
    if not chosen:
        problems.append("请勾选至少一个受邀部门（S8：集中会商、联合审查）")
    elif unknown:
        problems.append(f"{'、'.join(unknown)} 不在会商部门名录中（assets/departments.toml）")
    elif len(chosen) > MAX_DEPARTMENTS:
        problems.append(f"一次会商最多邀请 {MAX_DEPARTMENTS} 个部门")
    if problems:
        raise JointReviewError("；".join(problems))
    return Schedule(day, time, where, chosen)


def check_opinion(status: ReviewStatus, number: str, department: str, invited: tuple[str, ...],
                  opinion: Opinion, text: str) -> str:
    """The opinion's text, cleaned, or JointReviewError: conditions and objections must be written down."""
    if status is ReviewStatus.CONCLUDED:
        raise JointReviewError(f"会商 {number} 已形成结论，不能再改意见：如需再议，请另行安排会商")
    if department not in invited:
        raise JointReviewError(f"{department} 未受邀参加会商 {number}：受邀部门为 {'、'.join(invited)}")
    words = clean(text)
    if opinion is not Opinion.AGREE and not words:
        what = "所附条件" if opinion is Opinion.CONDITIONAL else "不同意的理由"
        raise JointReviewError(f"{department}{OPINION_NAMES[opinion]}：请写明{what}")
    if len(words) > MAX_TEXT:
        raise JointReviewError(f"意见最多 {MAX_TEXT} 个字，现在 {len(words)} 个")
    return words


def check_outcome(status: ReviewStatus, number: str, day: dt.date, start: str, now: dt.datetime,
                  opinions: dict[str, Opinion | None], conclusion: Conclusion, text: str) -> str:
    """The outcome's text, cleaned, or JointReviewError (S8: the bureau decides after the departments speak).
    ``now``: the hall's local time, naive or aware; the meeting must have begun."""
    if status is ReviewStatus.CONCLUDED:
        raise JointReviewError(f"会商 {number} 已形成结论，不能再改：如需再议，请另行安排会商")
    if (now.date(), f"{now:%H:%M}") < (day, start):
        raise JointReviewError(f"会商 {number} 定于 {day:%Y-%m-%d} {start} 举行，开会后才能记录结论")
    given = {d: o for d, o in opinions.items() if o is not None}
    if not given:
        raise JointReviewError("还没有任何部门的意见：请先按部门记录意见，再记录结论")
    against = [d for d, o in given.items() if o is Opinion.DISAGREE]
    if conclusion is Conclusion.APPROVED and against:
        raise JointReviewError(f"{'、'.join(against)}不同意，结论不能是“同意办理”：可选有条件同意办理、不予同意或"
                               "另行会商，或先更正该部门的意见")
    words = clean(text)
    if not words:
        raise JointReviewError("请写明会商结论的内容（纪要将载明）")
    if len(words) > MAX_TEXT:
        raise JointReviewError(f"结论最多 {MAX_TEXT} 个字，现在 {len(words)} 个")
    return words


def parse_departments(text: str, source: str = "departments.toml") -> tuple[str, ...]:
    """The department catalog: ``departments = ["市发展和改革委员会", …]``, each once, none blank."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise JointReviewError(f"{source} 格式错误：{exc}") from None
    names = data.get("departments")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise JointReviewError(f"{source}：departments 应为非空的部门名称列表")
    cleaned = [n.strip() for n in names]
    if len(set(cleaned)) != len(cleaned):
        raise JointReviewError(f"{source}：部门名称有重复")
    return tuple(cleaned)
