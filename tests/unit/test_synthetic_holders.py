"""The synthetic card holders of the demo and the bench: valid, distinct, deterministic, every kind present."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from hallterm.config import Settings
from hallterm.domain.cards import DEFAULT_FORMAT
from hallterm.domain.holders import CardStatus
from hallterm.domain.ids import is_valid_resident_id
from hallterm.domain.roster import RosterRow
from hallterm.services.synthetic_holders import NameLists, load_names, synthetic_holders

TODAY = dt.date(2026, 3, 4)


@pytest.fixture
def names(settings: Settings) -> NameLists:
    return load_names(settings.paths.assets_dir)


def _holders(names: NameLists, count: int, seed: int = 7) -> list[RosterRow]:
    return list(synthetic_holders(count, random.Random(seed), names, DEFAULT_FORMAT, TODAY))


def test_card_numbers_are_distinct_and_valid_resident_ids_too(names: NameLists) -> None:
    rows = _holders(names, 5000)
    assert len({r.card_no for r in rows}) == 5000
    assert all(DEFAULT_FORMAT.is_valid(r.card_no) and DEFAULT_FORMAT.tier_of(r.card_no) == r.tier for r in rows)
    assert all(is_valid_resident_id(r.id_number, TODAY) for r in rows)
    assert all(r.issued_on <= TODAY and r.issued_on < r.expires_on for r in rows)
    assert all(r.phone.startswith("13") and len(r.phone) == 11 and r.employer in names.employers for r in rows)


def test_the_demo_size_has_exactly_one_revoked_and_some_expired_cards(names: NameLists) -> None:
    rows = _holders(names, 300)
    statuses = Counter(r.status for r in rows)
    assert statuses[CardStatus.REVOKED] == 1
    assert statuses[CardStatus.EXPIRED] == 12
    assert all(r.expires_on < TODAY for r in rows if r.status is CardStatus.EXPIRED)
    assert {r.tier for r in rows} == set("ABCDE")


def test_the_same_seed_gives_the_same_holders(names: NameLists) -> None:
    assert _holders(names, 50) == _holders(names, 50)
    assert _holders(names, 50) != _holders(names, 50, seed=8)
