"""Settings and environment values: a Settings object or one Chinese ConfigError line, never a traceback.

Every known key is given hostile values through ``HALLTERM_*`` variables (text as the environment
carries it: undecodable bytes arrive as surrogates) and through a settings TOML file (any TOML type).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hallterm.cli import main
from hallterm.config import SECTIONS, ConfigError, Settings, load_settings, sqlite_url

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
KEYS = sorted((section, f.name) for section, cls in SECTIONS.items() for f in dataclasses.fields(cls))

env_text = st.one_of(
    st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=40),  # surrogates included
    st.from_regex(r"-?[0-9]{1,30}", fullmatch=True),
    st.sampled_from(["", " ", "true", "0x", "{number.x}", "{number}{number.real}", "{number}{number[x]}",
                     "{number}{0}", "(?P<tier>a{99999999999})(?P<check>.)", "(" * 300, "Asia", "../etc/passwd",
                     "sqlite:///\udcff", "postgresql://h:99999999/x", "9" * 5000, "\u00e9\udcff" * 10]),
)
toml_value = st.recursive(
    st.one_of(st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
              st.dates(), st.datetimes(), st.times()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)


def _loads_or_refuses(**kwargs: Any) -> Settings | None:
    try:
        return load_settings(**kwargs)
    except ConfigError as exc:
        message = str(exc)
        assert _CHINESE.search(message), message
        assert "\n" not in message, message
        return None


@given(st.sampled_from(KEYS), env_text)
@example(("signing", "secret"), "abc\udcff" * 10)
@example(("cards", "pattern"), "(?P<tier>a{99999999999})(?P<check>.)")
@example(("queue", "speech_template"), "{number}{number.x}")
@example(("queue", "speech_template"), "{number}{number[x]}")
@example(("hall", "name"), "鞍山\udcff")
@example(("paths", "assets"), "a\x00b")
def test_an_environment_value_loads_or_refuses(key: tuple[str, str], value: str) -> None:
    name = f"HALLTERM_{key[0]}_{key[1]}".upper()
    settings = _loads_or_refuses(environ={name: value})
    if settings is not None:  # what was accepted can be printed and encoded (shown on a screen, a slip)
        for field in dataclasses.fields(settings):
            part = getattr(settings, field.name)
            if dataclasses.is_dataclass(part):
                for sub in dataclasses.fields(part):
                    text = getattr(part, sub.name)
                    if isinstance(text, str):
                        text.encode("utf-8")


@given(st.from_regex(r"HALLTERM_[A-Z_]{0,20}", fullmatch=True), st.text(max_size=10))
def test_an_unknown_variable_is_named_or_ignored(name: str, value: str) -> None:
    _loads_or_refuses(environ={name: value})


def _toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, str):
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in value) + '"'
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_literal(v) for v in value) + "]"
    return "{" + ", ".join(f"{_toml_literal(str(k))} = {_toml_literal(v)}" for k, v in value.items()) + "}"


@given(st.sampled_from(KEYS), toml_value)
def test_a_settings_file_value_of_any_type_loads_or_refuses(key: tuple[str, str], value: Any) -> None:
    try:
        literal = _toml_literal(value)
    except UnicodeEncodeError:
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hallterm.toml"
        path.write_text(f"[{key[0]}]\n{key[1]} = {literal}\n", encoding="utf-8")
        _loads_or_refuses(config_file=path)


@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
@example(b"[db]\nurl = 5\n")
@example(b"\xff\xfe[db]")
@example(b"db = 1\n")
@example(b"[nope]\n")
def test_a_settings_file_of_random_bytes_loads_or_refuses(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hallterm.toml"
        path.write_bytes(data)
        _loads_or_refuses(config_file=path)


def test_the_program_refuses_a_bad_variable_in_one_line(tmp_path: Path) -> None:
    """End to end: ``hallterm config`` under a hostile variable runs, or exits 2 with the one Chinese line."""

    @settings(settings.default, max_examples=max(15, settings.default.max_examples // 3))
    @given(st.sampled_from(KEYS), env_text)
    @example(("signing", "secret"), "abc\udcff" * 10)
    @example(("log", "max_kb"), "9" * 5000)
    def run(key: tuple[str, str], value: str) -> None:
        try:
            os.fsencode(value)
        except UnicodeEncodeError:
            return  # no environment can hold it
        environ = {f"HALLTERM_{key[0]}_{key[1]}".upper(): value, "HALLTERM_DB_URL": sqlite_url(tmp_path / "h.db"),
                   "HALLTERM_LOG_DIR": str(tmp_path)}
        out, err = io.StringIO(), io.StringIO()
        with mock.patch.dict(os.environ, environ), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["config"])
        said = err.getvalue()
        assert code in (0, 2) and "Traceback" not in said and "程序内部错误" not in said, (key, value, said)
        if code:
            assert _CHINESE.search(said) and said.count("\n") == 1, said

    run()
