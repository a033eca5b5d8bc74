"""Event kinds: one enum, each kind with its Chinese name; stored values never change."""

from __future__ import annotations

from hallterm.domain.checklist import Decision
from hallterm.domain.events import LABELS, EventKind, event_label


def test_every_kind_has_a_chinese_name() -> None:
    assert set(LABELS) == set(EventKind)
    assert EventKind.SLIP_SPOOLED.label == "回执存入打印队列"
    assert event_label("visitor_met") == "协调员接待"
    # issue 15 point 6: every administrative act reads in Chinese in the log
    assert [EventKind(k).label for k in ("roster_imported", "reference_loaded", "pin_set", "card_override",
                                         "rule_settings_changed", "database_backed_up")] == [
        "导入持卡人名册", "载入基础数据", "设置密码", "特批放行", "规则设置变更", "备份数据库"]


def test_every_checklist_decision_has_its_kind() -> None:
    assert {EventKind(f"item_{d.value}") for d in Decision} <= set(EventKind)


def test_a_kind_from_a_newer_version_reads_as_stored() -> None:
    assert event_label("case_teleported") == "case_teleported"


def test_stored_values_are_the_strings_old_databases_hold() -> None:
    assert EventKind.CASE_QUEUED == "case_queued" and f"{EventKind.TICKET_CALLED}" == "ticket_called"
