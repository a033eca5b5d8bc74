"""Signed QR payloads of the hall's slips: HT2:<region>:<kind>:<fields…>:<key id>:<signature> (issue 6, point 3)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hallterm.domain.payloads import (
    Keyring,
    Kind,
    PayloadError,
    Refusal,
    appointment_payload,
    check_day,
    sign,
    signature,
    ticket_payload,
    verify,
    visit_payload,
)

D = dt.date
DAY = D(2026, 11, 26)
RING = Keyring("K1", {"K1": b"hall-secret-0123456789-012345678"}, region="210300")
QR_ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]+")


def test_a_ticket_payload_is_short_ascii_in_the_qr_alphanumeric_set_and_verifies() -> None:
    text = ticket_payload(DAY, "a017", RING)
    assert re.fullmatch(r"HT2:210300:Q:20261126:A017:K1:[A-Z2-7]{16}", text)
    assert QR_ALPHANUMERIC.fullmatch(text) and len(text) <= 52
    payload = verify(text, RING)
    assert (payload.kind, payload.fields, payload.key_id, payload.day) == (Kind.TICKET, ("20261126", "A017"), "K1",
                                                                            DAY)


def test_appointment_and_visit_payloads() -> None:
    appointment = verify(appointment_payload(123, D(2026, 11, 27), "09:30", RING), RING)
    assert (appointment.kind, appointment.fields, appointment.day) == (Kind.APPOINTMENT, ("123", "20261127", "0930"),
                                                                       D(2026, 11, 27))
    visit = verify(visit_payload("210300-20261126-0007", DAY, RING), RING)
    assert (visit.kind, visit.fields) == (Kind.VISIT, ("210300-20261126-0007", "20261126"))


def test_the_signature_is_truncated_hmac_sha256_in_base32() -> None:
    import base64
    import hashlib
    import hmac

    text = ticket_payload(DAY, "A017", RING)
    message, sig = text.rsplit(":", 1)
    expected = base64.b32encode(hmac.new(RING.secrets["K1"], message.encode(), hashlib.sha256).digest()[:10])
    assert sig == expected.decode().rstrip("=") == signature(RING.secrets["K1"], message)


@pytest.mark.parametrize("typed", [
    "ht2:210300:q:20261126:a017:k1:{sig}",  # Caps Lock: the scanner sends lower case
    "HT2：210300：Q：20261126：A017：K1：{SIG}",  # a Chinese IME's full-width colon
    " HT2:210300:Q:20261126:A017:K1:{SIG}\r\n",  # the scanner's suffix and stray spaces
    "ＨＴ２:２１０３００:Q:20261126:A017:K1:{SIG}\t",  # full-width letters
])
def test_what_scanners_and_input_methods_do_to_it_is_undone(typed: str) -> None:
    sig = ticket_payload(DAY, "A017", RING).rsplit(":", 1)[1]
    assert verify(typed.format(sig=sig.lower(), SIG=sig), RING).fields == ("20261126", "A017")


@pytest.mark.parametrize("altered", [
    "HT2:210300:Q:20261126:A018:K1:{sig}",  # another number
    "HT2:210300:Q:20261127:A017:K1:{sig}",  # another day
    "HT2:210300:A:20261126:A017:K1:{sig}",  # another kind (and the wrong fields for it)
])
def test_an_altered_payload_is_refused(altered: str) -> None:
    sig = ticket_payload(DAY, "A017", RING).rsplit(":", 1)[1]
    with pytest.raises(PayloadError) as info:
        verify(altered.format(sig=sig), RING)
    assert info.value.reason in {Refusal.BAD_SIGNATURE, Refusal.MALFORMED}
    assert "人工核对" in str(info.value)


def test_a_forged_signature_says_forged_or_altered() -> None:
    text = ticket_payload(DAY, "A017", RING)
    forged = text[:-16] + ("A" * 16 if not text.endswith("A" * 16) else "B" * 16)
    with pytest.raises(PayloadError) as info:
        verify(forged, RING)
    assert info.value.reason is Refusal.BAD_SIGNATURE
    assert "伪造" in str(info.value) and "涂改" in str(info.value)


def test_a_slip_signed_with_another_secret_is_refused() -> None:
    other = Keyring("K1", {"K1": b"another-hall-secret-99-012345678"}, region="210300")
    with pytest.raises(PayloadError) as info:
        verify(ticket_payload(DAY, "A017", other), RING)
    assert info.value.reason is Refusal.BAD_SIGNATURE


def test_an_unknown_key_id_is_refused_with_its_own_message() -> None:
    with pytest.raises(PayloadError) as info:
        verify(ticket_payload(DAY, "A017", Keyring("K9", {"K9": b"x" * 40}, region="210300")), RING)
    assert info.value.reason is Refusal.UNKNOWN_KEY
    assert "K9" in str(info.value) and "密钥" in str(info.value)


def test_key_rotation_new_key_signs_and_the_retired_key_still_verifies() -> None:
    old = ticket_payload(DAY, "A001", RING)
    rotated = Keyring("K2", {"K1": RING.secrets["K1"], "K2": b"the-new-secret-abcdef-0123456789"}, region="210300")
    new = ticket_payload(DAY, "A002", rotated)
    assert ":K2:" in new
    assert verify(old, rotated).key_id == "K1"
    assert verify(new, rotated).key_id == "K2"
    with pytest.raises(PayloadError):
        verify(new, RING)  # a terminal that has not got the new key yet refuses it


@pytest.mark.parametrize("text", ["", "HT2", "HT2:210300:Q", "HT2:210300:Q:20261126:K1:AAAAAAAAAAAAAAAA",
                                  "HT2:210300:X:20261126:A017:K1:AAAAAAAAAAAAAAAA",
                                  "HT3:210300:Q:20261126:A017:K1:AAAAAAAAAAAAAAAA",
                                  "HT2:210300:Q:20261126:A017:K1:SHORT",
                                  "HT2:210300:Q:20261126:王五:K1:AAAAAAAAAAAAAAAA",
                                  "GD2022A000178"])
def test_malformed_payloads_are_refused(text: str) -> None:
    with pytest.raises(PayloadError) as info:
        verify(text, RING)
    assert info.value.reason is Refusal.MALFORMED


def test_a_validly_signed_impossible_date_is_refused() -> None:
    # Signed by a key holder but not a date: still never a crash.
    text = sign(Kind.TICKET, ("20261341", "A017"), RING)
    with pytest.raises(PayloadError) as info:
        verify(text, RING)
    assert info.value.reason is Refusal.MALFORMED


def test_a_slip_is_good_on_its_day_only() -> None:
    ticket = verify(ticket_payload(DAY, "A017", RING), RING)
    check_day(ticket, DAY)
    with pytest.raises(PayloadError) as info:
        check_day(ticket, DAY + dt.timedelta(days=1))
    assert info.value.reason is Refusal.EXPIRED and "过号无效" in str(info.value)
    appointment = verify(appointment_payload(5, D(2026, 11, 30), "10:00", RING), RING)
    with pytest.raises(PayloadError) as info:
        check_day(appointment, DAY)
    assert info.value.reason is Refusal.NOT_YET and "2026-11-30" in str(info.value)
    with pytest.raises(PayloadError) as info:
        check_day(appointment, D(2026, 12, 1))
    assert info.value.reason is Refusal.EXPIRED


def test_fields_are_checked_when_signing() -> None:
    with pytest.raises(ValueError):
        sign(Kind.TICKET, ("20261126", "A:017"), RING)
    with pytest.raises(ValueError):
        sign(Kind.TICKET, ("20261126",), RING)
    with pytest.raises(ValueError):
        Keyring("K1", {"K1": b"short"}, region="210300")
    with pytest.raises(ValueError):
        Keyring("K2", {"K1": b"x" * 40}, region="210300")


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ:-"


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_single_character_change_is_refused(data: st.DataObject) -> None:
    number = data.draw(st.from_regex(r"[A-Z]{1,2}[0-9]{3}", fullmatch=True))
    text = ticket_payload(DAY, number, RING)
    index = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != text[index]))
    changed = text[:index] + replacement + text[index + 1:]
    with pytest.raises(PayloadError):
        verify(changed, RING)
