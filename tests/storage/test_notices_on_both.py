"""Notices are numbered and stored on PostgreSQL as on SQLite (issue 4's notices, issue 6's printing).

SQLite ignores a VARCHAR's length, so a number series key longer than its column
(doc:<kind>:<bureau>) only failed on PostgreSQL: every decision below issues a notice.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from hallterm.domain.cases import CaseDraft
from hallterm.domain.checklist import MaterialKind
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services import cases, checklist, checklist_sheet
from hallterm.services.context import Services
from hallterm.services.staff import set_pin, sign_in
from hallterm.storage.tables import documents, sequences


def test_every_kind_of_notice_is_numbered_for_city_and_district_cases(any_hall: Services,
                                                                       cards_for: Callable[[Services], str]) -> None:
    any_db = any_hall
    set_pin(any_db, "S1401", "2468")
    desk = sign_in(any_db, "S1401", "2468")
    card = cards_for(any_db)
    city = cases.open_case(any_db, desk, CaseDraft(card, CaseKind.ENTERPRISE, ("QY-GSSL",), EnterpriseKind.FOREIGN,
                                                   "鞍山喆玥新材料有限公司"))
    district = cases.open_case(any_db, desk, CaseDraft(card, CaseKind.ENTERPRISE, ("QY-GSSL",),
                                                       EnterpriseKind.LIMITED, "鞍山堃圳科技有限公司",
                                                       district="铁东区"))
    titles = []
    for view in (city, district):
        item = checklist_sheet.load(any_db, view.id).items[0]
        _sheet, issued = checklist.decide_item(any_db, desk, item.case_item_id)  # nothing ticked: 一次性告知书
        titles += [d.title for d in issued]
        for m in item.materials:
            if m.kind is MaterialKind.CORE:
                checklist.tick(any_db, desk, item.case_item_id, m.material_id, received=True)
        checklist.set_fees_paid(any_db, desk, item.case_item_id, True)
        _sheet, issued = checklist.decide_item(any_db, desk, item.case_item_id, commitment_signed=True)
        titles += [d.title for d in issued]

    assert titles == ["一次性告知书", "容缺受理承诺书", "容缺受理通知书"] * 2
    with any_db.db.read() as conn:
        numbers = list(conn.execute(select(documents.c.number).order_by(documents.c.id)).scalars())
        keys = [k for k in conn.execute(select(sequences.c.series)).scalars() if k.startswith("doc:")]
    assert len(numbers) == len(set(numbers)) == 6
    assert any("铁东" in n for n in numbers) and any(":" in k and "铁东" in k for k in keys)
    assert max(len(k) for k in keys) > 16  # the keys that did not fit before
