"""Signing staff in and out, PINs, and the session every other use case is called with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection

from hallterm.domain.auth import (
    ACTION_NAMES,
    AuthError,
    LockoutPolicy,
    after_failure,
    check_new_pin,
    check_pin_format,
    hash_pepper,
    hash_pin,
    looks_like_staff_id,
    pepper_id,
    require,
    spend_like_a_check,
    until_unlocked,
    verify_pin,
)
from hallterm.domain.events import EventKind
from hallterm.services.context import Services
from hallterm.services.pin_pepper import load_pepper
from hallterm.services.who import actor, os_user
from hallterm.storage import events
from hallterm.storage import staff as accounts


@dataclass(frozen=True)
class StaffSession:
    staff_id: str
    name: str
    role: str
    section: str
    extension: str
    # A system actor's rights, named one by one; a person's come from the role (domain.auth.PERMISSIONS).
    grants: frozenset[str] = field(default=frozenset())

    def require(self, action: str) -> None:
        if self.role == SYSTEM_ROLE:
            if action not in self.grants:
                raise AuthError(f"系统任务“{self.name}”无权{ACTION_NAMES.get(action, action)}：须由工作人员登录后办理")
            return
        require(self.role, action)

    @property
    def is_system(self) -> bool:
        return self.role == SYSTEM_ROLE


# Callers that are not a person (the nightly sweep, the demo builder, the bench) act as a system actor:
# its staff ID ``system:<task>`` can never be a real one (staff IDs are upper case letters and digits), so
# the events log records the act as the system's, and it holds only the rights its task needs (issue 16).
SYSTEM_ROLE = "system"


def system_session(task: str, name: str, *actions: str) -> StaffSession:
    """The session of a task no person runs, allowed ``actions`` and nothing else."""
    unknown = [a for a in actions if a not in ACTION_NAMES]
    if unknown:
        raise ValueError(f"unknown actions {unknown}")
    return StaffSession(f"system:{task}", name, SYSTEM_ROLE, "", "", frozenset(actions))


def command_line_session(*actions: str) -> StaffSession:
    """A command run at the terminal by nobody signed in: the system actor ``system:cli:<OS user>`` (issue 15
    point 6 records the OS user for administrative acts; here it is the act's "who")."""
    user = os_user()
    return system_session(f"cli:{user}"[:25], f"命令行（{user}）", *actions)


def wrong_id_or_pin(max_failures: int) -> str:
    """The one refusal for an unknown staff ID and a wrong PIN alike (issue 16 point 8): which of the two
    was wrong is not said, so the screen tells a guesser no staff ID."""
    return f"工号或 PIN 不正确，请核对后重新输入（同一工号连续输错 {max_failures} 次将被锁定）"


def _lockout_policy(svc: Services) -> LockoutPolicy:
    a = svc.settings.auth
    return LockoutPolicy(a.max_failures, a.lockout_minutes, a.repeat_lockout_minutes, a.supervisor_unlock_after)


def sign_in(svc: Services, staff_id: str, pin: str) -> StaffSession:
    """Check the PIN; five wrong ones in a row lock the account, each lock-out since the last sign-in
    longer than the one before (settings ``[auth]``)."""
    staff_id = staff_id.strip().upper()
    if not _well_formed(pin):
        # Letters or a scanner's burst in the PIN field can never be a PIN: no guess, no lock-out; said before
        # the staff ID is looked up, so that it is said alike for a staff ID that does not exist.
        raise AuthError("PIN 应为 4–8 位数字，请重新输入（本次不计入错误次数）")
    now = svc.now()
    auth = svc.settings.auth
    refusal = ""
    with svc.db.write() as conn:
        row = accounts.account(conn, staff_id)
        if row is None or not row.active:
            if looks_like_staff_id(staff_id):
                events.append(conn, EventKind.SIGN_IN_REFUSED, now, staff_id=None, attempted=staff_id,
                              reason="unknown")
                spend_like_a_check(pin)  # and as long as a wrong PIN takes to be refused (issue 16 point 8)
                refusal = wrong_id_or_pin(auth.max_failures)
            else:  # a PIN typed in the wrong field stays out of the log for good, and off the screen (issue 16 p. 3)
                events.append(conn, EventKind.SIGN_IN_REFUSED, now, staff_id=None, typed="not_a_staff_id",
                              reason="unknown")
                refusal = "输入的不是工号（工号形如 S1401）：请核对工号或刷工牌；PIN 请输入在 PIN 一栏"
        elif row.locked_until is not None and row.locked_until > now:
            refusal = _still_locked(svc, staff_id, row.locked_until)
        elif not row.pin_hash:
            refusal = f"工号 {staff_id} 尚未设置 PIN：请管理员运行 hallterm staff set-pin {staff_id}"
        else:
            pepper = load_pepper(svc.settings)
            made_with = hash_pepper(row.pin_hash)
            if made_with is not None and made_with != pepper_id(pepper):
                # Not the PIN's fault: counting it would lock out everyone who signs in at this computer.
                events.append(conn, EventKind.SIGN_IN_REFUSED, now, staff_id=staff_id, reason="other_pepper")
                refusal = (f"本机的 PIN 密钥（{auth.pepper_path(svc.settings.signing).name}）与设置该 PIN 的电脑不同，"
                           "无法核对：请把大厅的 PIN 密钥文件复制到本机（或设置 HALLTERM_AUTH_PEPPER_SECRET），"
                           "或请管理员在本机重设 PIN")
            elif not verify_pin(pin, row.pin_hash, pepper):
                refusal = _wrong_pin(svc, conn, staff_id, row.failed_pins, now)
            else:
                accounts.record_failures(conn, staff_id, 0, None)
                if made_with is None:  # made before the pepper: made again with it now that the PIN is known
                    accounts.set_pin_hash(conn, staff_id, hash_pin(pin, pepper=pepper))
                events.append(conn, EventKind.SIGNED_IN, now, staff_id=staff_id)
                return StaffSession(row.staff_id, row.name, row.role, row.section, row.extension)
    # Refused after the commit: the failure count and the event must survive the refusal.
    raise AuthError(refusal)


def _wrong_pin(svc: Services, conn: Connection, staff_id: str, failures: int, now: dt.datetime) -> str:
    auth = svc.settings.auth
    lock = after_failure(failures, now, _lockout_policy(svc))
    accounts.record_failures(conn, staff_id, lock.failures, lock.locked_until)
    if lock.locked_until is None:
        events.append(conn, EventKind.SIGN_IN_REFUSED, now, staff_id=staff_id, reason="wrong_pin")
        return wrong_id_or_pin(auth.max_failures)
    # Each lock-out is an event the supervisor reads (``hallterm db log``): which one, and for how long.
    events.append(conn, EventKind.ACCOUNT_LOCKED, now, staff_id=staff_id, minutes=lock.minutes, lockout=lock.number,
                  until_unlocked=lock.minutes is None)
    if lock.minutes is None:
        return (f"PIN 错误次数过多，工号 {staff_id} 已第 {lock.number} 次被锁定，须由督查解锁"
                f"（hallterm staff unlock {staff_id}）")
    return f"PIN 错误次数过多，工号 {staff_id} 已锁定 {lock.minutes} 分钟（再次输错将锁定更久）"


def _still_locked(svc: Services, staff_id: str, locked_until: dt.datetime) -> str:
    if until_unlocked(locked_until):
        return f"工号 {staff_id} 因多次输错 PIN 已锁定，须由督查解锁（hallterm staff unlock {staff_id}）"
    local = locked_until.astimezone(svc.settings.hall.tz)
    return f"工号 {staff_id} 因多次输错 PIN 已锁定，请于 {local:%H:%M} 后再试或联系督查"


def _well_formed(pin: str) -> bool:
    try:
        check_pin_format(pin)
    except AuthError:
        return False
    return True


@dataclass(frozen=True)
class LockedAccount:
    staff_id: str
    name: str
    locked_until: dt.datetime

    @property
    def until_unlocked(self) -> bool:
        return until_unlocked(self.locked_until)


def locked_accounts(svc: Services, session: StaffSession) -> list[LockedAccount]:
    """The accounts locked now, for the supervisor who may lift them (issue 16 point 8)."""
    session.require("unlock_account")
    with svc.db.read() as conn:
        return [LockedAccount(a.staff_id, a.name, a.locked_until) for a in accounts.locked(conn, svc.now())
                if a.locked_until is not None]


def unlock(svc: Services, staff_id: str, *, session: StaffSession | None = None) -> bool:
    """Lift a lock-out (issue 16 point 8), recorded with who did it: the signed-in supervisor (``session``,
    whose role is checked), or at the command line the OS user. False when the account was not locked."""
    if session is not None:
        session.require("unlock_account")
    by = session.staff_id if session is not None else None
    staff_id = staff_id.strip().upper()
    now = svc.now()
    with svc.db.write() as conn:
        row = accounts.account(conn, staff_id)
        if row is None:
            raise AuthError(f"工号 {staff_id} 不存在：请核对工号")
        if row.locked_until is None or row.locked_until <= now:
            if row.failed_pins:  # a lock-out that ran out still counts towards the next: cleared too
                accounts.record_failures(conn, staff_id, 0, None)
            return False
        accounts.record_failures(conn, staff_id, 0, None)
        events.append(conn, EventKind.ACCOUNT_UNLOCKED, now, target=staff_id, **actor(by))
    return True


def sign_out(svc: Services, session: StaffSession) -> None:
    with svc.db.write() as conn:
        events.append(conn, EventKind.SIGNED_OUT, svc.now(), staff_id=session.staff_id)


def staff_name(svc: Services, staff_id: str) -> str | None:
    """The name of an active staff member, or None: asked before a PIN is typed for nobody."""
    with svc.db.read() as conn:
        return accounts.active_name(conn, staff_id.strip().upper())


def _required_length(svc: Services) -> int:
    """The shortest PIN that may be set (tests that only sign someone in keep 4 digits: conftest)."""
    return svc.settings.auth.min_pin_length


def set_pin(svc: Services, staff_id: str, pin: str, *, by: str | None = None, demo: bool = False) -> None:
    """Set or reset a PIN (lifting a lock-out). ``by``: the signed-in staff member who does it; None at the
    command line, where the OS user is recorded (issue 15 point 6). Never the PIN in the event.
    ``demo``: the demo database's 1234, exempt from the hall's PIN rules (issue 16 point 5)."""
    staff_id = staff_id.strip().upper()
    check_new_pin(pin, min_length=_required_length(svc), demo=demo)
    digest = hash_pin(pin, pepper=load_pepper(svc.settings))
    with svc.db.write() as conn:
        if not accounts.set_pin_hash(conn, staff_id, digest):
            raise AuthError(f"工号 {staff_id} 不存在：请先在 assets/staff.toml 中添加并运行 hallterm reference load")
        events.append(conn, EventKind.PIN_SET, svc.now(), target=staff_id, **actor(by))


def authorise(session: StaffSession, action: str) -> None:
    """The services check the role as well as the screen (issue 3)."""
    session.require(action)


__all__ = [
    "SYSTEM_ROLE",
    "AuthError",
    "LockedAccount",
    "StaffSession",
    "authorise",
    "command_line_session",
    "locked_accounts",
    "set_pin",
    "sign_in",
    "sign_out",
    "system_session",
    "unlock",
]
