"""The administrative acts, newest first, as the log shows them (issue 15 point 6).

Every administrative act — roster import, reference load, PIN set, supervisor override, a change of the
rule settings, backup, restore, copy — is an event with who and when. Most name no case, so no case
history shows them: this is where they are read (``hallterm db log``). Who is the staff member
(name and ID) at a signed-in screen, else the OS user and host of the command line; what is told from
the event's details, in Chinese, never a PIN or a holder's personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hallterm.domain.events import EventKind, event_label
from hallterm.services.context import Services
from hallterm.services.rule_settings import describe
from hallterm.storage import events
from hallterm.storage import staff as staff_store

ADMIN_KINDS = (
    EventKind.ROSTER_IMPORTED,
    EventKind.REFERENCE_LOADED,
    EventKind.PIN_SET,
    EventKind.ACCOUNT_LOCKED,  # issue 16 point 8: each lock-out, for the supervisor to see
    EventKind.ACCOUNT_UNLOCKED,
    EventKind.CARD_OVERRIDE,
    EventKind.RULE_SETTINGS_CHANGED,
    EventKind.DATABASE_BACKED_UP,
    EventKind.DATABASE_RESTORED,
    EventKind.DATABASE_COPIED,
)

_VERDICTS = {"expired": "已过期", "revoked": "已注销", "not_yet_valid": "未生效", "not_eligible": "类别不适用",
             "unknown": "名册中没有"}


@dataclass(frozen=True)
class AdminAct:
    id: int
    at: dt.datetime  # the hall's local time
    kind: str
    label: str
    who: str
    what: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "kind": self.kind, "label": self.label, "who": self.who,
                "what": self.what}


def admin_log(svc: Services, *, limit: int = 100) -> list[AdminAct]:
    tz = svc.settings.hall.tz
    with svc.db.read() as conn:
        found = events.of_kinds(conn, ADMIN_KINDS, limit=limit)
        people = staff_store.names(conn)
    return [AdminAct(e.id, e.at.astimezone(tz), e.kind, event_label(e.kind), _who(e, people),
                     what(e.kind, {**e.details, "account": e.staff_id or ""}))
            for e in found]


def _who(event: events.Event, people: dict[str, str]) -> str:
    if event.kind == EventKind.ACCOUNT_LOCKED:
        return "（自动：连续输错 PIN）"  # the account locked is in "what": whoever typed is not known
    if event.staff_id:
        return f"{people.get(event.staff_id, '')}（{event.staff_id}）"
    by, host = event.details.get("by"), event.details.get("host")
    if by:
        return f"系统用户 {by}" + (f"@{host}" if host else "")
    return "（未记录）"  # an act recorded before issue 15 said who


def what(kind: str, d: dict[str, Any]) -> str:
    """The act's details in a line of Chinese."""
    if kind == EventKind.ROSTER_IMPORTED:
        rows = d.get("rows", d.get("inserted", 0) + d.get("updated", 0))
        return f"名册 {d.get('file', '')}（{d.get('encoding', '')}）：{rows} 人，新增 {d.get('inserted', 0)}，" \
               f"更新 {d.get('updated', 0)}"
    if kind == EventKind.REFERENCE_LOADED:
        changed = d.get("changed_files")
        which = "" if changed is None else f"；与上次载入相比改动：{'、'.join(changed) or '无'}"
        return f"业务洽谈室 {d.get('lounges', 0)} 间，人员 {d.get('staff', 0)} 名，事项 {d.get('items', 0)} 项{which}"
    if kind == EventKind.PIN_SET:
        return f"工号 {d.get('target', '')} 的 PIN（并解除锁定）"
    if kind == EventKind.ACCOUNT_LOCKED:
        return _locked(d)
    if kind == EventKind.ACCOUNT_UNLOCKED:
        return f"解除工号 {d.get('target', '')} 的锁定"
    if kind == EventKind.CARD_OVERRIDE:
        verdict = _VERDICTS.get(str(d.get("verdict", "")), str(d.get("verdict", "")))
        return f"放行{verdict}的卡，理由：{d.get('reason', '')}"
    if kind == EventKind.RULE_SETTINGS_CHANGED:
        return _rule_change(d)
    if kind == EventKind.DATABASE_BACKED_UP:
        return f"备份到 {d.get('file', '')}，{d.get('rows', 0)} 行"
    if kind == EventKind.DATABASE_RESTORED:
        return f"从备份 {d.get('file', '')}（{d.get('taken_at', '')}）恢复，{d.get('rows', 0)} 行"
    if kind == EventKind.DATABASE_COPIED:
        return f"从 {d.get('source', '')} 复制，{d.get('rows', 0)} 行"
    return ""


def _locked(d: dict[str, Any]) -> str:
    # ``staff_id`` is the event's column, not a detail: filled in by admin_log from the event itself.
    number = d.get("lockout")
    which = f"第 {number} 次" if number else ""
    if d.get("until_unlocked"):
        return f"工号 {d.get('account', '')} 连续输错 PIN，{which}锁定，须由督查解锁（hallterm staff unlock）"
    return f"工号 {d.get('account', '')} 连续输错 PIN，{which}锁定 {d.get('minutes', '')} 分钟"


def _rule_change(d: dict[str, Any]) -> str:
    program = d.get("program", "")
    if d.get("baseline"):
        return f"首次记录在用的规则设置 {len(d.get('values', {}))} 项（{program} 启动时）"
    changes = "；".join(f"{describe(name)}（{name}）：{_shown(old)} → {_shown(new)}"
                        for name, (old, new) in sorted(d.get("changed", {}).items()))
    return f"{program} 启动时：{changes}"


def _shown(value: Any) -> str:
    if value is None:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value) if value != "" else "（空）"
