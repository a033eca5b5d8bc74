"""Slip layouts: widths, line breaking, masked names, bilingual text, stored content (issue 6, point 1)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from hallterm.domain.payloads import Keyring
from hallterm.printing import slip_layouts
from hallterm.printing.layout import NO_LINE_START, TextSheet, display_width, wrap
from hallterm.printing.samples import sample_slips
from tests.printing.conftest import NOW_LOCAL


def by_kind(ring: Keyring, **kw: object) -> dict[str, slip_layouts.Slip]:
    return {s.kind: s for s in sample_slips(ring, NOW_LOCAL, **kw)}  # type: ignore[arg-type]


@pytest.mark.parametrize("width", [384, 576])
def test_each_slip_renders_at_the_printer_width_in_black_and_white(ring: Keyring, width: int) -> None:
    for slip in sample_slips(ring, NOW_LOCAL):
        img = slip_layouts.render(slip, width)
        assert img.mode == "1" and img.width == width
        assert 500 < img.height < 2000
        assert {value for _count, value in img.convert("L").getcolors()} == {0, 255}  # no grey: thermal


def test_the_ticket_says_what_the_issue_asks(ring: Keyring) -> None:
    text = slip_layouts.preview(by_kind(ring)["ticket"])
    for part in ("鞍山市政务服务中心", "A 0 1 7", "绿色通道现场取号", "2026-11-26 10:05", "前面等候", "3 人",
                 "一楼重点项目服务区等候区", "过号无效", "[二维码]", "HT2:TEST:Q:20261126:A017:K1:"):
        assert part in text, part


def test_the_appointment_slip_lists_time_items_materials_and_place(ring: Keyring) -> None:
    text = slip_layouts.preview(by_kind(ring)["appointment"])
    for part in ("预约回执", "2026年11月27日", "星期五", "09:30–10:00", "二楼 业务洽谈室3", "请携带以下材料",
                 "1. 公司设立登记", "□ 公司章程（全体股东签署）", "2. 食品经营许可",
                 "HT2:TEST:A:123:20261127:0930:K1:"):
        assert part in text, part


def test_names_are_masked_on_every_slip_whatever_the_caller_passes(ring: Keyring) -> None:
    shown = {kind: slip_layouts.preview(slip) for kind, slip in by_kind(ring).items()}
    assert "王*" in shown["ticket"] and "王喆" not in shown["ticket"]
    assert "欧**玥" in shown["appointment"] and "欧阳玥玥" not in shown["appointment"]
    assert "吴*" in shown["visit"] and "吴堃" not in shown["visit"]


def test_bilingual_slips_carry_english(ring: Keyring) -> None:
    plain = by_kind(ring)
    both = by_kind(ring, bilingual=True)
    for kind in plain:
        assert "Please" not in slip_layouts.preview(plain[kind])
        assert "Please" in slip_layouts.preview(both[kind]) or "Please" in slip_layouts.visible_text(both[kind])
    assert "A missed call voids this ticket" in slip_layouts.visible_text(both["ticket"])
    assert "Fri 2026-11-27" in slip_layouts.visible_text(both["appointment"])
    # Wide labels do not squeeze the value at 58 mm: the image is still drawn at the paper width.
    assert slip_layouts.render(both["appointment"], 384).width == 384


def test_a_foreign_visitor_can_find_the_room_the_window_and_the_extension(ring: Keyring) -> None:
    both = by_kind(ring, bilingual=True)
    visit = slip_layouts.visible_text(both["visit"])
    assert slip_layouts.place_en(f"{slip_layouts.floor_name(both['visit'].floor)}{both['visit'].lounge}") in visit
    assert "Meeting Room" in visit and "ext." in visit
    assert "Meeting Room 3" in slip_layouts.visible_text(both["appointment"])  # 二楼 业务洽谈室3
    assert "Meeting Room" not in slip_layouts.visible_text(by_kind(ring)["visit"])  # only when asked for
    assert slip_layouts.place_en("二楼业务洽谈室4") == "2F Meeting Room 4"
    assert slip_layouts.place_en(f"{slip_layouts.floor_name(-1)}业务洽谈室1") == "B1 Meeting Room 1"
    assert slip_layouts.place_en("王芳（分机 8021）") == "王芳 (ext. 8021)"
    assert slip_layouts.place_en("绿色通道2号窗口") == "Green Channel Window 2"
    assert slip_layouts.place_en("大厅东侧") == ""  # nothing known: no made-up English


def test_a_visit_slip_without_a_room_yet_says_wait(ring: Keyring) -> None:
    visit = dataclasses.replace(by_kind(ring)["visit"], lounge="", coordinator="", queue_position=3)
    text = slip_layouts.preview(visit)
    assert "请稍候" in text and "前面还有 2 位" in text


def test_a_slips_content_can_be_stored_and_rendered_again(ring: Keyring) -> None:
    import json

    for slip in sample_slips(ring, NOW_LOCAL, bilingual=True):
        stored = json.loads(json.dumps(slip_layouts.dump(slip), ensure_ascii=False))
        assert slip_layouts.load(stored) == slip


def test_line_breaking_keeps_latin_words_and_never_starts_a_line_with_closing_punctuation() -> None:
    text = "请携带公司登记（备案）申请书，法定代表人签署。Please bring the application form, signed."
    for width in range(8, 40):
        lines = wrap(text, width, display_width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert all(line[:1] not in NO_LINE_START for line in lines[1:])
        assert all(not line.endswith("（") for line in lines)
        for word in ("Please", "application", "signed."):
            assert any(word in line for line in lines) or width < len(word) + 1


def test_a_code_longer_than_the_line_is_cut_rather_than_overflowing() -> None:
    lines = wrap("HT1:Q:20261126:A017:K1:EX4JODUW5YHSGKCA", 12, display_width)
    assert all(display_width(line) <= 12 for line in lines) and len(lines) >= 3


def test_text_sheet_centres_and_right_aligns() -> None:
    from hallterm.printing.layout import Align

    sheet = TextSheet(20)
    sheet.text("中心", align=Align.CENTER)
    sheet.text("右", align=Align.RIGHT)
    assert sheet.lines == [" " * 8 + "中心", " " * 18 + "右"]


def test_a_slip_dated_on_a_sunday_shows_the_weekday(ring: Keyring) -> None:
    appointment = dataclasses.replace(by_kind(ring)["appointment"], day=dt.date(2026, 11, 29))
    assert "星期日" in slip_layouts.preview(appointment)


@pytest.mark.parametrize(("period", "english"), [("延时服务时段", "Extended hours"), ("值班时段", "Weekend duty"),
                                                 ("节假日值班", "Holiday duty")])
def test_a_bilingual_visit_slip_says_when_the_duty_roster_applied(ring: Keyring, period: str, english: str) -> None:
    visit = dataclasses.replace(by_kind(ring, bilingual=True)["visit"], duty="值班协调员", duty_period=period)
    text = slip_layouts.visible_text(visit)
    assert f"{period}，由值班协调员按值班表接待" in text and f"{english}: received by the staff on duty." in text
