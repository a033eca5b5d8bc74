"""Synthetic card holders, the one source for ``hallterm demo`` and ``hallterm bench``.

Plausible and deterministic for a seed: every card number and resident ID carries a valid check
character, names come from ``assets/demo_names.toml``. Fast enough for the bench's 100,000 holders
(``rng.random()`` arithmetic rather than ``randint``/``choice``).
"""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hallterm.domain.cards import CardFormat
from hallterm.domain.holders import TIERS, CardStatus
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.reference import ReferenceDataError
from hallterm.domain.roster import RosterRow

# Region codes of Anshan's districts and counties (GB/T 2260), for plausible resident IDs.
REGIONS = ("210302", "210303", "210304", "210311", "210321", "210323", "210381")
TIER_WEIGHTS = {"A": 3, "B": 10, "C": 25, "D": 40, "E": 22}
# The year in a card number, the card being issued in it. Recent years: most cards are still valid.
CARD_YEARS = (2022, 2023, 2024, 2025, 2026)
SERIAL_MAX = 99_999  # the card number's five-digit serial
EXPIRED_EVERY = 25  # every 25th card ran out (4%): the desk must say so
REVOKED_EVERY = 500  # one in 500 revoked: exactly one among the demo's 300 holders
NAMES_FILE = "demo_names.toml"


@dataclass(frozen=True)
class NameLists:
    """The word lists holders are made of: surnames, given-name characters, employers."""

    surnames: tuple[str, ...]
    given: tuple[str, ...]
    employers: tuple[str, ...]


def load_names(assets_dir: Path) -> NameLists:
    """The word lists, or ReferenceDataError naming the file and what to fix (the hall may edit it)."""
    path = assets_dir / NAMES_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceDataError(str(path), None, "文件不存在") from None
    except UnicodeDecodeError:
        raise ReferenceDataError(str(path), None, "不是 UTF-8 编码，请另存为 UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceDataError(str(path), None, f"TOML 语法错误：{exc}") from None
    lists = []
    for key in ("surnames", "given", "employers"):
        words = data.get(key)
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise ReferenceDataError(str(path), None, f"{key} 应为非空的文本列表，例如 {key} = [\"王\", \"李\"]")
        lists.append(tuple(words))
    return NameLists(*lists)


def synthetic_holders(count: int, rng: random.Random, names: NameLists, card_format: CardFormat,
                      today: dt.date) -> Iterator[RosterRow]:
    """``count`` holders with distinct card numbers; 4% expired, 0.2% revoked, the rest active.

    Row ``line`` numbers start at 2, as in a roster file under its header.
    """
    assert set(TIER_WEIGHTS) == set(TIERS)
    if count > SERIAL_MAX * len(CARD_YEARS):
        raise ValueError(f"at most {SERIAL_MAX * len(CARD_YEARS):,} holders fit the card-number format")
    tiers = "".join(t * w for t, w in TIER_WEIGHTS.items())
    surnames, given, employers = names.surnames, names.given, names.employers
    make = card_format.make
    rnd = rng.random
    for n in range(count):
        # (year, serial) is distinct for every n, the serial within its five digits.
        year = CARD_YEARS[n % len(CARD_YEARS)]
        serial = n // len(CARD_YEARS) + 1
        tier = tiers[int(rnd() * len(tiers))]
        issued = dt.date(year, 1 + int(rnd() * 12), 1 + int(rnd() * 28))
        if issued > today:
            issued = today - dt.timedelta(days=1 + int(rnd() * 60))
        expires = issued.replace(year=issued.year + 5) - dt.timedelta(days=1)
        status = CardStatus.ACTIVE
        if n % REVOKED_EVERY == 11:
            status = CardStatus.REVOKED
        elif n % EXPIRED_EVERY == 3:
            status = CardStatus.EXPIRED
            expires = today - dt.timedelta(days=1 + int(rnd() * 400))
            issued = min(issued, expires - dt.timedelta(days=365))
        body = (f"{REGIONS[int(rnd() * len(REGIONS))]}{1960 + int(rnd() * 39)}"
                f"{1 + int(rnd() * 12):02d}{1 + int(rnd() * 28):02d}{int(rnd() * 1000):03d}")
        name = surnames[int(rnd() * len(surnames))] + given[int(rnd() * len(given))]
        if rnd() < 0.7:
            name += given[int(rnd() * len(given))]
        yield RosterRow(n + 2, make(f"GD{year}{tier}{serial:05d}"), name, body + resident_id_check_char(body), tier,
                        issued, expires, status, f"13{100_000_000 + int(rnd() * 900_000_000)}",
                        employers[int(rnd() * len(employers))])
