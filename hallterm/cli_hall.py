"""The hall's own data from the command line: ``hallterm reference load`` (its TOML files), ``cards
import`` and ``cards lookup`` (the talent roster), ``staff set-pin``."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hallterm.cli_base import CliError

if TYPE_CHECKING:
    from hallterm.services.context import Services


def reference_load(svc: Services) -> int:
    # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
    from hallterm.services.reference import load_reference

    ref = load_reference(svc)
    print(f"已载入：业务洽谈室 {len(ref.hall.lounges)} 间，窗口 {len(ref.hall.counters)} 个，"
          f"人员 {len(ref.staff)} 名，事项 {len(ref.items)} 项"
          f"（材料 {sum(len(i.materials) for i in ref.items)} 项），营业时间段 {len(ref.hours.windows)} 个，"
          f"预约科室 {len(ref.hours.sections)} 个")
    # lazy: as above
    from hallterm.domain.terminal_text import visible
    from hallterm.services.appointment_views import stranded_bookings

    for stranded in stranded_bookings(svc):  # closing a day gives no seat back: the holders must be called
        print(f"注意：{stranded.day:%Y-%m-%d} 已设为闭厅（{visible(stranded.reason)}），"
              f"仍有 {stranded.bookings} 个预约："
              f"请逐一电话通知持卡人改约（名单：hallterm appointments list --day {stranded.day:%Y-%m-%d}）")
    return 0


def cards_import(svc: Services, path: Path) -> int:
    # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
    from hallterm.domain.roster import SHOWN_ERRORS
    from hallterm.services.roster import import_roster

    if not path.is_file():
        raise CliError(f"找不到名册文件：{path}")
    result = import_roster(svc, path)
    if not result.ok:
        print(f"名册 {path.name} 有 {len(result.check.errors)} 行错误，未导入任何数据。请改正后重新导入：",
              file=sys.stderr)
        # Issue 16 point 11: a bounded list; fixing these and importing again lists the rest.
        for error in result.check.errors[:SHOWN_ERRORS]:
            print(f"  {error}", file=sys.stderr)
        if len(result.check.errors) > SHOWN_ERRORS:
            print(f"  ……另有 {len(result.check.errors) - SHOWN_ERRORS} 行错误未列出：改正上面的错误后重新导入，"
                  "会列出其余的", file=sys.stderr)
        return 1
    print(f"已导入名册 {path.name}（{result.check.encoding}）：共 {len(result.check.rows)} 人，"
          f"新增 {result.inserted}，更新 {result.updated}")
    if result.off_roster:
        days = svc.settings.privacy.purge_after_days
        later = f"满 {days} 天后删除其个人信息（[privacy] purge_after_days）" if days else "个人信息按设置不删除"
        print(f"名册中已不再有的持卡人 {result.off_roster} 位：已标记，{later}；重新列入名册即恢复")
    return 0


def cards_purge(svc: Services) -> int:
    # lazy: as above
    from hallterm.services.privacy import purge
    from hallterm.services.staff import command_line_session

    print(purge(svc, command_line_session("purge")).message)
    return 0


def cards_lookup(svc: Services, text: str) -> int:
    # lazy: SQLAlchemy (~0.5 s with Alembic) and this command's modules load only when it runs
    from hallterm.domain.cards import parse_scan
    from hallterm.domain.holders import TIER_NAMES, assess
    from hallterm.domain.ids import mask_id, mask_phone
    from hallterm.domain.terminal_text import visible
    from hallterm.services.cards import find_holder

    scan = parse_scan(text, svc.card_format)
    if scan.kind != "card":
        raise CliError("这不是钢都英才卡号")
    holder = find_holder(svc, scan.card_no)
    check = assess(holder, scan.card_no, svc.today(), svc.settings.cards.eligible_tiers)
    if holder is None:
        raise CliError(check.message)
    # Roster text is data: shown escaped, never obeyed (issue 16 point 2).
    print(f"卡号：{visible(holder.card_no)}\n姓名：{visible(holder.name)}\n身份证号：{mask_id(holder.id_number)}\n"
          f"类别：{TIER_NAMES.get(holder.tier, holder.tier)}\n"
          f"有效期：{holder.issued_on:%Y-%m-%d} 至 {holder.expires_on:%Y-%m-%d}\n"
          f"状态：{check.message}\n电话：{visible(mask_phone(holder.phone))}\n单位：{visible(holder.employer)}\n"
          f"在办件：{holder.open_cases}，历史办件：{holder.past_cases}")
    return 0


def set_staff_pin(svc: Services, staff_id: str, from_stdin: bool) -> int:

    # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
    from hallterm.services.staff import set_pin, staff_name

    name = staff_name(svc, staff_id)
    if name is None:  # say so before anyone types a PIN for nobody
        raise CliError(f"工号 {staff_id.strip().upper()} 不存在或已停用：请核对工号，"
                       "或先在 assets/staff.toml 中添加并运行 hallterm reference load")
    no_terminal = "没有可输入 PIN 的终端：请在终端中运行，或用 --pin-stdin 从标准输入读取 PIN"
    if from_stdin:
        pin = sys.stdin.readline().strip()
    elif not sys.stdin.isatty():  # getpass would echo the PIN, warn in English, then fail
        raise CliError(no_terminal)
    else:
        try:
            pin = getpass.getpass(f"为 {staff_id.strip().upper()}（{name}）输入新 PIN"
                                  f"（{svc.settings.auth.min_pin_length}–8 位数字，勿用 1234、重复或连续的数字）：")
            again = getpass.getpass("再输入一次：")
        except EOFError:  # the terminal went away mid-prompt
            raise CliError(no_terminal) from None
        if again != pin:
            raise CliError("两次输入的 PIN 不一致，未修改")
    set_pin(svc, staff_id, pin)
    print(f"已为 {staff_id.strip().upper()} 设置 PIN；原有的锁定已解除")
    return 0


def unlock_staff(svc: Services, staff_id: str) -> int:
    """``hallterm staff unlock ID``: lift a lock-out (issue 16 point 8); the OS user is recorded."""
    # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
    from hallterm.services.staff import unlock

    who = staff_id.strip().upper()
    if unlock(svc, who):
        print(f"已解除 {who} 的锁定（操作已记录，可用 hallterm db log 查看）")
    else:
        print(f"{who} 当前未被锁定，无需解除")
    return 0
