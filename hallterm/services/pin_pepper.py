"""The PIN pepper: a secret mixed into every PIN hash, kept outside the database (issue 16 point 5).

Beside the signing key by default (``pin-pepper.key``, made 0600 on first use under a lock, so that two
terminals starting at once agree on one), or ``HALLTERM_AUTH_PEPPER_SECRET``. A stolen database without
it gives nothing to guess PINs against. Every computer of a hall needs the same pepper, as it needs the
same signing key; a backup of the database is of no use for signing in without it.
"""

from __future__ import annotations

import fcntl
import os
import secrets

from hallterm.config import Settings
from hallterm.domain.auth import AuthError
from hallterm.services.signing import refuse_if_others_can_read

HEADER = ("# hallterm: the pepper mixed into every staff PIN hash (issue 16). Keep it secret (mode 0600), never\n"
          "# commit it, keep it with the signing key and its backups: every computer of the hall needs this same\n"
          "# file (or HALLTERM_AUTH_PEPPER_SECRET), and without it no PIN set with it can be checked.\n")


class PepperError(AuthError):
    """The pepper cannot be read or made; ``str()`` is the Chinese message."""


def load_pepper(settings: Settings) -> bytes:
    """The hall's pepper: the setting's secret, else the file's (made on first use)."""
    if settings.auth.pepper_secret:
        return settings.auth.pepper_secret.encode("utf-8")
    path = settings.auth.pepper_path(settings.signing)
    try:
        if path.is_file():
            refuse_if_others_can_read(path, "PIN 密钥文件", PepperError)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            found = _secret_in(handle.read())
            if found is None:  # a new file (or another terminal is writing it: we hold the lock now)
                found = secrets.token_urlsafe(32)
                handle.write(HEADER + found + "\n")
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as exc:
        raise PepperError(f"无法读取或创建 PIN 密钥文件 {path}：{exc.strerror or exc}。"
                          "请检查目录权限，或设置 auth.pepper_file / 环境变量 HALLTERM_AUTH_PEPPER_SECRET") from exc
    except UnicodeDecodeError as exc:
        raise PepperError(f"PIN 密钥文件 {path} 不是文本文件，请检查") from exc
    return found.encode("utf-8")


def _secret_in(text: str) -> str | None:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return lines[0] if lines else None
