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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hallterm.domain.errors import Refused
from hallterm.domain.jurisdiction import DISTRICTS

APP_NAME = "hallterm"


@dataclass(frozen=True)
class Locations:
    """Where the program's own files are and where the hall's files go when no setting says.

    Run from the repository (the quick start, the tests) everything stays beside the code as
    before: ``db/`` for the database and signing key, ``spool/``, ``assets/``. Installed from the
    wheel, the shipped defaults are package data and the hall's files live in the user data
    folder (platformdirs; ``~/.local/share/hallterm`` on Linux), where an ``assets`` folder, when
    present, replaces the shipped reference data.
    """

    checkout: Path | None  # the repository's root when hallterm runs from one
    shipped_assets: Path  # the reference data shipped with the program (package data)
    data_dir: Path  # the hall's own files
    assets: Path  # the reference data in force unless [paths] assets says otherwise
    spool_dir: Path

    @property
    def db_file(self) -> Path:
        return self.data_dir / "hallterm.sqlite3"

    @property
    def demo_db_file(self) -> Path:
        return self.data_dir / "demo.sqlite3"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "signing.key"  # created 0600 on first use


def locate(package_dir: Path, shipped_assets: Path, user_data_dir: Callable[[], Path]) -> Locations:
    root = package_dir.parent
    if (root / "pyproject.toml").is_file() and (root / "db" / "migrations").is_dir():
        return Locations(root, shipped_assets, root / "db", shipped_assets, root / "spool")  # db/, spool/ git-ignored
    data = user_data_dir()
    override = data / "assets"
    return Locations(None, shipped_assets, data, override if override.is_dir() else shipped_assets, data / "spool")


def _user_data_dir() -> Path:
    import platformdirs  # lazy: only an installed program needs it (Textual loads it anyway)

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def _package_path(package: str) -> Path:
    """A package-data folder: a plain folder in the wheel, the repository's own one in an editable install.

    What ``importlib.resources.files`` answers for a package on disk, without its import time
    (~10 ms, more than the rest of this module: the desk's start-up budget).
    """
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{package} is missing: reinstall hallterm")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


LOCATIONS = locate(Path(__file__).resolve().parent, _package_path("hallterm._assets"), _user_data_dir)
PROJECT_ROOT = LOCATIONS.checkout or LOCATIONS.data_dir  # tests run from the checkout
SHIPPED_ASSETS = LOCATIONS.shipped_assets
DEFAULT_ASSETS = LOCATIONS.assets
DEFAULT_DB_DIR = LOCATIONS.data_dir
DEFAULT_DB_FILE = LOCATIONS.db_file
DEMO_DB_FILE = LOCATIONS.demo_db_file
DEFAULT_SPOOL_DIR = LOCATIONS.spool_dir
DEFAULT_KEY_FILE = LOCATIONS.key_file

ENV_PREFIX = "HALLTERM_"
ENV_CONFIG_FILE = "HALLTERM_CONFIG"

# Card number: GD + year of issue + tier + 5-digit serial + ISO/IEC 7064 MOD 37,36 check character.
# The talent office may change the format, so both parts are settings.
DEFAULT_CARD_PATTERN = r"GD(?P<year>\d{4})(?P<tier>[A-E])(?P<serial>\d{5})(?P<check>[0-9A-Z])"


class ConfigError(Refused):
    """A setting that cannot be used; ``str()`` is the one-line Chinese message for the user."""

    def __init__(self, key: str, source: str, reason: str) -> None:
        self.key = key
        self.source = source
        self.reason = reason
        super().__init__(f"配置错误：{source} 中的 {key} {reason}")


@dataclass(frozen=True)
class DbSettings:
    url: str = ""  # empty: SQLite at hallterm.sqlite3 in the data folder (db/ in the repository)
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
class QueueSettings:
    walkin_series: str = "A"  # walk-in green-channel tickets: A017
    appointment_series: str = "B"  # appointment check-in tickets (S6 预约服务)
    call_ratio: int = 0  # due appointments first; after this many in a row one walk-in goes (0: never)
    appointment_early_minutes: int = 15  # an appointment is due this long before its slot starts
    recall_limit: int = 3  # recalls before the ticket is marked 过号 (no-show)
    speech: bool = True  # the display speaks each call where the speech command is installed
    speech_command: str = "espeak-ng"
    speech_voice: str = "cmn"  # espeak-ng's Mandarin voice
    speech_template: str = "请{number}号到{place}"
    display_poll_ms: int = 500  # how often the display checks the events log for a change


@dataclass(frozen=True)
class AppointmentSettings:
    """Booking appointments (S6 预约服务); the hours and the slots themselves are in assets/hours.toml."""

    horizon_days: int = 30  # how many days ahead a slot may be booked
    cutoff_minutes: int = 0  # booking closes this long before a slot starts (0: until it starts)
    check_in_early_minutes: int = 30  # check-in opens this long before the slot starts
    check_in_late_minutes: int = 15  # and closes this long after; outside it the visitor gets a walk-in ticket
    missed_grace_minutes: int = 30  # not checked in by the slot's end plus this: marked missed (失约)
    missed_sweep_seconds: int = 120  # how often each desk marks missed what is past its grace (and frees seats)
    repeat_misses: int = 2  # this many misses within repeat_misses_days: shown at the next booking (no ban)
    repeat_misses_days: int = 90


@dataclass(frozen=True)
class LogSettings:
    """Each program's log file (hallterm.logfile; issue 15 point 7)."""

    dir: str = ""  # empty: beside the SQLite database; for PostgreSQL the user log folder (platformdirs)
    max_kb: int = 1024  # a file is rotated at this size
    backups: int = 5  # rotated files kept
    slow_ms: int = 500  # a use case taking longer is logged as slow


@dataclass(frozen=True)
class BackupSettings:
    """The nightly backup taken by ``hallterm sweep`` (issue 15)."""

    dir: str = ""  # empty: a backups/ folder beside the SQLite file (the data folder for PostgreSQL)
    keep: int = 30  # the newest backups the sweep keeps; older ones it made itself are deleted


@dataclass(frozen=True)
class RatingSettings:
    """好差评 (国办发〔2019〕51号): the rating pad at the issuing window and the follow-up of a 差评."""

    call_back_days: int = 1  # Liaoning: the handling unit calls back and verifies within 1 working day
    put_right_days: int = 15  # Liaoning: complex cases are put right within 15 working days
    follow_up_owner: str = ""  # staff ID owning follow-ups of a case without a coordinator (empty: none)
    pad_poll_ms: int = 1000  # how often the rating pad checks the events log for a new hand-out
    replace_after_s: int = 60  # a newer hand-out takes over an unrated one this long after it was recorded
    max_age_minutes: int = 30  # a hand-out older than this can no longer be rated (the visitor has gone)
    thanks_s: int = 5  # how long the pad says thank you before it waits for the next hand-out


@dataclass(frozen=True)
class ProxySettings:
    """Working days each kind of proxy task (全程代办, S3) is given from the day it is added. Utility
    connections have no statutory clock (research/domain.md §7.6): these are the hall's own targets.
    Market access follows the S6 cap of 5 working days an item; above city level waits on the province."""

    market_access_days: int = 5
    above_city_days: int = 20
    water_days: int = 5
    power_days: int = 5
    gas_days: int = 5
    heating_days: int = 10

    def days_for(self, kind: str) -> int:
        """The days of a ``ProxyTaskKind`` value (market_access → market_access_days)."""
        return int(getattr(self, f"{kind}_days"))


@dataclass(frozen=True)
class PrintingSettings:
    """Where slips and notices go (issue 6). Every slip is written to the spool folder first."""

    backend: str = "spool"  # spool | escpos | cups: queue tickets and appointment slips
    paper_mm: int = 80  # thermal paper: 80 (576 dots) or 58 (384 dots) at 203 dpi
    spool_dir: str = ""  # empty: spool/ in the data folder (in the repository: spool/)
    spool_keep_days: int = 90  # `hallterm sweep` deletes day folders older than this; 0 keeps them all
    bilingual: bool = False  # Chinese and English on slips and notices, for foreign talent
    notice_backend: str = "spool"  # spool | cups: the A4/A5 notices
    notice_paper: str = "A4"  # A4 | A5
    notice_printer: str = ""  # CUPS queue for notices; empty: the CUPS default destination
    cups_printer: str = ""  # CUPS queue for slips when backend = "cups"; empty: the default destination
    cups_timeout_s: int = 30  # how long a CUPS job may take before it is called failed (and cancelled)
    cups_raw: bool = False  # slips to CUPS as raw ESC/POS bytes (-o raw: a raw queue of a thermal printer)
    escpos_connection: str = "network"  # usb | serial | network
    escpos_host: str = ""
    escpos_port: int = 9100
    escpos_usb_vendor: str = ""  # hexadecimal, e.g. 0x0416
    escpos_usb_product: str = ""  # hexadecimal, e.g. 0x5011
    escpos_serial_port: str = "/dev/ttyUSB0"
    escpos_serial_baudrate: int = 9600
    escpos_profile: str = ""  # python-escpos printer profile; empty: a generic one
    escpos_timeout_s: int = 10

    @property
    def spool_path(self) -> Path:
        return Path(self.spool_dir) if self.spool_dir else DEFAULT_SPOOL_DIR

    @property
    def width_px(self) -> int:
        return 384 if self.paper_mm == 58 else 576


@dataclass(frozen=True)
class SigningSettings:
    """The key that signs the QR payloads of slips (HT1:…). The secret itself is never committed."""

    key_id: str = "K1"  # signs new slips; older key ids in the key file still verify (rotation)
    key_file: str = ""  # empty: signing.key in the data folder (db/ in the repository), made 0600 on first use
    secret: str = field(default="", repr=False)  # HALLTERM_SIGNING_SECRET: the secret of key_id

    @property
    def key_path(self) -> Path:
        return Path(self.key_file) if self.key_file else DEFAULT_KEY_FILE


@dataclass(frozen=True)
class Settings:
    db: DbSettings = field(default_factory=DbSettings)
    hall: HallSettings = field(default_factory=HallSettings)
    cards: CardSettings = field(default_factory=CardSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    desk: DeskSettings = field(default_factory=DeskSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)
    appointments: AppointmentSettings = field(default_factory=AppointmentSettings)
    proxy: ProxySettings = field(default_factory=ProxySettings)
    printing: PrintingSettings = field(default_factory=PrintingSettings)
    rating: RatingSettings = field(default_factory=RatingSettings)
    signing: SigningSettings = field(default_factory=SigningSettings)
    backup: BackupSettings = field(default_factory=BackupSettings)
    log: LogSettings = field(default_factory=LogSettings)
    source: str = "默认设置"  # where the settings came from, for messages
    # "section.key" → the file or variable it came from (for `hallterm config`); not part of equality
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)

    def with_db_url(self, url: str) -> Settings:
        return dataclasses.replace(self, db=dataclasses.replace(self.db, url=url))


SECTIONS: dict[str, type] = {
    "db": DbSettings,
    "hall": HallSettings,
    "cards": CardSettings,
    "paths": PathSettings,
    "auth": AuthSettings,
    "desk": DeskSettings,
    "queue": QueueSettings,
    "appointments": AppointmentSettings,
    "proxy": ProxySettings,
    "printing": PrintingSettings,
    "rating": RatingSettings,
    "signing": SigningSettings,
    "backup": BackupSettings,
    "log": LogSettings,
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
        env_section, key = _split_env_name(name)
        if env_section is None:
            continue
        values[env_section][key] = (raw, f"环境变量 {name}")
    parts = {section: _build(section, SECTIONS[section], entries) for section, entries in values.items()}
    origins = {f"{section}.{key}": where for section, entries in values.items() for key, (_, where) in entries.items()}
    settings = Settings(**parts, source=source, origins=origins)
    _check(settings, values)
    return settings


def _read_toml(path: Path, pointer: str = ENV_CONFIG_FILE) -> list[tuple[str, str, Any]]:
    import tomllib  # lazy: only when there is a file; it costs ~10 ms of the desk's start-up

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
    if any("\ud800" <= c <= "\udfff" for c in value):  # undecodable bytes of a variable: printing it would crash
        raise ConfigError(key, where, "含有不是 UTF-8 的字节，请改为 UTF-8 文本")
    if _CONTROL.search(value):  # a pasted escape or NUL: a path or a slip would carry it
        raise ConfigError(key, where, f"含有控制字符，请删去：{value!r}")
    return value


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
    _check_queue(settings.queue, lambda key: where("queue", key))
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
    _check_printing(settings.printing, lambda key: where("printing", key))
    for key, low, high in (("call_back_days", 0, 30), ("put_right_days", 1, 60), ("pad_poll_ms", 100, 60_000),
                           ("replace_after_s", 0, 3600), ("max_age_minutes", 1, 24 * 60), ("thanks_s", 1, 60)):
        value = getattr(settings.rating, key)
        if not low <= value <= high:
            raise ConfigError(f"rating.{key}", where("rating", key), f"应在 {low} 到 {high} 之间，而不是 {value}")
    _check_signing(settings.signing, lambda key: where("signing", key))
    for key, low, high in (("max_kb", 16, 1024 * 1024), ("backups", 1, 100), ("slow_ms", 1, 600_000)):
        value = getattr(settings.log, key)
        if not low <= value <= high:
            raise ConfigError(f"log.{key}", where("log", key), f"应在 {low} 到 {high} 之间，而不是 {value}")
    if not 1 <= settings.backup.keep <= 3660:
        raise ConfigError("backup.keep", where("backup", "keep"), f"应在 1 到 3660 之间，而不是 {settings.backup.keep}")
    if not settings.paths.assets_dir.is_dir():
        raise ConfigError("paths.assets", where("paths", "assets"), f"指向的目录不存在：{settings.paths.assets}")


def _check_queue(queue: QueueSettings, where: Any) -> None:
    for key in ("walkin_series", "appointment_series"):
        if not re.fullmatch(r"[A-Z]", getattr(queue, key)):  # one ASCII capital: drawn large on the display
            raise ConfigError(f"queue.{key}", where(key), "应为一个大写字母 A–Z")
    if queue.walkin_series == queue.appointment_series:
        raise ConfigError("queue.appointment_series", where("appointment_series"), "不能与现场取号的字母相同")
    for key, low in (("call_ratio", 0), ("appointment_early_minutes", 0), ("recall_limit", 0),
                     ("display_poll_ms", 100)):
        if getattr(queue, key) < low:
            raise ConfigError(f"queue.{key}", where(key), f"不能小于 {low}")
    if "{number}" not in queue.speech_template:
        raise ConfigError("queue.speech_template", where("speech_template"), "必须含有 {number}（可含 {place}）")
    try:
        queue.speech_template.format(number="A001", place="绿色通道1号窗口")
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):  # {number.x}, {number[x]}
        raise ConfigError("queue.speech_template", where("speech_template"),
                          "只能含有 {number} 和 {place} 两个占位符") from None


def _check_printing(p: PrintingSettings, where: Any) -> None:
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


def _check_signing(s: SigningSettings, where: Any) -> None:
    if not re.fullmatch(r"[A-Z][0-9A-Z]{0,7}", s.key_id):
        raise ConfigError("signing.key_id", where("key_id"), "应为 1–8 位大写字母或数字、以字母开头，例如 K1")
    if s.secret and len(s.secret.encode("utf-8")) < 16:
        # Never echo the secret itself in a message.
        raise ConfigError("signing.secret", where("secret"), "太短：至少 16 个字符（建议 32 个以上的随机字符）")
