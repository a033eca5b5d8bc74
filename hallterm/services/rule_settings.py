"""Settings that change a rule, and the record of each change (issue 15 point 6).

A setting changes a rule when it decides what the hall does for a holder or a clerk — who may use the
green channel, how long a deadline runs, when an appointment counts as missed, when an account locks —
rather than where a file goes or how a printer is reached. Those settings come from each terminal's own
settings file and environment, and some rules from files each terminal reads itself (the hours, the
duty roster, the working-day calendar), so nothing else would record that they changed.

So every program, as it starts, compares the rule settings in force with the ones last recorded and,
when they differ, appends a ``rule_settings_changed`` event: who (the OS user) and on which host, the
names with their old and new values, and all the values — the latest such event *is* the last
recorded state, so no table of its own is needed. The first start on a database records the baseline.
A file is recorded by a digest of its bytes (which version), never its contents: staff.toml names people.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from hallterm.config import Settings
from hallterm.domain.events import EventKind
from hallterm.services.calendar import calendar_dir
from hallterm.services.context import Services
from hallterm.services.reference import HOURS_FILE, STAFF_FILE, file_digest
from hallterm.services.who import actor
from hallterm.storage import events

# "section.key" → what it decides, in the words the log shows. Left out on purpose: paths, printers,
# logs, the database, the display's looks and timings, defaults a clerk changes on the form
# (desk.default_district), and signing (its secret must never reach the log).
RULE_SETTINGS: dict[str, str] = {
    "hall.timezone": "营业日所在时区（每日清零、期限按日计算）",
    "cards.pattern": "卡号格式",
    "cards.check": "卡号校验方式",
    "cards.eligible_tiers": "可走绿色通道的人才类别",
    "auth.max_failures": "连续输错 PIN 几次锁定账号",
    "auth.lockout_minutes": "账号锁定分钟数",
    "auth.repeat_lockout_minutes": "再次锁定的分钟数",
    "auth.supervisor_unlock_after": "第几次锁定起须督查解锁",
    "auth.min_pin_length": "PIN 最少位数",
    "queue.call_ratio": "连续叫几个预约号后叫一个现场号",
    "queue.appointment_early_minutes": "预约号提前几分钟可叫",
    "queue.recall_limit": "重呼几次记为过号",
    "appointments.horizon_days": "可预约今后几天",
    "appointments.cutoff_minutes": "时段开始前几分钟停止预约",
    "appointments.check_in_early_minutes": "时段开始前几分钟可签到",
    "appointments.check_in_late_minutes": "时段开始后几分钟内可签到",
    "appointments.missed_grace_minutes": "时段结束后几分钟未签到记为失约",
    "appointments.repeat_misses": "几次失约提示",
    "appointments.repeat_misses_days": "失约提示统计的天数",
    "proxy.market_access_days": "代办市场准入的工作日",  # S3
    "proxy.above_city_days": "代办省级以上事项的工作日",
    "proxy.water_days": "代办供水报装的工作日",
    "proxy.power_days": "代办供电报装的工作日",
    "proxy.gas_days": "代办燃气报装的工作日",
    "proxy.heating_days": "代办供暖报装的工作日",
    "rating.call_back_days": "差评回访的工作日",
    "rating.put_right_days": "差评整改的工作日",
    "rating.follow_up_owner": "无协调员办件的差评整改责任人",
    "rating.max_age_minutes": "发放后几分钟内可评价",
}

# Files of the reference-data folder that each terminal reads itself, rather than through
# ``hallterm reference load`` (which records its own event): the hours and slot capacities, the
# after-hours duty roster (S6) and the working-day calendar that every deadline counts in.
RULE_FILES: dict[str, str] = {
    f"assets/{HOURS_FILE}": "营业时间、预约时段和容量",
    f"assets/{STAFF_FILE}": "人员、班次和延时值班表",
    "assets/calendar/": "节假日和本大厅的闭厅、调休安排",
}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RuleChange:
    baseline: bool  # the first record on this database: nothing to compare with
    changed: dict[str, tuple[Any, Any]]  # name → (old, new); None where a name or file was not there


def rule_values(settings: Settings) -> dict[str, Any]:
    """The rule settings in force: each setting's value, and a digest of each rule file."""
    values: dict[str, Any] = {}
    for name in RULE_SETTINGS:
        section, key = name.split(".")
        values[name] = getattr(getattr(settings, section), key)
    assets = settings.paths.assets_dir
    values[f"assets/{HOURS_FILE}"] = file_digest(assets / HOURS_FILE)
    values[f"assets/{STAFF_FILE}"] = file_digest(assets / STAFF_FILE)
    folder = calendar_dir(assets)
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else ():
        values[f"assets/calendar/{path.name}"] = file_digest(path)
    return values


def describe(name: str) -> str:
    """What a recorded name decides, in Chinese (a calendar file by its folder's description)."""
    if name in RULE_SETTINGS:
        return RULE_SETTINGS[name]
    if name.startswith("assets/calendar/"):
        return RULE_FILES["assets/calendar/"]
    return RULE_FILES.get(name, name)


def note_rule_settings(svc: Services, program: str) -> RuleChange | None:
    """Record the rule settings in force when they differ from the last recorded; None when they do not.

    Read first (the usual case: nothing changed, no write at all), then compared again under a lock in
    the writing transaction, so that two terminals started at once with the same new settings record
    the change once.
    """
    now_values = rule_values(svc.settings)
    with svc.db.read() as conn:
        if _last_values(conn) == now_values:
            return None
    with svc.db.write() as conn:
        events.lock_kind(conn, EventKind.RULE_SETTINGS_CHANGED)
        last = _last_values(conn)
        if last == now_values:
            return None
        old = last or {}
        changed = {name: (old.get(name), now_values.get(name)) for name in sorted(old.keys() | now_values.keys())
                   if old.get(name) != now_values.get(name)} if last is not None else {}
        events.append(conn, EventKind.RULE_SETTINGS_CHANGED, svc.now(), program=program, baseline=last is None,
                      changed={name: list(pair) for name, pair in changed.items()}, values=now_values,
                      **actor(None))
    log.info("rule settings %s by %s: %s", "recorded (baseline)" if last is None else "changed", program,
             ", ".join(f"{name} {old!r} -> {new!r}" for name, (old, new) in changed.items()) or "-")
    return RuleChange(last is None, changed)


def _last_values(conn: Connection) -> dict[str, Any] | None:
    latest = events.recent(conn, kind=EventKind.RULE_SETTINGS_CHANGED, limit=1)
    if not latest:
        return None
    values = latest[0].details.get("values")
    return dict(values) if isinstance(values, dict) else {}
