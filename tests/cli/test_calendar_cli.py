"""`hallterm calendar check`, through the program's entry point (``cli.main``, in-process, as the installed
script calls it; each check used to start an interpreter of its own, ~0.7 s of CPU for no more proof):
exit 1 naming the year to add when the next 365 days are not covered by holiday data (issue 4, point 5),
exit 0 with the covered-until date."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hallterm import cli
from hallterm.config import sqlite_url
from hallterm.config_locations import DEFAULT_ASSETS

PACKAGE_YEARS = set(range(2004, 2027))  # chinese-calendar 1.11.0


_RUN: list[tuple[pytest.MonkeyPatch, pytest.CaptureFixture[str]]] = []


@pytest.fixture(autouse=True)
def _in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[None]:
    """What ``hallterm`` below needs to run the check in this process: the test's environment and output."""
    _RUN.append((monkeypatch, capsys))
    yield
    _RUN.clear()


def hallterm(*args: str, assets: Path | None = None, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``hallterm calendar check ARGS`` with its own environment and working folder; its exit status and output."""
    monkeypatch, capsys = _RUN[-1]
    monkeypatch.setenv("HALLTERM_DB_URL", sqlite_url(tmp_path / "unused.sqlite3"))  # the check opens no database
    if assets is not None:
        monkeypatch.setenv("HALLTERM_PATHS_ASSETS", str(assets))
    else:
        monkeypatch.delenv("HALLTERM_PATHS_ASSETS", raising=False)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    argv = ["calendar", "check", *args]
    # Warnings go to stderr as a fresh interpreter would print them (its default filters), so that the
    # assertions on stderr (empty, one line) still catch a stray one.
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        for action, category in (("ignore", DeprecationWarning), ("ignore", PendingDeprecationWarning),
                                 ("ignore", ImportWarning), ("ignore", ResourceWarning)):
            warnings.simplefilter(action, category)  # type: ignore[arg-type]
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse refuses a malformed option itself, exit status 2
            code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    err += "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno) for w in caught)
    return subprocess.CompletedProcess(argv, code, out, err)


def hall_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def copy_assets(tmp_path: Path) -> Path:
    target = tmp_path / "assets"
    shutil.copytree(DEFAULT_ASSETS, target)
    return target


def year_file(year: int) -> str:
    """A syntactically valid schedule for tests only: not any real State Council notice."""
    saturday = dt.date(year, 1, 1) + dt.timedelta(days=(5 - dt.date(year, 1, 1).weekday()) % 7 + 7)
    return (f'year = {year}\nsource = "test data, not a real notice"\nmakeup_workdays = [{saturday}]\n\n'
            f'[[holidays]]\nname = "元旦"\nstart = {year}-01-01\n\n'
            f'[[holidays]]\nname = "国庆节"\nstart = {year}-10-01\nend = {year}-10-07\n')


def test_with_the_shipped_files_today_it_exits_1_naming_the_year_to_add(tmp_path: Path) -> None:
    today = hall_today()
    horizon = today + dt.timedelta(days=365)
    shipped = {int(p.stem) for p in (DEFAULT_ASSETS / "calendar").glob("[0-9][0-9][0-9][0-9].toml")}
    missing = [y for y in range(today.year, horizon.year + 1) if y not in PACKAGE_YEARS | shipped]
    # On 2026-11-26, with no 2027.toml shipped (its schedule is not published yet), that is 2027.
    result = hallterm(tmp_path=tmp_path)
    assert "Traceback" not in result.stderr
    assert "节假日数据覆盖至" in result.stdout
    if not missing:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 1, result.stdout
    assert f"缺少 {missing[0]} 年的节假日安排" in result.stderr
    assert f"{missing[0]}.toml" in result.stderr
    assert "估算" in result.stderr


def test_on_2026_11_26_it_exits_1_naming_2027(tmp_path: Path) -> None:
    result = hallterm("--today", "2026-11-26", assets=copy_assets(tmp_path), tmp_path=tmp_path)
    assert result.returncode == 1
    assert "节假日数据覆盖至 2026-12-31" in result.stdout
    assert "缺少 2027 年的节假日安排" in result.stderr
    assert "至 2027-11-26" in result.stderr
    assert str(tmp_path / "assets" / "calendar" / "2027.toml") in result.stderr


def test_a_year_file_in_the_assets_makes_the_check_pass(tmp_path: Path) -> None:
    assets = copy_assets(tmp_path)
    today = hall_today()
    for year in range(2027, (today + dt.timedelta(days=365)).year + 1):  # 2027 alone, today
        (assets / "calendar" / f"{year}.toml").write_text(year_file(year), encoding="utf-8")
    last = max(2026, (today + dt.timedelta(days=365)).year)

    result = hallterm(assets=assets, tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    assert f"节假日数据覆盖至 {last}-12-31" in result.stdout
    assert "大厅年度文件：2027 年" in result.stdout
    assert "均有节假日安排" in result.stdout
    assert result.stderr == ""


def test_a_day_whose_next_365_days_lie_inside_2026_passes_with_the_package_alone(tmp_path: Path) -> None:
    result = hallterm("--today", "2025-12-31", assets=copy_assets(tmp_path), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2025-12-31 至 2026-12-31" in result.stdout
    assert hallterm("--today", "2026-01-01", assets=copy_assets(tmp_path / "b"), tmp_path=tmp_path).returncode == 1


def test_local_adjustments_are_reported(tmp_path: Path) -> None:
    assets = copy_assets(tmp_path)
    (assets / "calendar" / "local.toml").write_text(
        '[[closures]]\nstart = 2026-03-12\nend = 2026-03-13\nreason = "停电检修"\n', encoding="utf-8")
    result = hallterm("--today", "2025-12-01", assets=assets, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "本地调整 2 天" in result.stdout


def test_a_bad_calendar_file_is_named_with_its_line(tmp_path: Path) -> None:
    assets = copy_assets(tmp_path)
    bad = assets / "calendar" / "2027.toml"
    bad.write_text(year_file(2027).replace("makeup_workdays = [", "makeup_workdays = [2027-01-04, "),
                   encoding="utf-8")
    result = hallterm(assets=assets, tmp_path=tmp_path)
    assert result.returncode == 1
    assert f"{bad} 第 3 行" in result.stderr
    assert "本来就是工作日" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("text", ["2026-13-01", "tomorrow"])
def test_a_bad_today_exits_2(tmp_path: Path, text: str) -> None:
    result = hallterm("--today", text, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "不是有效日期" in result.stderr
