"""Every TOML file in assets/, mutated: loading it gives the data or one Chinese refusal, never a traceback.

The hall edits these files by hand (README: reference data the hall edits). A mutation is what a
hand can do: a line deleted, a value replaced by another TOML type, text typed or pasted somewhere,
the file cut short, a byte changed (not UTF-8 any more). Each mutated file is read by the code that
reads it in the hall, beside untouched copies of the others.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from hallterm.config import ConfigError, load_settings
from hallterm.domain.errors import Refused
from hallterm.services.calendar import read_calendar_files
from hallterm.services.reference import read_reference
from hallterm.services.synthetic_holders import load_names

ASSETS = Path(__file__).resolve().parents[2] / "assets"
TOML_FILES = sorted(str(p.relative_to(ASSETS)) for p in ASSETS.rglob("*.toml"))
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _read_as_the_hall_does(assets: Path, name: str) -> None:
    readers: dict[str, Callable[[], object]] = {
        "demo_names.toml": lambda: load_names(assets),
        "hallterm.example.toml": lambda: load_settings(config_file=assets / name, environ={}),
        "calendar/local.toml": lambda: read_calendar_files(assets),
    }
    readers.get(name, lambda: read_reference(assets))()


def test_every_asset_toml_has_a_reader_and_reads_as_shipped() -> None:
    assert {"hall.toml", "staff.toml", "items.toml", "hours.toml", "departments.toml", "demo_names.toml",
            "hallterm.example.toml", "calendar/local.toml"} <= set(TOML_FILES)
    with tempfile.TemporaryDirectory() as folder:
        for name in TOML_FILES:
            _read_as_the_hall_does(_copy(Path(folder) / name.replace("/", "_"), name, None), name)


def _copy(folder: Path, name: str, text: bytes | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in ASSETS.rglob("*.toml"):
        target = folder / path.relative_to(ASSETS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    if text is not None:
        (folder / name).write_bytes(text)
    return folder


toml_literal = st.one_of(
    st.sampled_from(['""', "0", "-1", "99999999999999999999", "1e400", "nan", "true", "[]", "{}", "[[]]",
                     '["a", 1]', "2026-13-45", "24:99", '"\\u0000"', '"\\u001b[31m"', '"' + "长" * 300 + '"',
                     '"=cmd|\' /C calc\'!A0"', "{ a = 1 }", '"08:30"', '"25:00"', '["mon", "xyz"]']),
    st.integers().map(str),
    st.text(max_size=20).map(lambda t: '"' + t.replace("\\", "").replace('"', "") + '"'),
)


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    lines = (ASSETS / name).read_text(encoding="utf-8").splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        how = draw(st.sampled_from(["delete", "retype", "insert", "truncate", "duplicate"]))
        if how == "delete" and lines:
            del lines[at]
        elif how == "retype" and lines:
            key = lines[at].split("=", 1)[0] if "=" in lines[at] else draw(st.sampled_from(
                ["name", "code", "kind", "capacity", "days", "start", "end", "section", "role", "materials"]))
            lines[at] = f"{key.strip() or 'x'} = {draw(toml_literal)}\n"
        elif how == "insert":
            lines.insert(at, draw(st.text(max_size=30)) + "\n")
        elif how == "truncate" and lines:
            text = "".join(lines)
            lines = [text[:draw(st.integers(0, len(text)))]]
        elif how == "duplicate" and lines:
            lines.insert(at, lines[at])
    data = "".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()) and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
    return data


@given(st.sampled_from(TOML_FILES).flatmap(lambda name: st.tuples(st.just(name), mutated(name))))
@example(("demo_names.toml", b"surnames = 5\n"))
@example(("demo_names.toml", b"given = []\n"))
@example(("demo_names.toml", b"\xff"))
@example(("staff.toml", b"[[staff]]\nid = 1\n"))
@example(("hall.toml", b"[hall\n"))
def test_a_mutated_asset_file_loads_or_refuses(case: tuple[str, bytes]) -> None:
    name, data = case
    with tempfile.TemporaryDirectory() as folder:
        assets = _copy(Path(folder), name, data)
        try:
            _read_as_the_hall_does(assets, name)
        except (Refused, ConfigError) as exc:
            message = str(exc)
            assert _CHINESE.search(message), message
            assert name.split("/")[-1] in message or name == "hallterm.example.toml", message
