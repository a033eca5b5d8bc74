"""Staff PINs (salted scrypt), lock-out after repeated failures, and what each role may do."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from hallterm.domain.errors import Refused

# scrypt cost: ~50 ms here; a PIN is short, so the hash must be slow to guess offline.
_N, _R, _P = 2**14, 8, 1


class AuthError(Refused):
    """Sign-in refused or an action not allowed; ``str()`` is the Chinese message."""


# What a staff ID looks like (S1401, GD-0001): a few letters, then digits. A PIN, a phone number or a
# resident ID number typed in the staff-ID field does not, and is never written to the append-only
# events log (issue 16 point 3; PIPL: collect only what is needed).
_STAFF_ID_SHAPE = re.compile(r"[A-Z]{1,4}[-_]?[0-9]{1,8}")


def looks_like_staff_id(text: str) -> bool:
    """``text`` (already stripped and upper-cased) has the shape of a staff ID."""
    return _STAFF_ID_SHAPE.fullmatch(text) is not None


def check_pin_format(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
        raise AuthError("PIN 应为 4–8 位数字")


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    check_pin_format(pin)
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    enc = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${enc(salt).decode()}${enc(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


@dataclass(frozen=True)
class Lockout:
    failures: int
    locked_until: dt.datetime | None


def after_failure(failures: int, now: dt.datetime, max_failures: int, minutes: int) -> Lockout:
    failures += 1
    if failures >= max_failures:
        return Lockout(0, now + dt.timedelta(minutes=minutes))
    return Lockout(failures, None)


ROLE_NAMES = {"desk": "前台", "coordinator": "协调员", "after_hours": "延时值班", "supervisor": "督查",
              "admin": "管理员", "proxy": "帮办代办"}

# Which roles may run which action. Services check this too, not only the screen (issue 3).
PERMISSIONS: dict[str, frozenset[str]] = {
    "scan": frozenset({"desk", "after_hours", "coordinator", "supervisor", "admin", "proxy"}),
    "open_case": frozenset({"desk", "after_hours", "supervisor", "admin"}),
    "override_card": frozenset({"supervisor", "admin"}),
    "reassign": frozenset({"desk", "after_hours", "coordinator", "supervisor", "admin"}),
    # after_hours: the duty roster may make the after-hours staff member the receiver (S6)
    "mark_met": frozenset({"coordinator", "proxy", "after_hours", "supervisor", "admin"}),
    "end_visit": frozenset({"coordinator", "proxy", "desk", "after_hours", "supervisor", "admin"}),
    "view_history": frozenset({"desk", "after_hours", "coordinator", "supervisor", "admin", "proxy"}),
    "checklist": frozenset({"desk", "after_hours", "coordinator", "proxy", "supervisor", "admin"}),
    "issue_ticket": frozenset({"desk", "after_hours", "supervisor", "admin"}),
    "call_ticket": frozenset({"desk", "after_hours", "supervisor", "admin"}),
    # S6 预约服务: at the counter, on the phone, or by a coordinator after an early consultation
    "book_appointment": frozenset({"desk", "after_hours", "coordinator", "supervisor", "admin"}),
    # S6: the day shift takes over what the evening or weekend left; the after-hours desk hands it over
    "acknowledge_handover": frozenset({"desk", "coordinator", "supervisor", "admin"}),
    # S5 提前介入: the desk and the coordinators log contacts before an application (issue 13)
    "consult": frozenset({"desk", "after_hours", "coordinator", "supervisor", "admin"}),
    # S8 特事特办、一事一议: the coordinators organise the joint review of a case (issue 13)
    "joint_review": frozenset({"coordinator", "supervisor", "admin"}),
    # S3 全程代办: the desk or coordinator adds a case's proxy tasks, the 帮办代办 staff run them
    "proxy_tasks": frozenset({"desk", "coordinator", "proxy", "supervisor", "admin"}),
    # issue 13: the coordinator organises the approval sections (S9) and moves each item on
    "item_progress": frozenset({"coordinator", "supervisor", "admin"}),
    # S9: staff at the 统一发证窗口 use the ordinary desk
    "hand_out": frozenset({"desk", "after_hours", "supervisor", "admin"}),
    # S10: the hall's figures, scored in the city's assessment, are the supervisors' to watch (issue 14)
    "supervise": frozenset({"supervisor", "admin"}),
}

ACTION_NAMES = {"scan": "扫码查询", "open_case": "开办件", "override_card": "特批放行", "reassign": "改派",
                "mark_met": "标记已接待", "end_visit": "结束洽谈", "view_history": "查看办件记录",
                "issue_ticket": "取号", "call_ticket": "叫号", "checklist": "核对材料和受理",
                "book_appointment": "预约、改期或取消预约", "acknowledge_handover": "确认交接单",
                "consult": "记录提前介入咨询", "joint_review": "组织会商",
                "proxy_tasks": "办理代办任务",
                "item_progress": "推进事项办理", "hand_out": "在发证窗口发放", "supervise": "查看督查考核"}


def allowed(role: str, action: str) -> bool:
    return role in PERMISSIONS.get(action, frozenset())


def who_may(action: str) -> str:
    """The roles that may run ``action``, in Chinese, as a clerk would read them (督查、管理员)."""
    return "、".join(name for role, name in ROLE_NAMES.items() if allowed(role, action))


def not_allowed(role: str, action: str) -> str:
    """The one line a key says when this role may not run its action, and who may."""
    return f"{ROLE_NAMES.get(role, role)}账号不能{ACTION_NAMES.get(action, action)}：须由{who_may(action)}办理"


def require(role: str, action: str) -> None:
    if not allowed(role, action):
        raise AuthError(f"{ROLE_NAMES.get(role, role)}无权{ACTION_NAMES.get(action, action)}，请联系督查或管理员")
