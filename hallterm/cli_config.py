"""``hallterm config``: the settings in force, and where each one came from."""

from __future__ import annotations

import dataclasses

from hallterm.config import SECTIONS, Settings
from hallterm.config_locations import LOCATIONS


def show_config(settings: Settings) -> int:

    # lazy: storage.engine loads SQLAlchemy; this command opens no database
    from hallterm.storage.engine import safe_url

    from_env = sum(where.startswith("环境变量") for where in settings.origins.values())
    file = settings.source if settings.source != "默认设置" else "无（未指定配置文件）"
    print(f"配置文件：{file}" + (f"；另有 {from_env} 项来自环境变量" if from_env else ""))
    print(f"数据库：{safe_url(settings.db.resolved_url())}")
    print(f"本机数据目录：{LOCATIONS.data_dir}" + ("（从源码目录运行）" if LOCATIONS.checkout else "")
          + f"；程序自带的基础数据：{LOCATIONS.shipped_assets}")
    print(f"大厅：{settings.hall.name}（时区 {settings.hall.timezone}，区划代码 {settings.hall.region_code}）")
    cards = settings.cards
    print(f"卡号格式：{cards.pattern}（校验 {cards.check}，绿色通道类别 {cards.eligible_tiers}）")
    print(f"基础数据目录：{settings.paths.assets}")
    p = settings.printing
    where = {"spool": "只存入暂存目录", "escpos": f"热敏打印机（{p.escpos_connection}）",
             "cups": f"CUPS {p.cups_printer or '默认打印机'}"}[p.backend]
    print(f"回执打印：{where}，{p.paper_mm} mm；文书：{p.notice_backend} {p.notice_paper}；暂存目录：{p.spool_path}")
    secret = "环境变量 HALLTERM_SIGNING_SECRET" if settings.signing.secret else f"密钥文件 {settings.signing.key_path}"
    print(f"回执签名密钥：{settings.signing.key_id}（{secret}）")
    pepper = ("环境变量 HALLTERM_AUTH_PEPPER_SECRET" if settings.auth.pepper_secret
              else f"文件 {settings.auth.pepper_path(settings.signing)}")
    print(f"PIN 密钥（各台电脑须相同）：{pepper}")
    print("\n全部设置（值　来源）：")
    for section in SECTIONS:
        for item in dataclasses.fields(getattr(settings, section)):
            key = f"{section}.{item.name}"
            value = getattr(getattr(settings, section), item.name)
            if any(word in item.name for word in ("secret", "password", "token")):
                value = "（已设置，不显示）" if value else ""
            elif key == "db.url" and value:
                value = safe_url(str(value))
            print(f"  {key} = {value!r}　{settings.origins.get(key, '默认值')}")
    return 0
