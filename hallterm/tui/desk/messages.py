"""Messages the desk's thread workers post back to the event loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from hallterm.domain.holders import CardCheck
    from hallterm.services.context import Services


@dataclass
class Connected(Message):
    services: Services
    note: str = ""


@dataclass
class ConnectFailed(Message):
    reason: str


@dataclass
class ServicesReady(Message):
    """Sent to every screen when the database is open (or failed to open: ``error``)."""

    note: str = ""
    error: str = ""


@dataclass
class CardChecked(Message):
    seq: int
    text: str
    check: CardCheck


@dataclass
class ScanRefused(Message):
    """The text is not a usable card number (a typo, scanner garbage) or the database failed."""

    seq: int
    text: str
    reason: str
    retry: bool = False  # a database problem: the same text can simply be submitted again


@dataclass
class Done(Message):
    """A background use case finished; each use case has its own subclass, handled by its own name
    (``CaseOpened`` by ``on_case_opened``). ``result`` is the use case's return value."""

    result: Any = None


@dataclass
class Failed(Message):
    """The use case whose result would have been a ``request`` was refused or failed: ``reason`` is
    the Chinese line to show."""

    request: type[Done]
    reason: str
    parked: bool = False  # the database was away: the use case waits and is sent when it is back
    outage: bool = False  # the database was away (the app's standing notice says so on every screen)


@dataclass
class ServeCalledHolder(Message):
    """From the calling screen (O) to the desk below it: look up the called ticket's holder there."""

    card_no: str
    number: str  # the ticket being served, for the way back to calling
