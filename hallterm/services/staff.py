"""Signing staff in and out, PINs, and the session every other use case is called with."""

from __future__ import annotations

from dataclasses import dataclass

from hallterm.domain.auth import (
    AuthError,
    after_failure,
    check_pin_format,
    hash_pin,
    looks_like_staff_id,
    require,
    verify_pin,
)
from hallterm.domain.events import EventKind
from hallterm.services.context import Services
from hallterm.services.who import actor
from hallterm.storage import events
from hallterm.storage import staff as accounts


@dataclass(frozen=True)
class StaffSession:
    staff_id: str
    name: str
    role: str
    section: str
    extension: str

    def require(self, action: str) -> None:
        require(self.role, action)


def sign_in(svc: Services, staff_id: str, pin: str) -> StaffSession:
    """Check the PIN; five wrong ones in a row lock the account (settings ``[auth]``)."""
    staff_id = staff_id.strip().upper()
    now = svc.now()
    refusal = ""
    with svc.db.write() as conn:
        row = accounts.account(conn, staff_id)
        if row is None or not row.active:
            if looks_like_staff_id(staff_id):
                events.append(conn, EventKind.SIGN_IN_REFUSED, now, staff_id=None, attempted=staff_id,
                              reason="unknown")
                refusal = f"工号 {staff_id} 不存在或已停用，请核对工号或工牌"
            else:  # a PIN typed in the wrong field stays out of the log for good, and off the screen (issue 16 p. 3)
                events.append(conn, EventKind.SIGN_IN_REFUSED, now, staff_id=None, typed="not_a_staff_id",
                              reason="unknown")
                refusal = "输入的不是工号（工号形如 S1401）：请核对工号或刷工牌；PIN 请输入在 PIN 一栏"
        elif row.locked_until is not None and row.locked_until > now:
            local = row.locked_until.astimezone(svc.settings.hall.tz)
            refusal = f"工号 {staff_id} 因多次输错 PIN 已锁定，请于 {local:%H:%M} 后再试或联系管理员"
        elif not row.pin_hash:
            refusal = f"工号 {staff_id} 尚未设置 PIN：请管理员运行 hallterm staff set-pin {staff_id}"
        elif not _well_formed(pin):
            # Letters or a scanner's burst in the PIN field can never be a PIN: no guess, no lock-out.
            refusal = "PIN 应为 4–8 位数字，请重新输入（本次不计入错误次数）"
        elif not verify_pin(pin, row.pin_hash):
            auth = svc.settings.auth
            lock = after_failure(row.failed_pins, now, auth.max_failures, auth.lockout_minutes)
            accounts.record_failures(conn, staff_id, lock.failures, lock.locked_until)
            if lock.locked_until is not None:
                events.append(conn, EventKind.ACCOUNT_LOCKED, now, staff_id=staff_id, minutes=auth.lockout_minutes)
                refusal = f"PIN 错误次数过多，工号 {staff_id} 已锁定 {auth.lockout_minutes} 分钟"
            else:
                events.append(conn, EventKind.SIGN_IN_REFUSED, now, staff_id=staff_id, reason="wrong_pin")
                refusal = f"PIN 不正确，还可再试 {auth.max_failures - lock.failures} 次"
        else:
            accounts.record_failures(conn, staff_id, 0, None)
            events.append(conn, EventKind.SIGNED_IN, now, staff_id=staff_id)
            return StaffSession(row.staff_id, row.name, row.role, row.section, row.extension)
    # Refused after the commit: the failure count and the event must survive the refusal.
    raise AuthError(refusal)


def _well_formed(pin: str) -> bool:
    try:
        check_pin_format(pin)
    except AuthError:
        return False
    return True


def sign_out(svc: Services, session: StaffSession) -> None:
    with svc.db.write() as conn:
        events.append(conn, EventKind.SIGNED_OUT, svc.now(), staff_id=session.staff_id)


def staff_name(svc: Services, staff_id: str) -> str | None:
    """The name of an active staff member, or None: asked before a PIN is typed for nobody."""
    with svc.db.read() as conn:
        return accounts.active_name(conn, staff_id.strip().upper())


def set_pin(svc: Services, staff_id: str, pin: str, *, by: str | None = None) -> None:
    """Set or reset a PIN (lifting a lock-out). ``by``: the signed-in staff member who does it; None at the
    command line, where the OS user is recorded (issue 15 point 6). Never the PIN in the event."""
    staff_id = staff_id.strip().upper()
    digest = hash_pin(pin)  # raises AuthError for a PIN that is not 4–8 digits
    with svc.db.write() as conn:
        if not accounts.set_pin_hash(conn, staff_id, digest):
            raise AuthError(f"工号 {staff_id} 不存在：请先在 assets/staff.toml 中添加并运行 hallterm reference load")
        events.append(conn, EventKind.PIN_SET, svc.now(), target=staff_id, **actor(by))


def authorise(session: StaffSession, action: str) -> None:
    """The services check the role as well as the screen (issue 3)."""
    session.require(action)


__all__ = ["AuthError", "StaffSession", "authorise", "set_pin", "sign_in", "sign_out"]
