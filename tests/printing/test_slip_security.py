"""Slips that must not be credentials (issue 16 points 1 and 10): the samples of ``hallterm print test``,
an appointment slip whose day or slot is not the appointment's, another hall's slip, a slip printed
before the region was signed, and signing secrets too short to resist guessing.

Each goes through the desk's own ``check_scan`` on a real SQLite file, with the hall's own key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import update

from hallterm.config import Settings, load_settings
from hallterm.config_checks import ConfigError
from hallterm.domain import payloads
from hallterm.domain.cards import ScanError
from hallterm.printing.samples import sample_slips
from hallterm.services import queue, signing
from hallterm.services.check_in import SlipScan, check_scan
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage import events
from hallterm.storage.tables import appointments
from tests.printing.conftest import NOW_LOCAL, slip_environ

TODAY = NOW_LOCAL.date()


def _refusals(svc: Services) -> list[str]:
    with svc.db.read() as conn:
        return [e.details["reason"] for e in events.recent(conn, kind="slip_refused")]


def _checked_in(svc: Services, appointment_id: int) -> bool:
    with svc.db.read() as conn:
        row = conn.execute(appointments.select().where(appointments.c.id == appointment_id)).one()
    return bool(row.status == "checked_in")


# --- point 1: test slips are not credentials ---------------------------------------------------------


def test_the_print_test_appointment_slip_does_not_check_in_appointment_123(
        loaded: Services, desk_session: StaffSession, cards: dict[str, str]) -> None:
    """The issue's own case: `print test` run yesterday made HT…:A:123:<today>:0930 with the hall's key;
    appointment 123 is real (booked for today 14:00 here) and must not be checked in by it."""
    booked = queue.book_appointment(loaded, cards["valid"], TODAY, "14:00", "14:30")
    with loaded.db.write() as conn:
        conn.execute(update(appointments).where(appointments.c.id == booked).values(id=123))
    yesterday = NOW_LOCAL - dt.timedelta(days=1)
    slips = {s.kind: s for s in sample_slips(signing.keyring(loaded), yesterday)}
    sample = slips["appointment"].payload  # dated tomorrow-of-yesterday: today
    assert payloads.normalize(sample).split(":")[1] == payloads.TEST_REGION
    with pytest.raises(ScanError, match="打印测试样张") as info:
        check_scan(loaded, sample, session=desk_session)
    assert "不能据此办理" in str(info.value)
    assert not _checked_in(loaded, 123)
    assert _refusals(loaded) == ["test_slip"]


def test_every_sample_slip_is_refused_at_the_desk_and_named_by_hallterm_scan(
        loaded: Services, desk_session: StaffSession, settings: Settings) -> None:
    from hallterm import cli_scan

    for slip in sample_slips(signing.keyring(loaded), NOW_LOCAL):
        with pytest.raises(ScanError, match="打印测试样张"):
            check_scan(loaded, slip.payload, session=desk_session)
        said = cli_scan.describe(slip.payload, settings)
        assert said.startswith("打印测试样张") and "签名有效" in said and "柜台不会受理" in said, said
    assert _refusals(loaded) == ["test_slip"] * 4


def test_a_test_mark_cannot_be_swapped_for_the_halls_region(loaded: Services, desk_session: StaffSession) -> None:
    """The mark is inside the signed text: editing TEST into 210300 breaks the signature."""
    sample = sample_slips(signing.keyring(loaded), NOW_LOCAL)[0].payload
    real = sample.replace(f":{payloads.TEST_REGION}:", f":{loaded.settings.hall.region_code}:")
    with pytest.raises(ScanError, match="签名校验失败"):
        check_scan(loaded, real, session=desk_session)
    assert _refusals(loaded) == ["bad_signature"]


@pytest.mark.parametrize(("day_offset", "start"), [(0, "09:30"), (1, "10:30"), (0, "10:00")])
def test_an_appointment_slip_must_name_the_appointments_day_and_slot(
        loaded: Services, desk_session: StaffSession, cards: dict[str, str], day_offset: int, start: str) -> None:
    """Signed with the hall's key, the right number, but another slot or day: refused, not checked in."""
    booked = queue.book_appointment(loaded, cards["valid"], TODAY, "10:30", "11:00")
    slip = signing.appointment_payload(loaded, booked, TODAY + dt.timedelta(days=day_offset), start)
    with pytest.raises(ScanError, match="回执上的日期或时段与预约不符") as info:
        check_scan(loaded, slip, session=desk_session)
    assert "今天 10:30" in str(info.value)
    assert not _checked_in(loaded, booked)
    assert _refusals(loaded) == ["outdated"]
    result = check_scan(loaded, signing.appointment_payload(loaded, booked, TODAY, "10:30"), session=desk_session)
    assert isinstance(result, SlipScan) and result.checked_in  # its own slip still checks in


# --- point 10: the region is signed; old slips; secrets of 32 characters or more --------------------------


def _other_hall_ring(svc: Services, region: str) -> payloads.Keyring:
    ring = signing.keyring(svc)  # the same key id and secret: a key file copied to another hall by mistake
    return payloads.Keyring(ring.current, ring.secrets, region=region)


def test_another_halls_slip_is_reported_as_another_halls(loaded: Services, desk_session: StaffSession) -> None:
    theirs = payloads.ticket_payload(TODAY, "A017", _other_hall_ring(loaded, "210400"))
    with pytest.raises(ScanError, match=r"其他大厅（区划代码 210400）签发的排队票"):
        check_scan(loaded, theirs, session=desk_session)
    # With a key this hall has never had, still another hall's (not "forged", not "unknown key").
    stranger = payloads.Keyring("K9", {"K9": b"z" * 40}, region="210500")
    with pytest.raises(ScanError, match=r"其他大厅（区划代码 210500）"):
        check_scan(loaded, payloads.visit_payload("210500-20261126-0001", TODAY, stranger), session=desk_session)
    assert _refusals(loaded) == ["other_hall", "other_hall"]


def test_the_region_is_inside_the_signature(loaded: Services, desk_session: StaffSession) -> None:
    theirs = payloads.ticket_payload(TODAY, "A017", _other_hall_ring(loaded, "210400"))
    relabelled = theirs.replace(":210400:", f":{loaded.settings.hall.region_code}:")
    with pytest.raises(ScanError, match="签名校验失败"):
        check_scan(loaded, relabelled, session=desk_session)


def test_a_slip_printed_before_the_region_was_signed_is_refused_clearly(
        loaded: Services, desk_session: StaffSession, cards: dict[str, str]) -> None:
    """HT1 (no region, and print test's samples were real then) is refused with what to do instead."""
    booked = queue.book_appointment(loaded, cards["valid"], TODAY, "10:30", "11:00")
    ring = signing.keyring(loaded)
    message = f"HT1:A:{booked}:{TODAY:%Y%m%d}:1030:{ring.current}"
    old = f"{message}:{payloads.signature(ring.secrets[ring.current], message)}"
    with pytest.raises(ScanError, match="旧版回执（HT1），已停用") as info:
        check_scan(loaded, old, session=desk_session)
    assert "英才卡签到" in str(info.value) and "重新取号" in str(info.value)
    assert not _checked_in(loaded, booked)
    assert _refusals(loaded) == ["old_format"]


@pytest.mark.parametrize("length", [16, 20, 31])
def test_a_signing_secret_shorter_than_32_characters_is_refused(tmp_path: Path, db_file: Path, length: int) -> None:
    secret = "Sx9" * 20
    with pytest.raises(ConfigError) as info:
        load_settings(environ=slip_environ(tmp_path, db_file, HALLTERM_SIGNING_SECRET=secret[:length]))
    said = str(info.value)
    assert "signing.secret" in said and "至少 32 个字符" in said and secret[:length] not in said
    assert load_settings(environ=slip_environ(tmp_path, db_file, HALLTERM_SIGNING_SECRET=secret[:32]))


def test_a_short_secret_in_the_key_file_is_refused_with_what_to_do(settings: Settings) -> None:
    path = settings.signing.key_path
    path.parent.mkdir(parents=True)
    path.write_text("K0 " + "a" * 40 + "\nK1 short-but-16-chars\n", encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(signing.SigningKeyError) as info:
        signing.load_keyring(settings.signing, region="210300")
    said = str(info.value)
    assert "K1" in said and "太短" in said and "key_id" in said and "short-but" not in said
