"""QR payloads: forged, truncated, another hall's key, random text → PayloadError, never a crash."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import example, given
from hypothesis import strategies as st

from hallterm.domain.payloads import Keyring, PayloadError, Refusal, ticket_payload, verify, visit_payload

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
HALL = Keyring("K1", {"K1": b"hall-secret-0123456789-012345678"}, region="210300")
OTHER_HALL = Keyring("K2", {"K2": b"another-hall-secret-987-01234567"}, region="210300")
DAY = dt.date(2026, 12, 4)
GOOD = ticket_payload(DAY, "A001", HALL)

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


def _refused(text: str, keyring: Keyring = HALL) -> PayloadError:
    try:
        verify(text, keyring)
    except PayloadError as exc:
        assert _CHINESE.search(str(exc)), str(exc)
        return exc
    raise AssertionError(f"accepted: {text!r}")


@given(st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin-1")),
                 st.text().map(lambda t: "HT1:" + t), st.text().map(lambda t: "HT2:" + t)))
@example("HT1:A\x00B:C:D:E")  # a NUL in the kind was quoted back in the message
@example("HT1:T\x1b[2J:20261204:A001:K1:AAAA")
def test_random_text_is_refused_or_verifies(text: str) -> None:
    try:
        payload = verify(text, HALL)
    except PayloadError as exc:
        assert _CHINESE.search(str(exc)) and str(exc).isprintable(), str(exc)
        return
    assert payload.key_id == "K1"  # only a correctly signed one gets here


@given(st.integers(min_value=0, max_value=len(GOOD) - 1))
def test_a_truncated_payload_is_refused(cut: int) -> None:
    assert _refused(GOOD[:cut]).reason in {Refusal.MALFORMED, Refusal.BAD_SIGNATURE}


@given(st.integers(min_value=0, max_value=len(GOOD) - 1), st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
def test_a_changed_character_is_refused(at: int, char: str) -> None:
    forged = GOOD[:at] + char + GOOD[at + 1:]
    if forged == GOOD:
        return
    assert _refused(forged).reason in {Refusal.MALFORMED, Refusal.BAD_SIGNATURE, Refusal.UNKNOWN_KEY,
                                       Refusal.OTHER_HALL, Refusal.OLD_FORMAT, Refusal.TEST_SLIP}


@given(days, st.from_regex(r"[A-Z][0-9]{3}", fullmatch=True))
def test_a_slip_of_a_key_this_hall_lacks_is_refused_as_an_unknown_key(day: dt.date, number: str) -> None:
    assert _refused(ticket_payload(day, number, OTHER_HALL)).reason is Refusal.UNKNOWN_KEY


@given(days, st.from_regex(r"[A-Z][0-9]{3}", fullmatch=True), st.from_regex(r"[0-9]{6}", fullmatch=True))
def test_another_halls_slip_is_refused_as_another_halls_even_with_this_halls_key(
        day: dt.date, number: str, region: str) -> None:
    # Issue 16 point 10: a key file copied to another hall signs nothing this hall accepts.
    theirs = Keyring("K1", HALL.secrets, region=region)
    if region == HALL.region:
        return
    refused = _refused(ticket_payload(day, number, theirs))
    assert refused.reason is Refusal.OTHER_HALL and region in str(refused)


@given(days, st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True))
def test_a_replayed_slip_still_verifies_the_same(day: dt.date, case_no: str) -> None:
    # Replay is refused by the day check and the services' one-use records; verify itself is pure.
    text = visit_payload(case_no, day, HALL)
    assert verify(text, HALL) == verify(text, HALL)
