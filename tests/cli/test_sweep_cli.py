"""`hallterm sweep`, the nightly job: returns overdue conditional items, once (idempotent)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update

from hallterm.config_locations import PROJECT_ROOT
from hallterm.domain.cases import CaseDraft
from hallterm.domain.checklist import MaterialKind
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services import cases, checklist, checklist_sheet, queue
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import case_items


def test_sweep_returns_an_overdue_conditional_item_once(loaded: Services, desk_session: StaffSession,
                                                        cards: dict[str, str], tmp_path: Path) -> None:
    view = cases.open_case(loaded, desk_session, CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",),
                                                           EnterpriseKind.FOREIGN, "鞍山堃圳科技有限公司"))
    item = checklist_sheet.load(loaded, view.id).items[0]
    for m in item.materials:
        if m.kind is MaterialKind.CORE:
            checklist.tick(loaded, desk_session, item.case_item_id, m.material_id, received=True)
    checklist.set_fees_paid(loaded, desk_session, item.case_item_id, True)
    checklist.decide_item(loaded, desk_session, item.case_item_id, commitment_signed=True)
    with loaded.db.write() as conn:  # the deadline passed a week ago, as the real clock sees it
        conn.execute(update(case_items).where(case_items.c.id == item.case_item_id)
                     .values(supplement_due_on=dt.date.today() - dt.timedelta(days=7)))
    # An appointment of yesterday nobody checked in: the sweep marks it missed (issue 12 point 5).
    missed = queue.book_appointment(loaded, cards["valid"], dt.date.today() - dt.timedelta(days=1), "09:00", "09:30")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["HALLTERM_DB_URL"] = loaded.db.url
    env["HALLTERM_PRINTING_SPOOL_DIR"] = str(tmp_path / "spool")
    stale = tmp_path / "spool" / f"{dt.date.today() - dt.timedelta(days=200):%Y-%m-%d}"
    stale.mkdir(parents=True)
    (stale / "ticket-A001.png").write_bytes(b"x" * 1000)
    runs = [subprocess.run([sys.executable, "-m", "hallterm", "sweep"], cwd=PROJECT_ROOT, env=env,
                           capture_output=True, text=True, timeout=120) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert "退件办结 1 项" in runs[0].stdout and "暂停容缺资格 1 人" in runs[0].stdout
    assert "退件办结 0 项" in runs[1].stdout
    assert "删除 90 天以前的 1 个日期文件夹" in runs[0].stdout and not stale.exists()  # the spool, too
    assert "删除 90 天以前的 0 个日期文件夹" in runs[1].stdout
    assert checklist_sheet.load(loaded, view.id).items[0].status == "returned"
    assert f"标记失约 1 个：{missed:06d}" in runs[0].stdout and "标记失约 0 个" in runs[1].stdout


def test_a_spool_that_cannot_be_cleaned_is_one_clear_line(loaded: Services, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from hallterm import cli

    stale = tmp_path / "spool" / "2020-01-01"
    stale.mkdir(parents=True)

    def refuse(path: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(shutil, "rmtree", refuse)
    monkeypatch.setenv("HALLTERM_DB_URL", loaded.db.url)
    monkeypatch.setenv("HALLTERM_PRINTING_SPOOL_DIR", str(tmp_path / "spool"))

    assert cli.main(["sweep"]) == 1
    out, err = capsys.readouterr()
    assert "退件办结" in out  # the checklist sweep ran and was reported before the clean-up failed
    assert "清理打印暂存目录失败" in err and "2020-01-01" in err and "办件数据不受影响" in err
    assert "Traceback" not in err and stale.is_dir()
