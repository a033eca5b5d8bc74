"""The figures as the bench prints them: a table with Chinese and English labels, the machine they ran on."""

from __future__ import annotations

import os
import platform
import sqlite3
from pathlib import Path
from typing import Any

# Labels of the figures every run has; each measurement module labels its own (its ``LABELS``).
BASE_LABELS: dict[str, str] = {
    "holders": "持卡人数 holders",
    "cases": "历史办件 past cases",
    "case_items": "办件事项 case items",
    "quick": "快速模式 --quick",
    "db_build_s": "建库耗时 build (s)",
    "db_build_holders_s": "  其中持卡人 holders (s)",
    "db_build_cases_s": "  其中办件 cases (s)",
    "db_size_mb": "数据库大小 size (MB)",
    "peak_rss_mb": "峰值内存 peak RSS (MB)",
    "python": "Python",
    "sqlite_version": "SQLite",
    "machine": "机器 machine",
}


# A figure's budget: ("<=", 150.0) — at most 150 — or (">=", 1000.0) — at least 1,000.
Budget = tuple[str, float]


def judge(figures: dict[str, Any], budgets: dict[str, Budget]) -> dict[str, dict[str, Any]]:
    """Each budgeted figure of this run against its budget: ``{key: {"budget": "<= 150", "ok": True}}``."""
    judged: dict[str, dict[str, Any]] = {}
    for key, (op, limit) in budgets.items():
        value = figures.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            ok = value <= limit if op == "<=" else value >= limit
            judged[key] = {"budget": f"{op} {limit:g}", "ok": ok}
    return judged


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "sqlite_version": sqlite3.sqlite_version,
        "machine": {"arch": platform.machine(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "cpu": _cpu_model()},
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def format_table(figures: dict[str, Any], labels: dict[str, str]) -> str:
    rows = []
    for key, value in figures.items():
        if key == "budgets":
            continue  # listed below the figures
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, bool):
            value = "是 yes" if value else "否 no"
        elif isinstance(value, int):
            value = f"{value:,}"
        rows.append((labels.get(key, key), str(value)))
    width = max(_display_width(label) for label, _ in rows)
    lines = ["hallterm bench", "-" * (width + 30)]
    lines += [label + " " * (width - _display_width(label)) + "  " + value for label, value in rows]
    budgets: dict[str, dict[str, Any]] = figures.get("budgets", {})
    if budgets:
        lines += ["-" * (width + 30), "预算 budgets (DESIGN.md)"]
        for key, verdict in budgets.items():
            mark = "达标 ok" if verdict["ok"] else "超出 OVER"
            lines.append(f"  {key} = {figures[key]}  （{verdict['budget']}）  {mark}")
    return "\n".join(lines)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
