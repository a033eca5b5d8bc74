"""From a scan to a card holder: parse, look up, judge (S4: the green channel is for card holders)."""

from __future__ import annotations

from hallterm.domain.cards import ScanError, parse_scan
from hallterm.domain.events import EventKind
from hallterm.domain.holders import CardCheck, Holder, assess
from hallterm.services.context import Services
from hallterm.storage import events, holders


def find_holder(svc: Services, card_no: str) -> Holder | None:
    with svc.db.read() as conn:
        return holders.find(conn, card_no)


def check_card(svc: Services, text: str, *, staff_id: str | None = None) -> CardCheck:
    """Parse what was scanned or typed and judge the card; the scan is logged as an event.

    Raises ScanError (with a Chinese message) when the text is not a well-formed card number.
    """
    scan = parse_scan(text, svc.card_format)
    if scan.kind != "card":
        raise ScanError("这是本大厅的回执二维码，不是钢都英才卡：请在前台的扫码框扫描")
    with svc.db.write() as conn:
        holder = holders.find(conn, scan.card_no)
        result = assess(holder, scan.card_no, svc.today(), svc.settings.cards.eligible_tiers)
        events.append(conn, EventKind.CARD_SCANNED, svc.now(), staff_id=staff_id, card_no=scan.card_no,
                      verdict=result.verdict.value)
    return result
