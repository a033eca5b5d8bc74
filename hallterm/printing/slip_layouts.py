"""The thermal slips: queue ticket, appointment slip and the green-channel visit slip (S6, S9).

Each slip is a plain frozen dataclass the queue and case code fill in (no database rows), laid out
once for both the printer (``render``: a 1-bit image 384 or 576 dots wide, 58 or 80 mm at 203 dpi)
and the desk's preview (``preview``: the same content as text). Names are masked on every slip
(张*明), whatever the caller passes: slips are handed to visitors and left on counters.

The QR payload is made by the caller (``hallterm.services.signing`` signs it): the layout only
draws it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from PIL import Image

from hallterm.domain.floors import floor_name
from hallterm.domain.ids import mask_name
from hallterm.domain.weekdays import weekday_name, weekday_name_en
from hallterm.printing.layout import Align, ImageSheet, Role, Sheet, TextSheet

DEFAULT_HALL = "鞍山市政务服务中心"

# The visit slip's line on when the duty roster applied (S6), for bilingual slips.
PERIOD_ENGLISH = {"延时服务时段": "Extended hours", "值班时段": "Weekend duty", "节假日值班": "Holiday duty"}

# English for foreign talent (printing.bilingual): labels are followed by it, sentences get a line of it.
EN = {
    "持卡人": "Holder",
    "预约人": "Name",
    "取号时间": "Issued",
    "前面等候": "Ahead",
    "等候地点": "Wait at",
    "预约号": "Booking",
    "科室": "Section",
    "办理地点": "Served at",
    "签到地点": "Check in",
    "办件编号": "Case No.",
    "协调员": "Coordinator",
    "值班协调员接待": "On duty",
    "值班人员接待": "On duty",
    "开办时间": "Opened",
    "办理事项": "Items",
    "排队": "Queue",
    "领取方式": "Collected by",
    "领取人": "Recipient",
    "证件号码": "ID No.",
    "发放时间": "Handed out",
    "经办人": "Staff",
}


@dataclass(frozen=True)
class TicketSlip:
    """A queue ticket (叫号票), e.g. A017."""

    number: str  # A017
    series_name: str  # what the series is: 绿色通道现场取号, 预约签到 …
    issued_at: dt.datetime  # hall-local time
    people_ahead: int
    wait_where: str  # 一楼重点项目服务区等候区
    payload: str  # signed HT2:<region>:Q:… (hallterm.services.signing.ticket_payload)
    name: str = ""  # masked on the slip whatever is given
    slot: str = ""  # 09:30–10:00 for an appointment ticket
    hall_name: str = DEFAULT_HALL
    rule: str = "过号无效，请重新取号"
    bilingual: bool = False

    kind = "ticket"

    @property
    def title(self) -> str:
        return f"排队票 {self.number}"


@dataclass(frozen=True)
class ItemToBring:
    """One approval item of an appointment and the materials to bring for it (from the catalog)."""

    name: str
    materials: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppointmentSlip:
    """An appointment slip (预约回执): shown at the counter, its QR code checks the visitor in (S6)."""

    reference: str  # the booking's number as staff and visitor say it
    day: dt.date
    slot_start: str  # "09:30"
    slot_end: str
    items: tuple[ItemToBring, ...]
    floor: int | None  # where the visitor is served
    room: str
    payload: str  # signed HT2:<region>:A:… (hallterm.services.signing.appointment_payload)
    name: str = ""  # masked on the slip
    check_in_at: str = "一楼绿色通道窗口"
    after_hours: bool = False  # 延时服务 (S6)
    hall_name: str = DEFAULT_HALL
    bilingual: bool = False
    section: str = ""  # the section the slot belongs to (业务协调科, 企业登记科…; assets/hours.toml)

    kind = "appointment"

    @property
    def title(self) -> str:
        return f"预约回执 {self.reference}（{self.day:%m-%d} {self.slot_start}）"


@dataclass(frozen=True)
class VisitSlip:
    """The green-channel visit slip (绿色通道引导单): which lounge to wait in and who comes (S4, S9)."""

    case_no: str
    opened_at: dt.datetime  # hall-local time
    items: tuple[str, ...]
    lounge: str  # 业务洽谈室3; empty while the case waits for a seat
    floor: int | None
    coordinator: str  # name and extension, e.g. 李娜（分机 8012）; empty while unassigned
    payload: str  # signed HT2:<region>:V:…
    name: str = ""  # masked on the slip
    queue_position: int | None = None  # when no lounge or coordinator is free yet
    hall_name: str = DEFAULT_HALL
    bilingual: bool = False
    waiting_reason: str = ""  # why it waits, short (协调员均不在岗，预计 14:00 回岗); empty: the generic line
    proxy_note: str = ""  # the 帮办代办 promised is not on duty: when one comes (最早 11月27日 08:30 到岗后联系您)
    duty: str = ""  # 值班协调员 / 值班人员: the after-hours duty roster chose who receives the case (S6)
    duty_period: str = ""  # 延时服务时段 / 值班时段 / 节假日值班: when the roster applied (S6)

    kind = "visit"

    @property
    def title(self) -> str:
        return f"引导单 {self.case_no}"


@dataclass(frozen=True)
class HandoutReceipt:
    """The hand-out receipt (领证回执) of the 统一发证窗口 (S9): what was handed to whom, when, by whom."""

    case_no: str
    handed_out_at: dt.datetime  # hall-local time
    items: tuple[str, ...]  # item name, with its decision's document number
    recipient_kind: str  # 本人领取 | 代理人领取
    recipient_name: str  # masked on the receipt
    recipient_id: str  # already masked (the whole number is never kept)
    counter: str  # 统一发证窗口
    staff: str  # who handed out
    payload: str  # signed HT2:<region>:H:…
    name: str = ""  # the holder, masked
    hall_name: str = DEFAULT_HALL
    bilingual: bool = False

    kind = "handout"

    @property
    def title(self) -> str:
        return f"领证回执 {self.case_no}"


Slip = TicketSlip | AppointmentSlip | VisitSlip | HandoutReceipt
SLIP_TYPES: dict[str, type] = {"ticket": TicketSlip, "appointment": AppointmentSlip, "visit": VisitSlip,
                               "handout": HandoutReceipt}


# --- layouts ---------------------------------------------------------------------------------------


def _label(text: str, bilingual: bool) -> str:
    return f"{text} {EN[text]}" if bilingual and text in EN else text


def _say(sheet: Sheet, zh: str, en: str, bilingual: bool, *, role: Role = Role.SMALL, bold: bool = False) -> None:
    sheet.text(zh, role, align=Align.CENTER, bold=bold)
    if bilingual and en:
        sheet.text(en, Role.SMALL, align=Align.CENTER)


def _head(sheet: Sheet, hall: str, heading: str, heading_en: str, bilingual: bool) -> None:
    sheet.text(hall, Role.TITLE, align=Align.CENTER, bold=True)
    sheet.text(heading, Role.HEADING, align=Align.CENTER)
    if bilingual:
        sheet.text(heading_en, Role.SMALL, align=Align.CENTER)
    sheet.rule()


_NUMERALS = "一二三四五六七八九十"
_PLACE_EN = [  # what a foreign visitor must find: floors, rooms, windows, extensions (bilingual slips)
    (re.compile(f"([{_NUMERALS}])楼"), lambda m: f"{_NUMERALS.index(m.group(1)) + 1}F "),
    (re.compile(f"地下([{_NUMERALS}])层"), lambda m: f"B{_NUMERALS.index(m.group(1)) + 1} "),  # floor_name(-1)
    (re.compile(r"([0-9]+)楼"), lambda m: f"{m.group(1)}F "),
    (re.compile(r"业务洽谈室\s*([0-9]+)"), lambda m: f"Meeting Room {m.group(1)}"),
    (re.compile(r"绿色通道\s*([0-9]+)\s*号窗口"), lambda m: f"Green Channel Window {m.group(1)}"),
    (re.compile(r"绿色通道窗口"), lambda m: "Green Channel windows"),
    (re.compile(r"统一发证窗口"), lambda m: "Issuing window"),
    (re.compile(r"分机\s*([0-9]+)"), lambda m: f"ext. {m.group(1)}"),
]


def place_en(text: str) -> str:
    """The English of a place or extension on a slip, or "" when nothing in it is known."""
    english = text
    for pattern, words in _PLACE_EN:
        english = pattern.sub(words, english)
    if english == text:
        return ""
    return re.sub(r"\s+", " ", english.replace("（", " (").replace("）", ")")).strip()


def _with_english(value: str, bilingual: bool) -> str:
    english = place_en(value) if bilingual else ""
    return f"{value} / {english}" if english else value


def _pairs(sheet: Sheet, rows: list[tuple[str, str]], bilingual: bool) -> None:
    shown = [(_label(label, bilingual), value) for label, value in rows if value]
    sheet.label_column([label for label, _ in shown])
    for label, value in shown:
        sheet.pair(label, value)


def layout_ticket(slip: TicketSlip, sheet: Sheet) -> None:
    b = slip.bilingual
    _head(sheet, slip.hall_name, "绿色通道 排队票", "Green Channel Queue Ticket", b)
    sheet.text(slip.number, Role.BIG, align=Align.CENTER, bold=True)
    sheet.text(slip.series_name + (f"  {slip.slot}" if slip.slot else ""), Role.BODY, align=Align.CENTER)
    sheet.rule(dashed=True)
    ahead = f"{slip.people_ahead} 人" + (f" / {slip.people_ahead} waiting" if b else "")
    _pairs(sheet, [("持卡人", mask_name(slip.name)), ("取号时间", f"{slip.issued_at:%Y-%m-%d %H:%M}"),
                   ("前面等候", ahead), ("等候地点", _with_english(slip.wait_where, b))], b)
    sheet.rule(dashed=True)
    sheet.qr(slip.payload)
    _say(sheet, "请留意叫号屏幕和广播，叫到后请到绿色通道窗口",
         "Please watch the display; when called, go to the green-channel counter.", b)
    _say(sheet, slip.rule, "A missed call voids this ticket: please take a new one.", b, role=Role.BODY, bold=True)
    _say(sheet, "本票当日有效", "Valid today only.", b)


def layout_appointment(slip: AppointmentSlip, sheet: Sheet) -> None:
    b = slip.bilingual
    _head(sheet, slip.hall_name, "预约回执", "Appointment Slip", b)
    sheet.text(f"{slip.day.year}年{slip.day.month}月{slip.day.day}日", Role.LARGE, align=Align.CENTER, bold=True)
    sheet.text(weekday_name(slip.day) + (f"  {weekday_name_en(slip.day)} {slip.day:%Y-%m-%d}" if b else ""),
               Role.BODY, align=Align.CENTER)
    sheet.text(f"{slip.slot_start}–{slip.slot_end}", Role.LARGE, align=Align.CENTER, bold=True)
    if slip.after_hours:
        _say(sheet, "延时服务", "Extended hours", b, role=Role.BODY)
    sheet.rule(dashed=True)
    place = " ".join(p for p in (floor_name(slip.floor), slip.room) if p)
    _pairs(sheet, [("预约号", slip.reference), ("预约人", mask_name(slip.name)), ("科室", slip.section),
                   ("办理地点", _with_english(place, b)), ("签到地点", _with_english(slip.check_in_at, b))], b)
    if slip.items:
        sheet.rule(dashed=True)
        sheet.text("请携带以下材料：" + (" Please bring:" if b else ""), Role.BODY, bold=True)
        for n, item in enumerate(slip.items, 1):
            sheet.text(f"{n}. {item.name}", Role.BODY)
            for material in item.materials:
                sheet.text(material, Role.SMALL, indent=1, bullet="□")
    sheet.rule(dashed=True)
    sheet.qr(slip.payload)
    _say(sheet, "到达后请在签到处出示本回执扫码签到", "On arrival, show this slip to check in.", b)
    _say(sheet, "请按时到达；不能前来请提前取消", "Please be on time, or cancel in advance.", b)


def layout_visit(slip: VisitSlip, sheet: Sheet) -> None:
    b = slip.bilingual
    _head(sheet, slip.hall_name, "绿色通道引导单", "Green Channel Visit Slip", b)
    if slip.lounge:
        sheet.text(floor_name(slip.floor), Role.BODY, align=Align.CENTER)
        sheet.text(slip.lounge, Role.LARGE, align=Align.CENTER, bold=True)
        if b:
            sheet.text(place_en(f"{floor_name(slip.floor)}{slip.lounge}"), Role.BODY, align=Align.CENTER)
        # Whoever the roster named comes: after hours that may be the desk's own staff member (S6).
        comes = f"请到以上洽谈室等候，{slip.duty or '协调员'}将前来对接"
        _say(sheet, comes, "Please wait in this room; " + ("the staff on duty" if slip.duty else "a coordinator")
             + " will meet you.", b, role=Role.BODY)
    else:
        sheet.text("请稍候", Role.LARGE, align=Align.CENTER, bold=True)
        if slip.waiting_reason:
            _say(sheet, slip.waiting_reason, "Please wait here; you will be assigned in turn.", b, role=Role.BODY)
        else:
            _say(sheet, "洽谈室或协调员暂满，空出后即为您安排", "A room and a coordinator will be assigned shortly.", b,
                 role=Role.BODY)
    sheet.rule(dashed=True)
    coordinator = slip.coordinator.replace("分机", "分机/ext.") if b else slip.coordinator
    rows = [("办件编号", slip.case_no), ("持卡人", mask_name(slip.name)),
            (f"{slip.duty}接待" if slip.duty else "协调员", coordinator),
            ("开办时间", f"{slip.opened_at:%Y-%m-%d %H:%M}"), ("办理事项", "、".join(slip.items))]
    if slip.queue_position:
        rows.append(("排队", f"前面还有 {slip.queue_position - 1} 位"))
    if slip.proxy_note:
        rows.append(("帮办代办", slip.proxy_note))
    _pairs(sheet, rows, b)
    if slip.duty:
        period = slip.duty_period or "延时服务时段"
        english = PERIOD_ENGLISH.get(period, "After hours")
        _say(sheet, f"{period}，由{slip.duty}按值班表接待", f"{english}: received by the staff on duty.", b,
             role=Role.BODY)
    sheet.rule(dashed=True)
    sheet.qr(slip.payload)
    _say(sheet, "凭此单查询办件进度；办结后到一楼统一发证窗口领取结果",
         "Show this slip to ask about your case; collect results at the issuing window, 1F.", b)


def layout_handout(slip: HandoutReceipt, sheet: Sheet) -> None:
    b = slip.bilingual
    _head(sheet, slip.hall_name, "领证回执", "Collection Receipt", b)
    sheet.text(slip.counter, Role.LARGE, align=Align.CENTER, bold=True)
    sheet.rule(dashed=True)
    _pairs(sheet, [("办件编号", slip.case_no), ("持卡人", mask_name(slip.name)),
                   ("领取方式", slip.recipient_kind), ("领取人", mask_name(slip.recipient_name)),
                   ("证件号码", slip.recipient_id), ("发放时间", f"{slip.handed_out_at:%Y-%m-%d %H:%M}"),
                   ("经办人", slip.staff)], b)
    sheet.rule(dashed=True)
    sheet.text("已领取：" + (" Collected:" if b else ""), Role.BODY, bold=True)
    for n, item in enumerate(slip.items, 1):
        sheet.text(f"{n}. {item}", Role.BODY)
    sheet.rule(dashed=True)
    sheet.qr(slip.payload)
    _say(sheet, "请当场核对所领证照和决定文书，妥善保管本回执",
         "Please check what you received and keep this receipt.", b)
    _say(sheet, "欢迎对本次服务作出评价（好差评）", "Please rate our service.", b)


LAYOUTS = {TicketSlip: layout_ticket, AppointmentSlip: layout_appointment, VisitSlip: layout_visit,
           HandoutReceipt: layout_handout}


def layout(slip: Slip, sheet: Sheet) -> None:
    # Each layout takes its own slip type; the table is keyed by that type, which mypy cannot connect.
    LAYOUTS[type(slip)](slip, sheet)  # type: ignore[operator]


def render(slip: Slip, width: int) -> Image.Image:
    """The slip as a 1-bit image ``width`` dots wide (384 for 58 mm paper, 576 for 80 mm)."""
    sheet = ImageSheet(width)
    layout(slip, sheet)
    return sheet.image()


def preview(slip: Slip, width: int = 40) -> str:
    """The slip as text, for the desk's preview before printing."""
    sheet = TextSheet(width)
    layout(slip, sheet)
    return sheet.render()


def visible_text(slip: Slip) -> str:
    """Every piece of text the slip prints (for the glyph check before printing)."""
    sheet = TextSheet(10_000)
    layout(slip, sheet)
    return sheet.render()


# --- storing a slip's content (so a reprint can render it again if its files are gone) ------------


def dump(slip: Slip) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return value

    return {"type": slip.kind, **plain(slip)}


def load(data: dict[str, Any]) -> Slip:
    cls = SLIP_TYPES[data["type"]]
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in {"issued_at", "opened_at", "handed_out_at"}:
            value = dt.datetime.fromisoformat(value)
        elif f.name == "day":
            value = dt.date.fromisoformat(value)
        elif f.name == "items" and cls is AppointmentSlip:
            value = tuple(ItemToBring(i["name"], tuple(i["materials"])) for i in value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


__all__ = ["EN", "SLIP_TYPES", "AppointmentSlip", "HandoutReceipt", "ItemToBring", "Slip", "TicketSlip",
           "VisitSlip", "dump", "floor_name", "layout", "load", "preview", "render", "visible_text"]
