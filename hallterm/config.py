"""One typed settings object, read from a TOML file and ``HALLTERM_*`` environment variables.

Precedence: built-in defaults < the TOML file (``HALLTERM_CONFIG`` or ``--config``) < environment.
An environment variable is ``HALLTERM_<SECTION>_<KEY>`` in upper case, e.g. ``HALLTERM_DB_URL``
for ``[db] url`` or ``HALLTERM_HALL_TIMEZONE`` for ``[hall] timezone``.

Stdlib only (tomllib + dataclasses): the desk's start-up budget (DESIGN.md) leaves no room for a
settings framework's import time, and the checks (config_checks.py) are all this object needs. Where
files live by default is config_locations.py's.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hallterm.config_checks import ConfigError, check_settings
from hallterm.config_locations import DEFAULT_ASSETS, DEFAULT_DB_FILE, DEFAULT_KEY_FILE, DEFAULT_SPOOL_DIR
from hallterm.domain.redaction import redact_url

ENV_PREFIX = "HALLTERM_"
ENV_CONFIG_FILE = "HALLTERM_CONFIG"

# Card number: GD + year of issue + tier + 5-digit serial + ISO/IEC 7064 MOD 37,36 check character.
# The talent office may change the format, so both parts are settings.
DEFAULT_CARD_PATTERN = r"GD(?P<year>\d{4})(?P<tier>[A-E])(?P<serial>\d{5})(?P<check>[0-9A-Z])"


class _Section:
    """Equality, hash and repr of the settings classes, written once for all of them.

    ``@dataclass`` makes each of these methods from source text at import (one ``exec``, ~0.1 ms, for
    each method of each class): 51 of them on the desk's start path (DESIGN.md performance budget). These
    do what the generated ones do: fields compared in order (``compare=False`` left out), same class only;
    the hash of the compared fields; the repr of the fields with ``repr=True``, so secrets stay out.
    """

    __slots__ = ()

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self) if f.compare)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            assert isinstance(other, _Section)
            return self._compared() == other._compared()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, f.name) for f in dataclasses.fields(self)  # type: ignore[arg-type]
                          if (f.compare if f.hash is None else f.hash)))

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}"
                          for f in dataclasses.fields(self) if f.repr)  # type: ignore[arg-type]
        return f"{self.__class__.__qualname__}({shown})"


@dataclass(frozen=True, eq=False, repr=False)
class DbSettings(_Section):
    url: str = ""  # empty: SQLite at hallterm.sqlite3 in the data folder (db/ in the repository)
    busy_timeout_ms: int = 5000
    retry_ms: int = 3000  # how often a desk probes a database it lost (issue 15 point 4)
    echo: bool = False
    # PostgreSQL: connections each terminal keeps open (and may add at a busy moment). A desk needs one at a
    # time; 50 desks keep 50 open, well inside the server's default max_connections of 100 (README "Capacity").
    pool_size: int = 1
    max_overflow: int = 4

    def resolved_url(self) -> str:
        return self.url or sqlite_url(DEFAULT_DB_FILE)


@dataclass(frozen=True, eq=False, repr=False)
class HallSettings(_Section):
    name: str = "鞍山市政务服务中心"
    timezone: str = "Asia/Shanghai"
    region_code: str = "210300"  # GB/T 2260 code of 鞍山市, the case-number prefix

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, eq=False, repr=False)
class CardSettings(_Section):
    pattern: str = DEFAULT_CARD_PATTERN
    check: str = "mod37_36"  # or "none" when the office issues numbers without a check character
    eligible_tiers: str = "ABCD"  # A–D are 高层次人才 (research/domain.md §6); E holds a card but not this channel


@dataclass(frozen=True, eq=False, repr=False)
class PathSettings(_Section):
    assets: str = str(DEFAULT_ASSETS)

    @property
    def assets_dir(self) -> Path:
        return Path(self.assets)


@dataclass(frozen=True, eq=False, repr=False)
class DeskSettings(_Section):
    # The county bureau most walk-ins belong to, preselected when opening a case (S2); staff may change it.
    default_district: str = "铁东区"


@dataclass(frozen=True, eq=False, repr=False)
class AuthSettings(_Section):
    max_failures: int = 5  # wrong PINs in a row before the account is locked
    lockout_minutes: int = 15  # the first lock-out (issue 16 point 8: the later ones are longer)
    repeat_lockout_minutes: int = 60  # the second lock-out since the last sign-in, and the next ones
    supervisor_unlock_after: int = 3  # this lock-out lasts until `hallterm staff unlock` (0: never)
    min_pin_length: int = 6  # a PIN being set (the demo keeps its 1234; existing shorter PINs still sign in)
    # The secret mixed into every PIN hash, kept outside the database (issue 16 point 5): the file, or
    # HALLTERM_AUTH_PEPPER_SECRET. Every computer of one hall needs the same one, as with the signing key.
    pepper_file: str = ""  # empty: pin-pepper.key beside the signing key file, made 0600 on first use
    pepper_secret: str = field(default="", repr=False)

    def pepper_path(self, signing: SigningSettings) -> Path:
        return Path(self.pepper_file) if self.pepper_file else signing.key_path.with_name("pin-pepper.key")


@dataclass(frozen=True, eq=False, repr=False)
class QueueSettings(_Section):
    walkin_series: str = "A"  # walk-in green-channel tickets: A017
    appointment_series: str = "B"  # appointment check-in tickets (S6 预约服务)
    call_ratio: int = 0  # due appointments first; after this many in a row one walk-in goes (0: never)
    appointment_early_minutes: int = 15  # an appointment is due this long before its slot starts
    recall_limit: int = 3  # recalls before the ticket is marked 过号 (no-show)
    speech: bool = True  # the display speaks each call where the speech command is installed
    speech_command: str = "espeak-ng"
    # espeak-ng's Mandarin that reads Chinese; Debian 12's plain "cmn" reads pinyin as English (display/speech.py)
    speech_voice: str = "cmn-latn-pinyin"
    speech_template: str = "请{number}号到{place}"
    display_poll_ms: int = 2000  # the display's safety poll; changes are pushed to it (storage/live.py)
    display_hold_ms: int = 4000  # each new call stays the big number this long before the next queued one


@dataclass(frozen=True, eq=False, repr=False)
class AppointmentSettings(_Section):
    """Booking appointments (S6 预约服务); the hours and the slots themselves are in assets/hours.toml."""

    horizon_days: int = 30  # how many days ahead a slot may be booked
    cutoff_minutes: int = 0  # booking closes this long before a slot starts (0: until it starts)
    check_in_early_minutes: int = 30  # check-in opens this long before the slot starts
    check_in_late_minutes: int = 15  # and closes this long after; outside it the visitor gets a walk-in ticket
    missed_grace_minutes: int = 30  # not checked in by the slot's end plus this: marked missed (失约)
    missed_sweep_seconds: int = 120  # how often each desk marks missed what is past its grace (and frees seats)
    repeat_misses: int = 2  # this many misses within repeat_misses_days: shown at the next booking (no ban)
    repeat_misses_days: int = 90


@dataclass(frozen=True, eq=False, repr=False)
class LogSettings(_Section):
    """Each program's log file (hallterm.logfile; issue 15 point 7)."""

    dir: str = ""  # empty: beside the SQLite database; for PostgreSQL the user log folder (platformdirs)
    max_kb: int = 1024  # a file is rotated at this size
    backups: int = 5  # rotated files kept
    slow_ms: int = 500  # a use case taking longer is logged as slow


@dataclass(frozen=True, eq=False, repr=False)
class BackupSettings(_Section):
    """The nightly backup taken by ``hallterm sweep`` (issue 15)."""

    dir: str = ""  # empty: a backups/ folder beside the SQLite file (the data folder for PostgreSQL)
    keep: int = 30  # the newest backups the sweep keeps; older ones it made itself are deleted


@dataclass(frozen=True, eq=False, repr=False)
class PrivacySettings(_Section):
    """How long personal data is kept (issue 16 point 12; PIPL: no longer than the purpose needs)."""

    # A holder off the talent office's roster this many days loses name, ID number, phone and employer
    # (`hallterm privacy purge`, and the nightly sweep); their cases' figures stay. 0: never purged.
    purge_after_days: int = 365
    # A printed slip's stored content (the reprint list draws it again from it) is cleared after this many
    # days; its record (who printed what, when) stays. 0: kept.
    slip_content_days: int = 90


@dataclass(frozen=True, eq=False, repr=False)
class RatingSettings(_Section):
    """好差评 (国办发〔2019〕51号): the rating pad at the issuing window and the follow-up of a 差评."""

    call_back_days: int = 1  # Liaoning: the handling unit calls back and verifies within 1 working day
    put_right_days: int = 15  # Liaoning: complex cases are put right within 15 working days
    follow_up_owner: str = ""  # staff ID owning follow-ups of a case without a coordinator (empty: none)
    pad_poll_ms: int = 1000  # how often the rating pad checks the events log for a new hand-out
    replace_after_s: int = 60  # a newer hand-out takes over an unrated one this long after it was recorded
    max_age_minutes: int = 30  # a hand-out older than this can no longer be rated (the visitor has gone)
    thanks_s: int = 5  # how long the pad says thank you before it waits for the next hand-out


@dataclass(frozen=True, eq=False, repr=False)
class ProxySettings(_Section):
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


@dataclass(frozen=True, eq=False, repr=False)
class PrintingSettings(_Section):
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


@dataclass(frozen=True, eq=False, repr=False)
class SigningSettings(_Section):
    """The key that signs the QR payloads of slips (HT2:…). The secret itself is never committed."""

    key_id: str = "K1"  # signs new slips; older key ids in the key file still verify (rotation)
    key_file: str = ""  # empty: signing.key in the data folder (db/ in the repository), made 0600 on first use
    secret: str = field(default="", repr=False)  # HALLTERM_SIGNING_SECRET: the secret of key_id

    @property
    def key_path(self) -> Path:
        return Path(self.key_file) if self.key_file else DEFAULT_KEY_FILE


@dataclass(frozen=True, eq=False, repr=False)
class DisplaySettings(_Section):
    """``hallterm display --serve``: the queue display as a web page for the hall's TV (issue 16 point 7)."""

    serve_max_connections: int = 4  # browsers at once; each one costs a display process
    # Non-empty: the page and its websocket answer only an address carrying it (?token=…); it goes in the address.
    serve_token: str = field(default="", repr=False)


@dataclass(frozen=True, eq=False, repr=False)
class Settings(_Section):
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
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    log: LogSettings = field(default_factory=LogSettings)
    display: DisplaySettings = field(default_factory=DisplaySettings)
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
    "privacy": PrivacySettings,
    "log": LogSettings,
    "display": DisplaySettings,
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
    check_settings(settings, values)
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
        raise ConfigError(key, where, f"应为文本，而不是 {_shown(key, value)}")
    if any("\ud800" <= c <= "\udfff" for c in value):  # undecodable bytes of a variable: printing it would crash
        raise ConfigError(key, where, "含有不是 UTF-8 的字节，请改为 UTF-8 文本")
    if _CONTROL.search(value):  # a pasted escape or NUL: a path or a slip would carry it
        raise ConfigError(key, where, f"含有控制字符，请删去：{_shown(key, value)}")
    return value


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _shown(key: str, value: Any) -> str:
    """A bad value as an error may show it: a secret not at all, a URL without its password (issue 16
    point 6: a secret pasted with a newline must not end up on the screen or in a support ticket)."""
    if any(word in key for word in ("secret", "password", "token")):
        return "（值不显示）"
    return repr(redact_url(value) if key == "db.url" and isinstance(value, str) else value)
