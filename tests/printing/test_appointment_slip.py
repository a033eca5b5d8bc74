"""The appointment slip printed at booking (issue 12 point 3): the spooled image decodes with pyzbar to
the signed payload that checks the visitor in, and the slip lists the section and the materials to bring
for the items booked (from the catalog)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PIL import Image

from hallterm.printing.slip_layouts import AppointmentSlip, visible_text
from hallterm.scanning import decode_image
from hallterm.services import appointments, printables
from hallterm.services.check_in import SlipScan, check_scan
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from tests.conftest import TODAY


def test_the_booked_slip_prints_at_once_with_the_materials_and_decodes_back(
        loaded: Services, cards: dict[str, str], desk_session: StaffSession, clock: list[dt.datetime]) -> None:
    booked = appointments.book(loaded, desk_session, cards["valid"], TODAY, "10:30", items="QY-GSSL")
    outcome = printables.print_appointment(loaded, booked.id, staff_id=desk_session.staff_id)
    assert outcome.ok and outcome.title == f"预约回执 {booked.number}（11-26 10:30）"
    image = Image.open(Path(outcome.spool_base).with_suffix(".png"))
    found = [f.text for f in decode_image(image)]
    assert len(found) == 1 and found[0].startswith("HT2:210300:A:")

    slip = printables.printable_appointment(loaded, booked.id).item
    assert isinstance(slip, AppointmentSlip)
    text = visible_text(slip)
    assert "请携带以下材料" in text and "1. 公司设立登记" in text and "公司章程（全体股东签署）" in text
    assert "企业登记科" in text and booked.section == "企业登记科"

    # The decoded code, scanned at the desk on arrival (10:00, inside the window), checks the visitor in.
    result = check_scan(loaded, found[0], session=desk_session)
    assert isinstance(result, SlipScan) and result.checked_in and result.ticket is not None
    assert result.ticket.number.startswith("B")
