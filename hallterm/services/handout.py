"""The hand-out at the 统一发证窗口 (S9; issue 13): find what is ready for a holder from the visit
slip or the card, check who takes it (``domain.handout``), record who handed out what to whom.

One hand-out is one write transaction: per case, a ``handouts`` row, the items set 已领取, exactly one
``items_handed_out`` event (details: counter, items, recipient kind, handout id — read by the rating
pad, 好差评), and ``case_closed`` when that was the case's last open item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from hallterm.domain import payloads
from hallterm.domain.cards import MAX_SCAN_LENGTH, parse_scan
from hallterm.domain.checklist import ItemStatus
from hallterm.domain.events import EventKind
from hallterm.domain.handout import CheckedRecipient, Recipient, RecipientError, check_recipient
from hallterm.domain.ids import mask_id, mask_name
from hallterm.domain.payloads import Kind, PayloadError
from hallterm.domain.progress import ProgressError
from hallterm.services.context import Services
from hallterm.services.progress import close_if_finished
from hallterm.services.signing import keyring
from hallterm.services.staff import StaffSession
from hallterm.storage import case_items, events, tickets
from hallterm.storage import handouts as store
from hallterm.storage.handouts import ReadyItem


class HandoutError(RecipientError):
    """Nothing can be handed out (no card, nothing ready, not the issuing window)."""


@dataclass(frozen=True)
class ReadyCase:
    case_id: int
    case_no: str
    items: tuple[ReadyItem, ...]


@dataclass(frozen=True)
class WindowLookup:
    """What waits at the window for the holder scanned."""

    card_no: str
    holder_name: str  # masked
    holder_id_masked: str
    cases: tuple[ReadyCase, ...]

    @property
    def item_ids(self) -> tuple[int, ...]:
        return tuple(i.case_item_id for c in self.cases for i in c.items)


@dataclass(frozen=True)
class HandedOut:
    handout_id: int
    case_id: int
    case_no: str
    item_codes: tuple[str, ...]
    item_names: tuple[str, ...]
    decision_nos: tuple[str, ...]
    case_closed: bool


@dataclass(frozen=True)
class HandoutResult:
    recipient: CheckedRecipient
    counter_code: str
    counter_name: str
    staff_name: str
    at: dt.datetime
    holder_name: str
    cases: tuple[HandedOut, ...]

    @property
    def message(self) -> str:
        count = sum(len(c.item_codes) for c in self.cases)
        closed = [c.case_no for c in self.cases if c.case_closed]
        tail = f"；办件 {'、'.join(closed)} 已办结" if closed else ""
        return f"已发放 {count} 项（{self.recipient.kind_name}：{mask_name(self.recipient.name)}）{tail}"


def issuing_counters(svc: Services) -> list[tickets.CounterRow]:
    with svc.db.read() as conn:
        return tickets.counters_of_kind(conn, "issuing")


def lookup(svc: Services, session: StaffSession, text: str) -> WindowLookup:
    """The holder of a scanned visit slip (``HT2:<region>:V:…``) or card, and what is ready for them.

    A visit slip's signature is checked, but not its day: it is brought back days after the visit,
    and the recipient check, not the slip, guards the hand-out.
    """
    session.require("hand_out")
    value = payloads.normalize(text[:MAX_SCAN_LENGTH])
    with svc.db.read() as conn:
        if payloads.is_slip(value):
            try:
                payload = payloads.verify(value, keyring(svc))
            except PayloadError as exc:
                raise HandoutError(str(exc)) from None
            if payload.kind is not Kind.VISIT:
                raise HandoutError(f"这是{payloads.KIND_NAMES[payload.kind]}：请扫描绿色通道引导单或钢都英才卡")
            card_no = store.card_of_case(conn, payload.fields[0])
            if card_no is None:
                raise HandoutError(f"引导单 {payload.fields[0]} 签名有效，但本大厅没有这个办件的记录，请人工核对")
        else:
            scan = parse_scan(text, svc.card_format)  # ScanError says what is wrong with the text
            assert scan.card_no is not None
            card_no = scan.card_no
        identity = store.holder_identity(conn, card_no)
        if identity is None:
            raise HandoutError(f"卡号 {card_no} 不在持卡人名册中，请核对")
        ready = store.items_in_status(conn, card_no=card_no, statuses=[ItemStatus.READY.value])
    by_case: dict[int, list[ReadyItem]] = {}
    for item in ready:
        by_case.setdefault(item.case_id, []).append(item)
    cases = tuple(ReadyCase(cid, items[0].case_no, tuple(items)) for cid, items in by_case.items())
    return WindowLookup(card_no, mask_name(identity[0]), mask_id(identity[1]), cases)


def hand_out(svc: Services, session: StaffSession, *, counter_code: str, card_no: str,
             case_item_ids: Sequence[int], recipient: Recipient) -> HandoutResult:
    """Hand the chosen ready items to the holder or their authorised agent, after the check."""
    session.require("hand_out")
    if not case_item_ids:
        raise HandoutError("没有选择要发放的事项")
    now = svc.now()
    with svc.db.write() as conn:
        counter = tickets.counter(conn, counter_code)
        if counter is None or counter.kind != "issuing":
            raise HandoutError(f"窗口 {counter_code} 不是统一发证窗口：结果只在统一发证窗口发放（S9）")
        identity = store.holder_identity(conn, card_no)
        if identity is None:
            raise HandoutError(f"卡号 {card_no} 不在持卡人名册中，请核对")
        checked = check_recipient(recipient, identity[0], identity[1], today=svc.today())
        chosen = store.items_by_id(conn, case_item_ids)
        mine = {i.case_item_id for i in store.items_in_status(conn, card_no=card_no, statuses=[
            s.value for s in ItemStatus])}
        if len(chosen) != len(set(case_item_ids)) or any(i.case_item_id not in mine for i in chosen):
            raise HandoutError("所选事项不属于该持卡人：请重新扫描")
        gone = [i for i in chosen if i.status == ItemStatus.HANDED_OUT.value]
        if gone:
            raise HandoutError(f"{'、'.join(i.item_name for i in gone)}已经发放，不能重复发放：请重新扫描")
        not_ready = [i for i in chosen if i.status != ItemStatus.READY.value]
        if not_ready:
            names = "、".join(i.item_name for i in not_ready)
            raise ProgressError(f"{names}尚未送到统一发证窗口待领取，不能发放：请协调员先标记待领取")
        by_case: dict[int, list[ReadyItem]] = {}
        for item in chosen:
            by_case.setdefault(item.case_id, []).append(item)
        done: list[HandedOut] = []
        for case_id, items in by_case.items():
            codes = tuple(i.item_code for i in items)
            handout_id = store.insert_handout(
                conn, case_id=case_id, item_codes=codes, recipient_kind=checked.kind.value,
                recipient_name=checked.name, recipient_id_masked=checked.id_masked,
                power_of_attorney=checked.power_of_attorney, staff_id=session.staff_id, counter_code=counter.code,
                at=now)
            for item in items:
                if not case_items.move_item(conn, item.case_item_id, ItemStatus.READY.value,
                                            status=ItemStatus.HANDED_OUT.value, closed_on=svc.today()):
                    raise HandoutError(f"{item.item_name}刚在其他窗口发放：请重新扫描")
            # The contract with the rating pad (好差评): exactly one event per case, counter and item codes.
            events.append(conn, EventKind.ITEMS_HANDED_OUT, now, staff_id=session.staff_id, case_id=case_id,
                          counter=counter.code, items=list(codes), recipient_kind=checked.kind.value,
                          handout_id=handout_id)
            closed = close_if_finished(conn, case_id, now, session.staff_id)
            done.append(HandedOut(handout_id, case_id, items[0].case_no, codes, tuple(i.item_name for i in items),
                                  tuple(i.decision_no for i in items), closed))
    return HandoutResult(checked, counter.code, counter.name, session.name, now, identity[0], tuple(done))

