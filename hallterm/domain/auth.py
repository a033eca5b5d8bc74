"""Staff PINs (salted scrypt), lock-out after repeated failures, and what each role may do."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import os
import re
from dataclasses import dataclass

from hallterm.domain.errors import Refused

# scrypt cost: ~50 ms here; a PIN is short, so the hash must be slow to guess offline.
_N, _R, _P = 2**14, 8, 1

# Issue 16 point 5: even slow, a 4-digit PIN falls in minutes to a stolen database. A secret pepper kept
# outside the database (beside the signing key) is mixed into every new hash: the database alone gives
# nothing to guess against. Its id (a digest of it, never the pepper) is written into the hash, so that a
# computer with another pepper says so instead of counting a right PIN as wrong. Hashes made before the
# pepper (``scrypt$…``) still verify, and are made again with the pepper at the next sign-in.
_PEPPERED = "scrypt-pepper"
SHORTEST_PIN = 4  # the shortest PIN any setting allows (and the demo's 1234)
LONGEST_PIN = 8


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
    if not (pin.isascii() and pin.isdigit() and SHORTEST_PIN <= len(pin) <= LONGEST_PIN):
        raise AuthError("PIN 应为 4–8 位数字")


def is_trivial(pin: str) -> bool:
    """0000, 1234, 9876, 7890, 1212, 123123: one digit, a run up or down, or a short block repeated."""
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if len(steps) == 1 and steps <= {0, 1, 9}:
        return True
    return any(len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size) for size in range(1, len(pin) // 2 + 1))


def check_new_pin(pin: str, *, min_length: int, demo: bool = False) -> None:
    """A PIN being set: 4–8 digits, at least ``min_length`` (setting ``auth.min_pin_length``), and not one
    a guesser tries first. The demo (whose database is never the hall's) keeps its 1234."""
    check_pin_format(pin)
    if demo:
        return
    if len(pin) < min_length:
        raise AuthError(f"PIN 至少 {min_length} 位数字（本大厅设置 auth.min_pin_length），请换一个更长的 PIN")
    if is_trivial(pin):
        raise AuthError("PIN 过于简单（如 1234、0000、重复或连续的数字），容易被猜中：请换一个不易猜到的 PIN")


def pepper_id(pepper: bytes) -> str:
    """A short name of a pepper, written into the hashes made with it (it tells nothing of the pepper)."""
    digest = hmac.new(pepper, b"hallterm pin pepper id", hashlib.sha256).digest()
    return base64.b32encode(digest[:5]).decode()


def _secret(pin: str, pepper: bytes | None) -> bytes:
    return pin.encode() if pepper is None else hmac.new(pepper, pin.encode(), hashlib.sha256).digest()


def hash_pin(pin: str, salt: bytes | None = None, *, pepper: bytes | None = None) -> str:
    """The salted scrypt hash of a PIN, with the pepper mixed in when one is given (the services always do)."""
    check_pin_format(pin)
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(_secret(pin, pepper), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    enc = base64.b64encode
    body = f"{_N}${_R}${_P}${enc(salt).decode()}${enc(digest).decode()}"
    return f"scrypt${body}" if pepper is None else f"{_PEPPERED}${pepper_id(pepper)}${body}"


def hash_pepper(stored: str) -> str | None:
    """The id of the pepper a stored hash was made with; None for a hash made before the pepper."""
    kind, _, rest = stored.partition("$")
    return rest.partition("$")[0] if kind == _PEPPERED else None


def verify_pin(pin: str, stored: str, pepper: bytes | None = None) -> bool:
    """Whether ``pin`` is the PIN of ``stored``; a peppered hash needs the pepper it was made with."""
    try:
        kind, _, rest = stored.partition("$")
        if kind == _PEPPERED:
            made_with, _, rest = rest.partition("$")
            if pepper is None or made_with != pepper_id(pepper):
                return False
        elif kind == "scrypt":
            pepper = None
        else:
            return False
        n, r, p, salt, digest = rest.split("$")
        got = hashlib.scrypt(_secret(pin, pepper), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def spend_like_a_check(pin: str) -> None:
    """As long as checking a PIN: a staff ID that does not exist must not answer faster (issue 16 point 8)."""
    hashlib.scrypt(pin.encode(), salt=b"\0" * 16, n=_N, r=_R, p=_P, dklen=32)


# Issue 16 point 8: repeated lock-outs lengthen. ``failed_pins`` counts every wrong PIN since the last
# sign-in, unlock or PIN reset, so the n-th lock-out is failures // max_failures: the first for
# ``lockout_minutes``, the next ones for ``repeat_lockout_minutes``, and from ``supervisor_unlock_after``
# on until a supervisor unlocks (``hallterm staff unlock``), stored as a lock to a far year.
UNTIL_UNLOCKED = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    first_minutes: int = 15
    repeat_minutes: int = 60
    supervisor_after: int = 3  # this lock-out and the later ones last until unlocked (0: never)


@dataclass(frozen=True)
class Lockout:
    failures: int
    locked_until: dt.datetime | None
    number: int = 0  # which lock-out this failure started (1, 2, 3…); 0: none
    minutes: int | None = None  # how long it lasts; None also when it lasts until a supervisor unlocks


def until_unlocked(locked_until: dt.datetime) -> bool:
    return locked_until >= UNTIL_UNLOCKED


def after_failure(failures: int, now: dt.datetime, policy: LockoutPolicy) -> Lockout:
    failures += 1
    if failures % policy.max_failures:
        return Lockout(failures, None)
    number = failures // policy.max_failures
    if policy.supervisor_after and number >= policy.supervisor_after:
        return Lockout(failures, UNTIL_UNLOCKED, number)
    minutes = policy.first_minutes if number == 1 else policy.repeat_minutes
    return Lockout(failures, now + dt.timedelta(minutes=minutes), number, minutes)


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
    # Every signed-in role prints what its own screen makes; a system actor only when granted (issue 16)
    "print": frozenset({"desk", "after_hours", "coordinator", "proxy", "supervisor", "admin"}),
    "reprint": frozenset({"desk", "after_hours", "coordinator", "proxy", "supervisor", "admin"}),
    # issue 16 point 12: deleting personal data past its keeping period (the sweep, or an administrator)
    "purge": frozenset({"admin"}),
    # issue 16 point 8: the lock-out that lasts until lifted is lifted by a supervisor (or at the command line)
    "unlock_account": frozenset({"supervisor", "admin"}),
}

ACTION_NAMES = {"scan": "扫码查询", "open_case": "开办件", "override_card": "特批放行", "reassign": "改派",
                "mark_met": "标记已接待", "end_visit": "结束洽谈", "view_history": "查看办件记录",
                "issue_ticket": "取号", "call_ticket": "叫号", "checklist": "核对材料和受理",
                "book_appointment": "预约、改期或取消预约", "acknowledge_handover": "确认交接单",
                "consult": "记录提前介入咨询", "joint_review": "组织会商",
                "proxy_tasks": "办理代办任务",
                "item_progress": "推进事项办理", "hand_out": "在发证窗口发放", "supervise": "查看督查考核",
                "print": "打印", "reprint": "补打",
                "purge": "删除过期个人信息",
                "unlock_account": "解除账号锁定"}


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
