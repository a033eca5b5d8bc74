"""Proxy tasks (全程代办, S3): what the 帮办代办 staff run for a case, their states and due dates.

S3: for a startup project, on the applicant's request, the proxy department runs every market-access
and investment approval, helps with approvals above city level, and with the water, power and gas
connections (research/domain.md §7.6 adds heating: 水电气热报装). Each of these is one task of a
case with an owner, a state, a due date in working days and notes (S10: who holds what, what is late).

Utility connections are services, not permits: no statute sets their clock (domain.md §7.6), so the
days each kind is given are the hall's own targets, in the settings (``[proxy]``, config.py).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from hallterm.domain.errors import Refused
from hallterm.domain.workdays import WorkCalendar

NOTE_MAX = 500  # characters of one note (the column is String(500))
REASON_MAX = 200


class ProxyTaskError(Refused, ValueError):
    """A step on a proxy task that cannot stand; ``str()`` says why and what to do, in Chinese."""


class ProxyTaskKind(StrEnum):
    MARKET_ACCESS = "market_access"  # 市场准入和投资审批 (S3)
    ABOVE_CITY = "above_city"  # 市级以上审批: forwarded to the province or the State (转报, S3)
    WATER = "water"  # 供水报装 (S3, domain.md §7.6)
    POWER = "power"  # 供电报装
    GAS = "gas"  # 供气报装
    HEATING = "heating"  # 供热报装 (domain.md §7.6: 水电气热)


KIND_NAMES = {
    ProxyTaskKind.MARKET_ACCESS: "市场准入和投资审批",
    ProxyTaskKind.ABOVE_CITY: "市级以上审批",
    ProxyTaskKind.WATER: "供水报装",
    ProxyTaskKind.POWER: "供电报装",
    ProxyTaskKind.GAS: "供气报装",
    ProxyTaskKind.HEATING: "供热报装",
}
UTILITY_KINDS = (ProxyTaskKind.WATER, ProxyTaskKind.POWER, ProxyTaskKind.GAS, ProxyTaskKind.HEATING)


class ProxyTaskState(StrEnum):
    PENDING = "pending"  # 待办: added, nobody has started
    IN_PROGRESS = "in_progress"  # 办理中
    DONE = "done"  # 已办结
    CANCELLED = "cancelled"  # 已撤销, with a reason (the applicant no longer needs it, added by mistake)


STATE_NAMES = {
    ProxyTaskState.PENDING: "待办",
    ProxyTaskState.IN_PROGRESS: "办理中",
    ProxyTaskState.DONE: "已办结",
    ProxyTaskState.CANCELLED: "已撤销",
}
OPEN_STATES = (ProxyTaskState.PENDING, ProxyTaskState.IN_PROGRESS)

# The only steps there are; everything else is refused with a reason (``check_move``).
TRANSITIONS: dict[ProxyTaskState, frozenset[ProxyTaskState]] = {
    ProxyTaskState.PENDING: frozenset({ProxyTaskState.IN_PROGRESS, ProxyTaskState.CANCELLED}),
    ProxyTaskState.IN_PROGRESS: frozenset({ProxyTaskState.DONE, ProxyTaskState.CANCELLED}),
    ProxyTaskState.DONE: frozenset(),
    ProxyTaskState.CANCELLED: frozenset(),
}


def next_state(state: ProxyTaskState) -> ProxyTaskState | None:
    """The step a task takes when moved on (待办 → 办理中 → 已办结); None when it is finished."""
    return {ProxyTaskState.PENDING: ProxyTaskState.IN_PROGRESS,
            ProxyTaskState.IN_PROGRESS: ProxyTaskState.DONE}.get(state)


def check_move(kind: ProxyTaskKind, current: ProxyTaskState, target: ProxyTaskState, reason: str = "") -> str:
    """Refuse a step that is not allowed; return the reason, cleaned (required to cancel)."""
    name = KIND_NAMES[kind]
    if current is target:
        raise ProxyTaskError(f"{name}已是“{STATE_NAMES[current]}”，无需再改")
    if current is ProxyTaskState.DONE:
        raise ProxyTaskError(f"{name}已办结，不能再改为“{STATE_NAMES[target]}”；如需再办请新增一项任务")
    if current is ProxyTaskState.CANCELLED:
        raise ProxyTaskError(f"{name}已撤销，不能再改为“{STATE_NAMES[target]}”；如需再办请新增一项任务")
    if target not in TRANSITIONS[current]:
        if target is ProxyTaskState.DONE:
            raise ProxyTaskError(f"{name}尚未开始办理，不能直接办结：请先改为“办理中”")
        raise ProxyTaskError(f"{name}不能从“{STATE_NAMES[current]}”改为“{STATE_NAMES[target]}”")
    cleaned = clean_text(reason)
    if target is ProxyTaskState.CANCELLED and not cleaned:
        raise ProxyTaskError(f"撤销{name}须填写理由（如：申请人不再需要、误加）")
    if len(cleaned) > REASON_MAX:
        raise ProxyTaskError(f"理由最多 {REASON_MAX} 字，现在 {len(cleaned)} 字：请精简")
    return cleaned


def clean_text(text: str) -> str:
    """A note or reason as it may be stored and shown: no control characters (a pasted escape sequence
    must never reach a terminal), line breaks as spaces, trimmed."""
    kept = []
    for ch in text:
        if ch in "\r\n\t":
            kept.append(" ")
        elif unicodedata.category(ch) not in {"Cc", "Cf"}:
            kept.append(ch)
    return "".join(kept).strip()


def check_note(text: str) -> str:
    """The note, cleaned; refused when empty or too long."""
    cleaned = clean_text(text)
    if not cleaned:
        raise ProxyTaskError("备注不能为空：请写下办理情况（如：已向供电公司提交申请）")
    if len(cleaned) > NOTE_MAX:
        raise ProxyTaskError(f"备注最多 {NOTE_MAX} 字，现在 {len(cleaned)} 字：请分成两条")
    return cleaned


def check_new_kinds(requested: Iterable[ProxyTaskKind],
                    existing: Mapping[ProxyTaskKind, ProxyTaskState]) -> tuple[ProxyTaskKind, ...]:
    """The kinds to add, in the catalogue's order; refused when none, or one is already open or done
    for the case (a cancelled one may be added again)."""
    kinds = tuple(k for k in ProxyTaskKind if k in set(requested))
    if not kinds:
        raise ProxyTaskError("请至少勾选一项代办任务（空格勾选，回车确认）")
    taken = [k for k in kinds if existing.get(k) in (*OPEN_STATES, ProxyTaskState.DONE)]
    if taken:
        names = "、".join(f"{KIND_NAMES[k]}（{STATE_NAMES[existing[k]]}）" for k in taken)
        raise ProxyTaskError(f"本办件已有代办任务：{names}；请取消勾选这些项")
    return kinds


@dataclass(frozen=True)
class CaseItemScope:
    """What the suggestion reads of one item of the case."""

    jurisdiction: str  # the catalog's: enterprise_kind | city | proxy
    clock_exempt: tuple[str, ...] = ()  # special procedures; REFER_UP means it goes to a higher authority


def suggest_kinds(items: Iterable[CaseItemScope]) -> tuple[ProxyTaskKind, ...]:
    """Which tasks a 全程代办 case probably needs (S3); the proxy or coordinator confirms, nothing is
    created from this alone. Approval items → market access; an item forwarded upward (转报上级) →
    above city level; the utilities item (水电气报装) → water, power and gas. Heating is offered but
    never guessed: only the applicant knows whether the premises need a heating connection."""
    out: set[ProxyTaskKind] = set()
    for item in items:
        if item.jurisdiction == "proxy":
            out.update({ProxyTaskKind.WATER, ProxyTaskKind.POWER, ProxyTaskKind.GAS})
        else:
            out.add(ProxyTaskKind.MARKET_ACCESS)
        if "REFER_UP" in item.clock_exempt:
            out.add(ProxyTaskKind.ABOVE_CITY)
    return tuple(k for k in ProxyTaskKind if k in out)


def task_due(cal: WorkCalendar, added_on: dt.date, days: int) -> tuple[dt.date, bool]:
    """The ``days``-th working day after the day the task was added (that day not counted), and whether
    the count ran past the holiday data (估算)."""
    if days < 0:
        raise ProxyTaskError(f"代办期限不能为负数：{days}")
    return cal.add_working_days_estimated(added_on, days)


def working_days_late(cal: WorkCalendar, due_on: dt.date, today: dt.date, state: ProxyTaskState) -> int:
    """Working days past the due date of a task still open (0 when not late or finished)."""
    if state not in OPEN_STATES or today <= due_on:
        return 0
    return max(cal.working_days_between_estimated(due_on, today)[0], 0)
