"""The arguments of ``hallterm report``, apart from what it prints (cli_report.py).

Every command builds the whole parser, the desk's start included: this module keeps the report's
figures, rating scales and text widths (~20 ms of imports) out of it (DESIGN.md performance budget).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hallterm.cli_appointments import day_arg


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser("report", help="督查报表：办件、等候、按时办结、容缺、预约、好差评、代办（默认本月）")
    report.add_argument("--from", dest="start", type=day_arg, metavar="YYYY-MM-DD",
                        help="统计起始日（只给 --from：统计到今天）")
    report.add_argument("--to", dest="end", type=day_arg, metavar="YYYY-MM-DD",
                        help="统计截止日，含当天（只给 --to：从该月 1 日起）")
    report.add_argument("--section", metavar="SECTION",
                        help="只统计这个科室，如 业务协调科（默认全大厅；科室名不对时列出可选的科室）")
    report.add_argument("--json", action="store_true", help="最后一行输出一个 JSON 对象")
    report.add_argument("--csv", type=Path, metavar="DIR",
                        help="每张表另存为一个 CSV 文件（UTF-8 带 BOM，仅本人可读），目录不存在时创建")
    report.add_argument("--xlsx", type=Path, metavar="FILE", help="另存为 Excel 工作簿（每张表一个工作表，仅本人可读）")
