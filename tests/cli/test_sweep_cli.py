"""`hallterm sweep`, the nightly job: returns overdue conditional items, once (idempotent)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from sqlalchemy import update

from hallterm.config import PROJECT_ROOT
from hallterm.domain.cases import CaseDraft
from hallterm.domain.checklist import MaterialKind
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services import cases, checklist
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import case_items


def test_sweep_returns_an_overdue_conditional_item_once(loaded: Services, desk_session: StaffSession,
                                                        cards: dict[str, str]) -> None:
    view = cases.open_case(loaded, desk_session, CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",),
                                                           EnterpriseKind.FOREIGN, "鞍山堃圳科技有限公司"))
    item = checklist.load(loaded, view.id).items[0]
    for m in item.materials:
        if m.kind is MaterialKind.CORE:
            checklist.tick(loaded, desk_session, item.case_item_id, m.material_id, received=True)
    checklist.set_fees_paid(loaded, desk_session, item.case_item_id, True)
    checklist.decide_item(loaded, desk_session, item.case_item_id, commitment_signed=True)
    with loaded.db.write() as conn:  # the deadline passed a week ago, as the real clock sees it
        conn.execute(update(case_items).where(case_items.c.id == item.case_item_id)
                     .values(supplement_due_on=dt.date.today() - dt.timedelta(days=7)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["HALLTERM_DB_URL"] = loaded.db.url
    runs = [subprocess.run([sys.executable, "-m", "hallterm", "sweep"], cwd=PROJECT_ROOT, env=env,
                           capture_output=True, text=True, timeout=120) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert "退件办结 1 项" in runs[0].stdout and "暂停容缺资格 1 人" in runs[0].stdout
    assert "退件办结 0 项" in runs[1].stdout
    assert checklist.load(loaded, view.id).items[0].status == "returned"
