"""One typed settings object, read from a TOML file and ``HALLTERM_*`` environment variables.

Precedence: built-in defaults < the TOML file (``HALLTERM_CONFIG`` or ``--config``) < environment.
An environment variable is ``HALLTERM_<SECTION>_<KEY>`` in upper case, e.g. ``HALLTERM_DB_URL``
for ``[db] url`` or ``HALLTERM_HALL_TIMEZONE`` for ``[hall] timezone``.

Stdlib only (tomllib + dataclasses): the desk's start-up budget (DESIGN.md) leaves no room for a
settings framework's import time, and the checks below are all this object needs.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ASSETS = PROJECT_ROOT / "assets"
DEFAULT_DB_DIR = PROJECT_ROOT / "db"
DEFAULT_DB_FILE = DEFAULT_DB_DIR / "hallterm.sqlite3"
DEMO_DB_FILE = DEFAULT_DB_DIR / "demo.sqlite3"

ENV_PREFIX = "HALLTERM_"
ENV_CONFIG_FILE = "HALLTERM_CONFIG"

# Card number: GD + year of issue + tier + 5-digit serial + ISO/IEC 7064 MOD 37,36 check character.
# The talent office may change the format, so both parts are settings.
DEFAULT_CARD_PATTERN = r"GD(?P<year>\d{4})(?P<tier>[A-E])(?P<serial>\d{5})(?P<check>[0-9A-Z])"


class ConfigError(Exception):
    """A setting that cannot be used; ``str()`` is the one-line Chinese message for the user."""

    def __init__(self, key: str, source: str, reason: str) -> None:
        self.key = key
        self.source = source
        self.reason = reason
        super().__init__(f"配置错误：{source} 中的 {key} {reason}")


@dataclass(frozen=True)
class DbSettings:
    url: str = ""  # empty: SQLite at db/hallterm.sqlite3
    busy_timeout_ms: int = 5000
    echo: bool = False

    def resolved_url(self) -> str:
        return self.url or sqlite_url(DEFAULT_DB_FILE)


@dataclass(frozen=True)
class HallSettings:
    name: str = "鞍山市政务服务中心"
    timezone: str = "Asia/Shanghai"
    region_code: str = "210300"  # GB/T 2260 code of 鞍山市, the case-number prefix

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class CardSettings:
    pattern: str = DEFAULT_CARD_PATTERN
    check: str = "mod37_36"  # or "none" when the office issues numbers without a check character
    eligible_tiers: str = "ABCD"  # A–D are 高层次人才 (research/domain.md §6); E holds a card but not this channel


@dataclass(frozen=True)
class PathSettings:
    assets: str = str(DEFAULT_ASSETS)

    @property
    def assets_dir(self) -> Path:
        return Path(self.assets)


@dataclass(frozen=True)
class DeskSettings:
    # The county bureau most walk-ins belong to, preselected when opening a case (S2); staff may change it.
    default_district: str = "铁东区"


@dataclass(frozen=True)
class AuthSettings:
    max_failures: int = 5  # wrong PINs in a row before the account is locked
    lockout_minutes: int = 15


@dataclass(frozen=True)
class Settings:
    db: DbSettings = field(default_factory=DbSettings)
    hall: HallSettings = field(default_factory=HallSettings)
    cards: CardSettings = field(default_factory=CardSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    desk: DeskSettings = field(default_factory=DeskSettings)
    source: str = "默认设置"  # where the settings came from, for messages

    def with_db_url(self, url: str) -> Settings:
        return dataclasses.replace(self, db=dataclasses.replace(self.db, url=url))


SECTIONS: dict[str, type] = {
    "db": DbSettings,
    "hall": HallSettings,
    "cards": CardSettings,
    "paths": PathSettings,
    "auth": AuthSettings,
    "desk": DeskSettings,
}


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Read the TOML file (if any) and the environment; raise ConfigError on the first bad key."""
    env = os.environ if environ is None else environ
    path_text = str(config_file) if config_file else env.get(ENV_CONFIG_FILE, "")
    values: dict[str, dict[str, tuple[Any, str]]] = {name: {} for name in SECTIONS}
    source = "默认设置"
    if path_text:
        path = Path(path_text)
        source = str(path)
        # Name what pointed at the file: the --config option or the environment variable.
        for section, key, value in _read_toml(path, "--config" if config_file else ENV_CONFIG_FILE):
            values[section][key] = (value, str(path))
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_CONFIG_FILE:
            continue
        section, key = _split_env_name(name)
        if section is None:
            continue
        values[section][key] = (raw, f"环境变量 {name}")
    parts = {section: _build(section, SECTIONS[section], entries) for section, entries in values.items()}
    settings = Settings(**parts, source=source)
    _check(settings, values)
    return settings


def _read_toml(path: Path, pointer: str = ENV_CONFIG_FILE) -> list[tuple[str, str, Any]]:
    import tomllib  # only when there is a file: it costs ~10 ms of the desk's start-up

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(pointer, str(path), "指向的配置文件不存在") from None
    except IsADirectoryError:
        raise ConfigError(pointer, str(path), "指向的是目录，而不是配置文件") from None
    except OSError as exc:  # permissions, I/O: still one line, never a traceback
        raise ConfigError(pointer, str(path), f"指向的配置文件无法读取：{exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError("(文件编码)", str(path), "不是 UTF-8 编码，请另存为 UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("(TOML 语法)", str(path), f"有语法错误：{exc}") from None
    out: list[tuple[str, str, Any]] = []
    for section, table in data.items():
        if section not in SECTIONS:
            raise ConfigError(f"[{section}]", str(path), f"不是已知的配置节（可用：{', '.join(SECTIONS)}）")
        if not isinstance(table, dict):
            raise ConfigError(section, str(path), "应是一个配置节 [..]，而不是单个值")
        known = {f.name for f in dataclasses.fields(SECTIONS[section])}
        for key, value in table.items():
            if key not in known:
                raise ConfigError(f"{section}.{key}", str(path),
                                  f"不是已知的配置项（可用：{', '.join(sorted(known))}）")
            out.append((section, key, value))
    return out


def _split_env_name(name: str) -> tuple[str | None, str]:
    rest = name[len(ENV_PREFIX):].lower()
    for section, cls in SECTIONS.items():
        if rest.startswith(section + "_"):
            key = rest[len(section) + 1:]
            if key in {f.name for f in dataclasses.fields(cls)}:
                return section, key
            raise ConfigError(name, f"环境变量 {name}", "不是已知的配置项")
    return None, ""


def _build(section: str, cls: type, entries: dict[str, tuple[Any, str]]) -> Any:
    kwargs: dict[str, Any] = {}
    types = {f.name: f.type for f in dataclasses.fields(cls)}
    for key, (value, where) in entries.items():
        kwargs[key] = _coerce(f"{section}.{key}", where, types[key], value)
    return cls(**kwargs)


def _coerce(key: str, where: str, type_name: Any, value: Any) -> Any:
    kind = type_name if isinstance(type_name, str) else getattr(type_name, "__name__", str(type_name))
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(key, where, f"应为 true 或 false，而不是 {value!r}")
    if kind == "int":
        if isinstance(value, bool):
            raise ConfigError(key, where, f"应为整数，而不是 {value!r}")
        try:
            return int(str(value).strip())
        except ValueError:
            raise ConfigError(key, where, f"应为整数，而不是 {value!r}") from None
    if not isinstance(value, str):
        raise ConfigError(key, where, f"应为文本，而不是 {value!r}")
    return value


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


def _check(settings: Settings, values: dict[str, dict[str, tuple[Any, str]]]) -> None:
    def where(section: str, key: str) -> str:
        return values[section].get(key, (None, "默认设置"))[1]

    check_db_url(settings.db.url, where("db", "url"))
    if settings.db.busy_timeout_ms < 0:
        raise ConfigError("db.busy_timeout_ms", where("db", "busy_timeout_ms"), "不能为负数")
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
    except re.error as exc:
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
    if settings.auth.max_failures < 1:
        raise ConfigError("auth.max_failures", where("auth", "max_failures"), "至少为 1")
    if settings.auth.lockout_minutes < 0:
        raise ConfigError("auth.lockout_minutes", where("auth", "lockout_minutes"), "不能为负数")
    if not settings.paths.assets_dir.is_dir():
        raise ConfigError("paths.assets", where("paths", "assets"), f"指向的目录不存在：{settings.paths.assets}")
