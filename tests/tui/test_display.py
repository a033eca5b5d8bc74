"""The hall display, driven with Pilot (issue 5, points 3 and 5): a call made by another process shows
up, flashes, rings and is spoken; the outage banner comes and goes by itself; the day rolls over;
the picture fits 80×24 and grows on a TV."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hallterm.config import Settings, load_settings
from hallterm.config_locations import PROJECT_ROOT
from hallterm.services import queue, queue_views
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.engine import DatabaseUnavailable
from hallterm.tui.display import bigtext
from hallterm.tui.display.app import OUTAGE, BigNumber, DisplayApp
from tests.sessions import DESK
from tests.tui.pilot_helpers import text_of, until

CALL_IN_ANOTHER_PROCESS = """
import sys
from hallterm.config import load_settings
from hallterm.services.context import Services
from hallterm.services.queue import call_next
from hallterm.services.staff import sign_in
svc = Services.open(load_settings(), upgrade=False)
print(call_next(svc, sign_in(svc, "S1401", "2468"), sys.argv[1]).number)
"""


def display_settings(settings: Settings, **queue_settings: str) -> Settings:
    # A short hold: a call made while the last one holds the big number waits for its turn (issue 17 point 1).
    env = {"HALLTERM_DB_URL": settings.db.url, "HALLTERM_QUEUE_DISPLAY_POLL_MS": "100",
           "HALLTERM_QUEUE_DISPLAY_HOLD_MS": "300"}
    env.update({f"HALLTERM_QUEUE_{k.upper()}": v for k, v in queue_settings.items()})
    return load_settings(environ=env)


@pytest.fixture
def fake_speech(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in for espeak-ng that writes down what it was asked to say."""
    said = tmp_path / "said.txt"
    script = tmp_path / "fake-espeak"
    script.write_text(f"#!{sys.executable}\nimport sys\nopen({str(said)!r}, 'a', encoding='utf-8')"
                      ".write(' '.join(sys.argv[1:]) + '\\n')\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, said


async def test_a_call_made_in_another_process_shows_flashes_rings_and_is_spoken(
    loaded: Services, settings: Settings, desk_session: StaffSession, fake_speech: tuple[Path, Path],
    cards: dict[str, str], clock: list[dt.datetime],
) -> None:
    clock[0] = dt.datetime.now(dt.UTC)  # the calling process reads the real clock: same hall-local day
    script, said = fake_speech
    queue.issue_walkin(loaded, DESK, card_text=cards["valid"])  # A001, 王喆
    queue.issue_walkin(loaded, DESK)
    app = DisplayApp(display_settings(settings, speech_command=str(script)), services=loaded)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.snapshot is not None, "its first picture")
        assert "今日尚未叫号" in text_of(app, "#now-title")
        assert "A 现场 2 人" in text_of(app, "#waiting")

        env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
        env["HALLTERM_DB_URL"] = settings.db.url
        out = subprocess.run([sys.executable, "-c", CALL_IN_ANOTHER_PROCESS, "G1"], cwd=PROJECT_ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "A001"

        await until(pilot, lambda: app.query_one(BigNumber).text == "A001", "the new call")
        assert "到 绿色通道1号窗口" in text_of(app, "#place")
        assert text_of(app, "#who") == "王*"  # masked, never the full name
        assert "A 现场 1 人" in text_of(app, "#waiting")
        assert bells == [1]
        assert app.query_one("#now").has_class("-flash")
        await app.workers.wait_for_complete()
    assert app.announced == ["请A零零一号到绿色通道1号窗口"]
    assert said.read_text(encoding="utf-8").splitlines() == ["-v cmn-latn-pinyin 请A零零一号到绿色通道1号窗口"]


async def test_calls_before_the_display_started_are_shown_but_not_rung(
    loaded: Services, settings: Settings, desk_session: StaffSession
) -> None:
    for _ in range(8):
        queue.issue_walkin(loaded, DESK)
    for counter in ("G1", "G2", "G1", "G2", "G1", "G2"):
        queue.finish(loaded, desk_session, counter, queue.call_next(loaded, desk_session, counter).id)
    last = queue.call_next(loaded, desk_session, "G1")  # A007, still at the counter
    app = DisplayApp(display_settings(settings, speech="false"), services=loaded)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.snapshot is not None, "its first picture")
        assert app.query_one(BigNumber).text == "A007"
        recent = text_of(app, "#recent-list").splitlines()
        assert [line.split()[0] for line in recent] == ["A006", "A005", "A004", "A003", "A002"]  # 6 with A007
        assert bells == [] and app.announced == []
        queue.recall(loaded, desk_session, "G1", last.id)
        await until(pilot, lambda: bool(app.announced), "the recall")
        assert "重呼" in text_of(app, "#now-title")
        assert bells == [1]


async def test_a_no_show_or_a_finished_ticket_no_longer_invites_the_visitor(
    loaded: Services, settings: Settings, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    first = queue.issue_walkin(loaded, DESK, card_text=cards["valid"])  # A001, 王喆
    second = queue.issue_walkin(loaded, DESK)
    queue.call_next(loaded, desk_session, "G1")
    app = DisplayApp(display_settings(settings, speech="false"), services=loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        big = app.query_one(BigNumber)
        await until(pilot, lambda: big.text == "A001", "the call")
        assert text_of(app, "#now-title") == "请" and not big.faded

        queue.no_show(loaded, desk_session, "G1", first.id)  # only a ticket_no_show event: no new call
        await until(pilot, lambda: "已过号" in text_of(app, "#now-title"), "the 过号")
        assert big.text == "A001" and big.faded  # still readable for the late visitor, no longer calling
        assert "到 " not in text_of(app, "#place") and "重新取号" in text_of(app, "#place")
        assert text_of(app, "#who") == ""

        queue.call_next(loaded, desk_session, "G1")
        await until(pilot, lambda: big.text == "A002", "the next call")
        assert text_of(app, "#now-title") == "请" and not big.faded
        assert text_of(app, "#place") == "到 绿色通道1号窗口"
        assert text_of(app, "#recent-list").splitlines()[0].split()[:2] == ["A001", "过号"]

        queue.finish(loaded, desk_session, "G1", second.id)
        await until(pilot, lambda: text_of(app, "#now-title") == "已办结", "the finish")
        assert big.faded and "到 " not in text_of(app, "#place")
        assert app.announced == ["请A零零二号到绿色通道1号窗口"]  # ending a call announces nothing


async def test_outage_banner_then_recovery_by_itself(
    loaded: Services, settings: Settings, desk_session: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue.issue_walkin(loaded, DESK)
    real = queue_views.last_event_id
    down = {"on": False}

    def flaky(svc: Services) -> int:
        if down["on"]:
            raise DatabaseUnavailable("无法连接数据库（测试）：请检查网络和数据库服务是否运行")
        return real(svc)

    monkeypatch.setattr(queue_views, "last_event_id", flaky)
    app = DisplayApp(display_settings(settings, speech="false"), services=loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.snapshot is not None, "its first picture")
        banner = app.query_one("#banner")
        assert not banner.has_class("-shown")
        down["on"] = True
        await until(pilot, lambda: banner.has_class("-shown"), "the outage banner")
        assert OUTAGE in str(banner.render())
        queue.call_next(loaded, desk_session, "G2")  # the hall goes on while the display is cut off
        down["on"] = False
        await until(pilot, lambda: not banner.has_class("-shown"), "the recovery")
        await until(pilot, lambda: app.query_one(BigNumber).text == "A001", "the call made meanwhile")
        assert app.outage == ""


async def test_an_unreachable_database_at_start_shows_the_banner(tmp_path: Path) -> None:
    settings = load_settings(environ={"HALLTERM_DB_URL": f"sqlite:///{tmp_path}/no-tables-yet.sqlite3",
                                      "HALLTERM_QUEUE_DISPLAY_POLL_MS": "100", "HALLTERM_QUEUE_SPEECH": "false"})
    app = DisplayApp(settings)  # it never creates or migrates the database: the desk does
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.query_one("#banner").has_class("-shown"), "the outage banner")
        assert app.snapshot is None


async def test_the_display_turns_to_a_new_day_at_local_midnight(
    loaded: Services, settings: Settings, desk_session: StaffSession, clock: list[dt.datetime]
) -> None:
    clock[0] = dt.datetime(2026, 11, 26, 15, 58, tzinfo=dt.UTC)  # 23:58 in Anshan
    queue.issue_walkin(loaded, DESK)
    queue.issue_walkin(loaded, DESK)
    queue.call_next(loaded, desk_session, "G1")
    app = DisplayApp(display_settings(settings, speech="false"), services=loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.query_one(BigNumber).text == "A001", "the call")
        assert "2026-11-26" in text_of(app, "#clock")
        clock[0] = dt.datetime(2026, 11, 26, 16, 0, 1, tzinfo=dt.UTC)  # 00:00:01 on the 27th, no new event
        await until(pilot, lambda: app.seen_day == dt.date(2026, 11, 27), "the new day")
        assert "今日尚未叫号" in text_of(app, "#now-title")
        assert "A 现场 0 人" in text_of(app, "#waiting")
        await until(pilot, lambda: "2026-11-27" in text_of(app, "#clock"), "the new date")


@pytest.mark.parametrize("size, smallest", [((80, 24), 2), ((200, 50), 5)])
async def test_fits_80x24_and_fills_a_tv(
    loaded: Services, settings: Settings, desk_session: StaffSession, size: tuple[int, int], smallest: int
) -> None:
    for _ in range(8):
        queue.issue_walkin(loaded, DESK)
    for _ in range(7):
        queue.finish(loaded, desk_session, "G1", queue.call_next(loaded, desk_session, "G1").id)
    app = DisplayApp(display_settings(settings, speech="false"), services=loaded)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.snapshot is not None, "its first picture")
        await pilot.pause()
        screen = app.screen.region
        for selector in ("#topbar", "#now", "#recent", "#waiting", "#lounges", "#big", "#place"):
            region = app.query_one(selector).region
            assert region.area > 0 and screen.contains_region(region), selector
        big = app.query_one(BigNumber)
        h = bigtext.fit("A007", *big.content_size)
        assert h >= smallest  # block letters, as large as the space allows
        lines = [line.text for line in app.query_one(BigNumber).render_lines(big.region.reset_offset)]
        drawn = sum(1 for line in lines if "█" in line or "▀" in line or "▄" in line)
        assert drawn >= bigtext.size_for("A007", h)[1] - 1
        recent = text_of(app, "#recent-list")
        assert "A006" in recent and "A002" in recent and "A001" not in recent  # the last 6 calls, A007 large
        assert "洽谈室1 6/6" in text_of(app, "#lounges")


def test_every_series_letter_and_digit_has_a_block_glyph() -> None:
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789":
        rows = bigtext.glyph(ch)
        assert len(rows) == 5 and all(len(r) == 5 for r in rows) and any("#" in r for r in rows), ch
    assert len({bigtext.glyph(ch) for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}) == 36  # all distinct
    assert bigtext.render("K", 1) == ["█  ▄▀", "█▀▀▄", "▀   ▀"]
    assert bigtext.fit("A017", 46, 5) == 2 and bigtext.fit("A017", 10, 5) == 0
