"""The checks every setting passes before the program uses it, and ``ConfigError``: the one line that
names the bad key, where it came from (file or environment variable) and what it should be."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hallterm.domain.errors import Refused
from hallterm.domain.jurisdiction import DISTRICTS
from hallterm.domain.secret_rules import MIN_SECRET_BYTES

if TYPE_CHECKING:
    from hallterm.config import AuthSettings, PrintingSettings, QueueSettings, Settings, SigningSettings


class ConfigError(Refused):
    """A setting that cannot be used; ``str()`` is the one-line Chinese message for the user."""

    def __init__(self, key: str, source: str, reason: str) -> None:
        self.key = key
        self.source = source
        self.reason = reason
        super().__init__(f"配置错误：{source} 中的 {key} {reason}")


# Drivers SQLAlchemy can load here; anything else failed later with a traceback.
DB_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg", "postgresql+psycopg2",
              "postgresql+pg8000")


def check_db_url(url: str, where: str) -> None:
    """Refuse a database URL SQLAlchemy cannot use; also called for ``--db``, which bypasses the file."""
    if not url:
        return
    scheme, sep, _ = url.partition("://")
    if not sep or scheme not in DB_SCHEMES:  # SQLAlchemy is case-sensitive here
        raise ConfigError("db.url", where,
                          "应以 sqlite:/// 或 postgresql:// 开头，例如 postgresql+psycopg://user@host/hallterm")
    try:
        urlsplit(url).port  # noqa: B018 - parsing is the check: a port that is not a number raises
    except ValueError:
        raise ConfigError("db.url", where, "的端口应为数字，例如 postgresql+psycopg://user@host:5432/hallterm") \
            from None


def check_settings(settings: Settings, values: dict[str, dict[str, tuple[Any, str]]]) -> None:
    def where(section: str, key: str) -> str:
        return values[section].get(key, (None, "默认设置"))[1]

    check_db_url(settings.db.url, where("db", "url"))
    if settings.display.serve_max_connections < 1:
        raise ConfigError("display.serve_max_connections", where("display", "serve_max_connections"),
                          "不能小于 1（同时打开叫号网页的浏览器数）")
    if settings.display.serve_token and not re.fullmatch(r"[A-Za-z0-9_-]{16,}", settings.display.serve_token):
        raise ConfigError("display.serve_token", where("display", "serve_token"),
                          "应为至少 16 位的字母、数字、- 或 _（它写在网址里），例如用 python3 -c "
                          "\"import secrets; print(secrets.token_urlsafe(24))\" 生成")
    if settings.db.busy_timeout_ms < 0:
        raise ConfigError("db.busy_timeout_ms", where("db", "busy_timeout_ms"), "不能为负数")
    if settings.db.retry_ms < 200:
        raise ConfigError("db.retry_ms", where("db", "retry_ms"), "不能小于 200（毫秒）")
    if not 1 <= settings.db.pool_size <= 50:
        raise ConfigError("db.pool_size", where("db", "pool_size"), "应为 1–50（每台终端保持的数据库连接数）")
    if not 0 <= settings.db.max_overflow <= 50:
        raise ConfigError("db.max_overflow", where("db", "max_overflow"),
                          "应为 0–50（繁忙时每台终端可临时增加的连接数）")
    try:
        ZoneInfo(settings.hall.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("hall.timezone", where("hall", "timezone"),
                          f"不是有效的时区名（例如 Asia/Shanghai）：{settings.hall.timezone!r}") from None
    if not re.fullmatch(r"[0-9]{6}", settings.hall.region_code):  # not \d: full-width digits match it
        raise ConfigError("hall.region_code", where("hall", "region_code"),
                          "应为 6 位行政区划代码（鞍山市为 210300）")
    try:
        compiled = re.compile(settings.cards.pattern)
    except (re.error, OverflowError, RecursionError) as exc:  # a{99999999999}, thousands of nested groups
        raise ConfigError("cards.pattern", where("cards", "pattern"), f"不是有效的正则表达式：{exc}") from None
    if "tier" not in compiled.groupindex:
        raise ConfigError("cards.pattern", where("cards", "pattern"), "必须含有命名分组 (?P<tier>...)")
    if settings.cards.check not in {"mod37_36", "none"}:
        raise ConfigError("cards.check", where("cards", "check"), "应为 mod37_36 或 none")
    if settings.cards.check == "mod37_36" and "check" not in compiled.groupindex:
        raise ConfigError("cards.pattern", where("cards", "pattern"),
                          "校验方式为 mod37_36 时必须含有命名分组 (?P<check>.)，且位于末尾")
    tiers = settings.cards.eligible_tiers
    if not tiers or any(t not in "ABCDE" for t in tiers):
        raise ConfigError("cards.eligible_tiers", where("cards", "eligible_tiers"), "应为 A–E 中的字母，例如 ABCD")
    if settings.desk.default_district and settings.desk.default_district not in DISTRICTS:
        raise ConfigError("desk.default_district", where("desk", "default_district"),
                          f"不是本市的县区：{settings.desk.default_district!r}（可用：{'、'.join(DISTRICTS)}，或留空）")
    if settings.auth.max_failures < 1:
        raise ConfigError("auth.max_failures", where("auth", "max_failures"), "至少为 1")
    if settings.auth.lockout_minutes < 0:
        raise ConfigError("auth.lockout_minutes", where("auth", "lockout_minutes"), "不能为负数")
    check_auth(settings.auth, lambda key: where("auth", key))
    check_queue(settings.queue, lambda key: where("queue", key))
    for key, low, high in (("horizon_days", 0, 366), ("cutoff_minutes", 0, 24 * 60),
                           ("check_in_early_minutes", 0, 24 * 60), ("check_in_late_minutes", 0, 24 * 60),
                           ("missed_grace_minutes", 0, 24 * 60), ("missed_sweep_seconds", 10, 3600),
                           ("repeat_misses", 1, 100),
                           ("repeat_misses_days", 1, 3660)):
        value = getattr(settings.appointments, key)
        if not low <= value <= high:
            raise ConfigError(f"appointments.{key}", where("appointments", key),
                              f"应在 {low} 到 {high} 之间，而不是 {value}")
    for key in ("market_access_days", "above_city_days", "water_days", "power_days", "gas_days", "heating_days"):
        value = getattr(settings.proxy, key)
        if not 1 <= value <= 120:
            raise ConfigError(f"proxy.{key}", where("proxy", key), f"应在 1 到 120 个工作日之间，而不是 {value}")
    check_printing(settings.printing, lambda key: where("printing", key))
    for key, low, high in (("call_back_days", 0, 30), ("put_right_days", 1, 60), ("pad_poll_ms", 100, 60_000),
                           ("replace_after_s", 0, 3600), ("max_age_minutes", 1, 24 * 60), ("thanks_s", 1, 60)):
        value = getattr(settings.rating, key)
        if not low <= value <= high:
            raise ConfigError(f"rating.{key}", where("rating", key), f"应在 {low} 到 {high} 之间，而不是 {value}")
    check_signing(settings.signing, lambda key: where("signing", key))
    for key, low, high in (("max_kb", 16, 1024 * 1024), ("backups", 1, 100), ("slow_ms", 1, 600_000)):
        value = getattr(settings.log, key)
        if not low <= value <= high:
            raise ConfigError(f"log.{key}", where("log", key), f"应在 {low} 到 {high} 之间，而不是 {value}")
    if not 1 <= settings.backup.keep <= 3660:
        raise ConfigError("backup.keep", where("backup", "keep"), f"应在 1 到 3660 之间，而不是 {settings.backup.keep}")
    for key in ("purge_after_days", "slip_content_days"):
        value = getattr(settings.privacy, key)
        if not 0 <= value <= 36600:
            raise ConfigError(f"privacy.{key}", where("privacy", key),
                              f"应在 0 到 36600 之间（0 表示不删除），而不是 {value}")
    if not settings.paths.assets_dir.is_dir():
        raise ConfigError("paths.assets", where("paths", "assets"), f"指向的目录不存在：{settings.paths.assets}")


def check_queue(queue: QueueSettings, where: Any) -> None:
    for key in ("walkin_series", "appointment_series"):
        if not re.fullmatch(r"[A-Z]", getattr(queue, key)):  # one ASCII capital: drawn large on the display
            raise ConfigError(f"queue.{key}", where(key), "应为一个大写字母 A–Z")
    if queue.walkin_series == queue.appointment_series:
        raise ConfigError("queue.appointment_series", where("appointment_series"), "不能与现场取号的字母相同")
    for key, low in (("call_ratio", 0), ("appointment_early_minutes", 0), ("recall_limit", 0),
                     ("display_poll_ms", 100), ("display_hold_ms", 0)):
        if getattr(queue, key) < low:
            raise ConfigError(f"queue.{key}", where(key), f"不能小于 {low}")
    if "{number}" not in queue.speech_template:
        raise ConfigError("queue.speech_template", where("speech_template"), "必须含有 {number}（可含 {place}）")
    try:
        queue.speech_template.format(number="A001", place="绿色通道1号窗口")
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):  # {number.x}, {number[x]}
        raise ConfigError("queue.speech_template", where("speech_template"),
                          "只能含有 {number} 和 {place} 两个占位符") from None


def check_printing(p: PrintingSettings, where: Any) -> None:
    def bad(key: str, reason: str) -> ConfigError:
        return ConfigError(f"printing.{key}", where(key), reason)

    if p.spool_keep_days < 0:
        raise bad("spool_keep_days", "不能为负数（0 表示永久保留）")
    if p.backend not in {"spool", "escpos", "cups"}:
        raise bad("backend", f"应为 spool、escpos 或 cups，而不是 {p.backend!r}")
    if p.notice_backend not in {"spool", "cups"}:
        raise bad("notice_backend", f"应为 spool 或 cups（热敏打印机不能打印 A4/A5 文书），而不是 {p.notice_backend!r}")
    if p.paper_mm not in {58, 80}:
        raise bad("paper_mm", f"应为 58 或 80（毫米），而不是 {p.paper_mm}")
    if p.notice_paper not in {"A4", "A5"}:
        raise bad("notice_paper", f"应为 A4 或 A5，而不是 {p.notice_paper!r}")
    for key in ("cups_timeout_s", "escpos_timeout_s"):
        if getattr(p, key) < 1:
            raise bad(key, "至少为 1 秒")
    if p.escpos_connection not in {"usb", "serial", "network"}:
        raise bad("escpos_connection", f"应为 usb、serial 或 network，而不是 {p.escpos_connection!r}")
    if not 0 < p.escpos_port < 65536:
        raise bad("escpos_port", "应为 1–65535 之间的端口号")
    if p.escpos_serial_baudrate < 1:
        raise bad("escpos_serial_baudrate", "应为正整数，例如 9600 或 115200")
    for key in ("escpos_usb_vendor", "escpos_usb_product"):
        if getattr(p, key) and not re.fullmatch(r"0[xX][0-9a-fA-F]{1,4}", getattr(p, key)):
            raise bad(key, f"应为十六进制编号，例如 0x0416，而不是 {getattr(p, key)!r}")
    if p.backend == "escpos":
        if p.escpos_connection == "network" and not p.escpos_host.strip():
            raise bad("escpos_host", "热敏打印机走网络连接时必须填写打印机地址，例如 192.168.1.50")
        if p.escpos_connection == "usb" and not (p.escpos_usb_vendor and p.escpos_usb_product):
            raise bad("escpos_usb_vendor", "热敏打印机走 USB 连接时必须填写 escpos_usb_vendor 和 escpos_usb_product"
                      "（lsusb 显示的 厂商:产品 编号）")
        if p.escpos_connection == "serial" and not p.escpos_serial_port.strip():
            raise bad("escpos_serial_port", "热敏打印机走串口连接时必须填写串口设备，例如 /dev/ttyUSB0")


def check_auth(a: AuthSettings, where: Any) -> None:
    """Issue 16 points 5 and 8: PIN length, the longer lock-outs, the pepper."""
    if not 4 <= a.min_pin_length <= 8:
        raise ConfigError("auth.min_pin_length", where("min_pin_length"), "应为 4–8（PIN 为 4–8 位数字；建议 6 以上）")
    if a.repeat_lockout_minutes < 0:
        raise ConfigError("auth.repeat_lockout_minutes", where("repeat_lockout_minutes"), "不能为负数")
    if a.supervisor_unlock_after < 0:
        raise ConfigError("auth.supervisor_unlock_after", where("supervisor_unlock_after"),
                          "不能为负数（0 表示从不需要督查解锁）")
    if a.pepper_secret and len(a.pepper_secret.encode("utf-8")) < MIN_SECRET_BYTES:
        # Never echo the secret itself in a message.
        raise ConfigError("auth.pepper_secret", where("pepper_secret"), f"太短：至少 {MIN_SECRET_BYTES} 个随机字符")


def check_signing(s: SigningSettings, where: Any) -> None:
    if not re.fullmatch(r"[A-Z][0-9A-Z]{0,7}", s.key_id):
        raise ConfigError("signing.key_id", where("key_id"), "应为 1–8 位大写字母或数字、以字母开头，例如 K1")
    if s.secret and len(s.secret.encode("utf-8")) < MIN_SECRET_BYTES:  # issue 16 point 10
        # Never echo the secret itself in a message.
        raise ConfigError("signing.secret", where("secret"),
                          f"太短：至少 {MIN_SECRET_BYTES} 个字符。请换一个随机生成的密钥，例如 "
                          "python3 -c 'import secrets; print(secrets.token_urlsafe(32))' 的输出")
