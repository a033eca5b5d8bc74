"""Text from data never drives the terminal (issue 16 point 2; used by `hallterm cases show`)."""

from __future__ import annotations

from hallterm.domain.terminal_text import visible


def test_control_and_format_characters_are_shown_not_obeyed() -> None:
    hostile = "张\x1b[2J\x1b[31m三\x1b]52;c;aGk=\x07\u202e李\r\n"
    shown = visible(hostile)
    assert shown == "张\\x1b[2J\\x1b[31m三\\x1b]52;c;aGk=\\x07\\u202e李\\x0d\\x0a"
    assert shown.isprintable()


def test_ordinary_text_is_left_alone() -> None:
    for text in ("张三", "鞍山喆玥科技有限公司（外资）", "A017 号　到 1 号窗口", ""):
        assert visible(text) == text
