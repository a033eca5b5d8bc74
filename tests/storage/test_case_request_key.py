"""Opening a case is safe to send twice (issue 15 point 4): the desk's form carries a request key, and
the same key again, as after an outage that lost the first answer, returns the case it opened: one
case, one case number, one "case opened" in the events log. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from hallterm.domain.cases import CaseDraft
from hallterm.domain.events import EventKind
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services.cases import open_case
from hallterm.services.context import Services
from hallterm.services.staff import set_pin, sign_in
from hallterm.storage.tables import cases, events


def _draft(card_no: str, key: str, name: str = "鞍山外资测试有限公司") -> CaseDraft:
    return CaseDraft(card_no, CaseKind.ENTERPRISE, ("QY-WZSL",), EnterpriseKind.FOREIGN, name, request_key=key)


def _counts(svc: Services) -> tuple[int, int]:
    with svc.db.read() as conn:
        n_cases = conn.execute(select(func.count()).select_from(cases)).scalar_one()
        n_opened = conn.execute(select(func.count()).select_from(events)
                                .where(events.c.kind == EventKind.CASE_OPENED.value)).scalar_one()
    return n_cases, n_opened


def test_the_same_form_sent_again_returns_its_case(any_hall: Services, cards_for) -> None:
    set_pin(any_hall, "S1401", "2468")
    session = sign_in(any_hall, "S1401", "2468")
    card_no = cards_for(any_hall)

    first = open_case(any_hall, session, _draft(card_no, "k" * 32))
    again = open_case(any_hall, session, _draft(card_no, "k" * 32, name="改过的名称"))

    assert again.id == first.id and again.case_no == first.case_no
    assert again.enterprise_name == "鞍山外资测试有限公司"  # the case as opened, not a second one
    assert _counts(any_hall) == (1, 1)
    other = open_case(any_hall, session, _draft(card_no, "m" * 32))  # another visitor's form: a new case
    assert other.id != first.id
    assert _counts(any_hall) == (2, 2)
    without = open_case(any_hall, session, _draft(card_no, ""))  # no key (command line, older desks): as before
    assert without.id not in (first.id, other.id)
    assert _counts(any_hall) == (3, 3)
