"""``hallterm print test``: one of each slip and notice, to check the printer."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hallterm.cli_base import CliError
from hallterm.config import Settings


def run_print_test(settings: Settings, to: Path | None, paper: int | None) -> int:
    """``hallterm print test [--to DIR]``: one of each slip and notice, with sample data."""

    # lazy: Pillow, qrcode, fpdf2 and SQLAlchemy load only for this command
    from hallterm.services.print_jobs import print_test

    if paper is not None:
        settings = dataclasses.replace(settings, printing=dataclasses.replace(settings.printing, paper_mm=paper))
    if to is not None:
        try:  # a folder that cannot be written fails once, in its own words, not once per slip
            to.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CliError(f"无法写入目录 {to}：{exc.strerror or exc}。请换一个可写的目录（--to）") from None
    results = print_test(settings, to)
    failed = 0
    for result in results:
        mark = "失败" if not result.ok else "完成"
        print(f"[{mark}] {result.title}：{result.message}")
        for path in result.files:
            print(f"       {path}")
        failed += not result.ok
    if failed:
        kept = all(result.files for result in results if not result.ok)
        raise CliError(f"{failed} 份未能打印" + ("，文件已保存在暂存目录，修复打印机后可重新打印" if kept
                                               else "，且未能保存文件：请先解决上面所说的问题"))
    return 0
