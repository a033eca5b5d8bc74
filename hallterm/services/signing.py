"""The hall's signing key and the signed QR payloads of its slips (``HT1:<kind>:…``).

Every front-desk computer of the hall signs with the same key (the key file, or
``HALLTERM_SIGNING_SECRET``), so that a slip printed at one desk is accepted when scanned at another.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import secrets
import stat
from pathlib import Path

from hallterm.config import Settings, SigningSettings
from hallterm.domain import payloads
from hallterm.domain.payloads import Keyring
from hallterm.services.context import Services

KEY_FILE_HEADER = ("# hallterm: keys that sign the QR codes of slips, one \"<key id> <secret>\" per line.\n"
                   "# Keep this file secret (mode 0600) and never commit it; every front-desk computer of the\n"
                   "# hall needs the same file (or HALLTERM_SIGNING_SECRET). Keep retired keys while their\n"
                   "# slips may still be scanned.\n")


class SigningKeyError(Exception):
    """The signing key cannot be read or created; ``str()`` is the Chinese message."""


# --- the signing key -------------------------------------------------------------------------------


def _parse_key_file(text: str) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.lstrip().startswith("#") and parts[0] not in found:
            found[parts[0]] = parts[1].encode("utf-8")
    return found


def refuse_if_others_can_read(path: Path, what: str, error: type[Exception]) -> None:
    """Raise ``error`` when a secret file's group or other users have any access to it, saying the command
    that fixes it (issue 16 point 5): a key others can read lets them sign slips the desk accepts."""
    loose = stat.S_IMODE(path.stat().st_mode) & 0o077
    if loose:
        raise error(f"{what} {path} 其他用户也能访问（权限 {stat.S_IMODE(path.stat().st_mode):04o}），拒绝使用："
                    f"请运行 chmod 600 {path} 后重试（只允许文件所有者读写）")


def load_keyring(signing: SigningSettings, *, region: str, create: bool = True) -> Keyring | None:
    """The hall's keys: the key file, plus ``HALLTERM_SIGNING_SECRET`` for the current key id; every
    slip they sign names ``region`` (the hall's region code, issue 16 point 10).

    When the current key id has no secret and ``create`` is set, a new random secret is generated
    and appended to the key file (created with mode 0600), under a lock so that two terminals on
    one computer starting at once agree on one key. Without ``create`` (``hallterm scan``), None.
    """
    path = signing.key_path
    found: dict[str, bytes] = {}
    try:
        if path.is_file():
            refuse_if_others_can_read(path, "签名密钥文件", SigningKeyError)
            found = _parse_key_file(path.read_text(encoding="utf-8"))
        if signing.key_id not in found and not signing.secret and create:
            found = _add_key(path, signing.key_id)
    except OSError as exc:
        raise SigningKeyError(f"无法读取或创建签名密钥文件 {path}：{exc.strerror or exc}。"
                              "请检查目录权限，或设置环境变量 HALLTERM_SIGNING_SECRET") from exc
    except UnicodeDecodeError as exc:
        raise SigningKeyError(f"签名密钥文件 {path} 不是文本文件，请检查") from exc
    short = sorted(kid for kid, secret in found.items() if len(secret) < payloads.MIN_SECRET_BYTES)
    if short:  # a short secret can be guessed, and every slip it signs forged (issue 16 point 10)
        raise SigningKeyError(f"签名密钥文件 {path} 中的密钥 {'、'.join(short)} 太短（至少 "
                              f"{payloads.MIN_SECRET_BYTES} 个字符）：请删去这一行，把 [signing] key_id 改为新编号，"
                              "重新启动即生成新密钥（见 README“更换签名密钥”）")
    if signing.secret:
        found[signing.key_id] = signing.secret.encode("utf-8")
    if signing.key_id not in found:
        return None
    try:
        return Keyring(signing.key_id, found, region=region)
    except ValueError as exc:
        raise SigningKeyError(f"签名密钥文件 {path} 有误：{exc}") from exc


def _add_key(path: Path, key_id: str) -> dict[str, bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        text = handle.read()
        found = _parse_key_file(text)
        if key_id not in found:  # another terminal may have added it while we waited for the lock
            secret = secrets.token_urlsafe(32)
            handle.write(("" if text else KEY_FILE_HEADER) + f"{key_id} {secret}\n")
            handle.flush()
            os.fsync(handle.fileno())
            found[key_id] = secret.encode("utf-8")
    return found


def keyring(svc: Services | Settings) -> Keyring:
    settings = svc.settings if isinstance(svc, Services) else svc
    ring = load_keyring(settings.signing, region=settings.hall.region_code)
    assert ring is not None
    return ring


def ticket_payload(svc: Services, day: dt.date, number: str) -> str:
    """The signed QR payload of a queue ticket (for ``TicketSlip.payload``)."""
    return payloads.ticket_payload(day, number, keyring(svc))


def appointment_payload(svc: Services, appointment_id: int, day: dt.date, slot_start: str) -> str:
    return payloads.appointment_payload(appointment_id, day, slot_start, keyring(svc))


def visit_payload(svc: Services, case_no: str, day: dt.date) -> str:
    return payloads.visit_payload(case_no, day, keyring(svc))


def handout_payload(svc: Services, case_no: str, handout_id: int, day: dt.date) -> str:
    """The signed QR payload of a hand-out receipt (领证回执, S9)."""
    return payloads.handout_payload(case_no, handout_id, day, keyring(svc))
