"""CUPS: ``lp`` says yes even to a dead printer, so the job's state is checked with ``lpstat`` (issue 6).

A fake ``lp``, ``lpstat`` and ``cancel`` on PATH play CUPS: a job that completes, a printer that is
stopped, a job that never finishes, a queue that refuses the job, a job that vanishes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from hallterm.config import Settings, load_settings
from hallterm.domain.payloads import Keyring
from hallterm.printing.backends import Cups, PrintFailed, Spool
from hallterm.printing.jobs import slip_job
from hallterm.printing.samples import sample_notices, sample_slips
from hallterm.services import print_jobs, signing
from hallterm.services.context import Services
from hallterm.storage import events
from hallterm.storage.tables import slips
from tests.printing.conftest import NOW_LOCAL, slip_environ
from tests.sessions import DESK

# The fakes print what a real cupsd (CUPS 2.4.2, Debian 12) printed for a raw queue, columns and
# tabs included; "lp" translates its answer under a Chinese locale as the real one does.
LP = """#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_CUPS_DIR/lp.args"
if [ "$(cat "$FAKE_CUPS_DIR/mode")" = reject ]; then
  echo "lp: Error - The printer or class does not exist." >&2; exit 1
fi
n=$(( $(cat "$FAKE_CUPS_DIR/seq" 2>/dev/null || echo 0) + 1 )); echo $n > "$FAKE_CUPS_DIR/seq"
case "${LC_ALL:-${LC_MESSAGES:-$LANG}}" in
  zh*) echo "请求 ID 为 thermal80-$n（1 个文件）" ;;
  *) echo "request id is thermal80-$n (1 file(s))" ;;
esac
"""
LPSTAT = """#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_CUPS_DIR/lpstat.args"
mode=$(cat "$FAKE_CUPS_DIR/mode"); job="thermal80-$(cat "$FAKE_CUPS_DIR/seq" 2>/dev/null || echo 0)"
polls=$(( $(cat "$FAKE_CUPS_DIR/polls" 2>/dev/null || echo 0) + 1 ))
[ "$*" = "-o thermal80" ] && echo $polls > "$FAKE_CUPS_DIR/polls"
line="$job               root              6144   Tue Dec  1 19:50:59 2026"
finished() {  # the job in the history with its job-state-reasons, then an older cancelled job
  printf '%s\\n\\tStatus: %s\\n\\tAlerts: %s\\n\\tqueued for thermal80\\n' "$line" "$2" "$1"
  printf 'thermal80-0               root              1024   Tue Dec  1 19:39:11 2026\\n'
  printf '\\tStatus: The printer may not exist or is unavailable at this time.\\n'
  printf '\\tAlerts: job-canceled-by-user\\n\\tqueued for thermal80\\n'
}
case "$*" in
  "-l -W completed -o thermal80")
    case $mode in
      ok) finished processing-to-stop-point "" ;;
      slow) [ $polls -gt 3 ] && finished job-completed-successfully "" ;;
      cancelled) finished job-canceled-by-user "The printer may not exist or is unavailable at this time." ;;
      aborted) finished aborted-by-system "Unable to locate printer \\"nonexistent.invalid\\"." ;;
    esac ;;
  "-o thermal80")
    case $mode in
      ok|vanished|cancelled|aborted) ;;
      slow) [ $polls -le 3 ] && echo "$line" ;;
      *) echo "$line" ;;
    esac ;;
  "-p thermal80")
    if [ "$mode" = stopped ]; then printf 'printer thermal80 disabled since Tue Dec  1 19:52:53 2026 -\\n\\tPaused\\n'
    else printf 'printer thermal80 now printing %s.  enabled since Tue Dec  1 19:51:36 2026\\n' "$job"
      printf '\\tThe printer may not exist or is unavailable at this time.\\n'; fi ;;
esac
exit 0
"""
CANCEL = """#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_CUPS_DIR/cancel.args"
"""


class FakeCups:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def mode(self, mode: str) -> None:
        (self.folder / "mode").write_text(mode)

    def calls(self, name: str) -> list[str]:
        path = self.folder / f"{name}.args"
        return path.read_text().splitlines() if path.exists() else []


@pytest.fixture
def cups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeCups:
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    for name, script in (("lp", LP), ("lpstat", LPSTAT), ("cancel", CANCEL)):
        path = bin_dir / name
        path.write_text(script)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_CUPS_DIR", str(tmp_path))
    fake = FakeCups(tmp_path)
    fake.mode("ok")
    return fake


def spooled_ticket(ring: Keyring, tmp_path: Path):  # type: ignore[no-untyped-def]
    job = slip_job(sample_slips(ring, NOW_LOCAL)[0], "ticket", width=576)
    return job, Spool(tmp_path / "spool").write(job, NOW_LOCAL.date())


def fast(**kw: object) -> Cups:
    return Cups("thermal80", timeout_s=1, poll_s=0.05, **kw)  # type: ignore[arg-type]


def test_a_completed_job_is_reported_printed(cups: FakeCups, ring: Keyring, tmp_path: Path) -> None:
    job, spooled = spooled_ticket(ring, tmp_path)
    assert fast().send(job, spooled) == "已打印（CUPS thermal80，作业 thermal80-1）"
    (args,) = cups.calls("lp")
    assert args.startswith("-d thermal80 -t 排队票 A017") and args.endswith(str(spooled.path("pdf")))


def test_a_stopped_printer_fails_the_job_and_cancels_it(cups: FakeCups, ring: Keyring, tmp_path: Path) -> None:
    cups.mode("stopped")
    job, spooled = spooled_ticket(ring, tmp_path)
    with pytest.raises(PrintFailed) as info:
        fast().send(job, spooled)
    text = str(info.value)
    assert "打印机 thermal80 已停止" in text and "已取消作业 thermal80-1" in text
    assert "disabled" not in text and "disabled" in info.value.detail  # CUPS's English: the technician's
    assert "可稍后补打" in text and str(spooled.base.parent) in text
    assert cups.calls("cancel") == ["thermal80-1"]
    assert spooled.exists()


def test_lp_says_yes_to_a_dead_printer_but_the_job_never_completes(cups: FakeCups, ring: Keyring,
                                                                   tmp_path: Path) -> None:
    cups.mode("hang")
    job, spooled = spooled_ticket(ring, tmp_path)
    with pytest.raises(PrintFailed) as info:
        fast().send(job, spooled)
    assert "在 1 秒内没有完成" in str(info.value) and "unavailable" in info.value.detail
    assert "以免稍后重复打印" in str(info.value)
    assert cups.calls("cancel") == ["thermal80-1"]  # no duplicate when the printer comes back


def test_a_refused_job(cups: FakeCups, ring: Keyring, tmp_path: Path) -> None:
    cups.mode("reject")
    job, spooled = spooled_ticket(ring, tmp_path)
    with pytest.raises(PrintFailed) as info:
        fast().send(job, spooled)
    assert "拒绝了打印作业" in str(info.value) and "Error" not in str(info.value)
    assert info.value.detail == "lp: Error - The printer or class does not exist."


def test_a_job_cancelled_elsewhere(cups: FakeCups, ring: Keyring, tmp_path: Path) -> None:
    cups.mode("vanished")
    job, spooled = spooled_ticket(ring, tmp_path)
    with pytest.raises(PrintFailed) as info:
        fast().send(job, spooled)
    assert "被取消或中止" in str(info.value)


def test_lpstat_lists_cancelled_jobs_as_completed_too(cups: FakeCups, ring: Keyring, tmp_path: Path) -> None:
    """Real CUPS: ``lpstat -W completed`` shows a cancelled job beside the printed ones."""
    cups.mode("cancelled")
    job, spooled = spooled_ticket(ring, tmp_path)
    with pytest.raises(PrintFailed) as info:
        fast().send(job, spooled)
    assert "打印作业 thermal80-1 被取消或中止" in str(info.value) and "job-canceled-by-user" in info.value.detail
    assert "已打印" not in str(info.value) and spooled.exists()


def test_an_aborted_job_is_not_printed(cups: FakeCups, ring: Keyring, tmp_path: Path) -> None:
    cups.mode("aborted")
    job, spooled = spooled_ticket(ring, tmp_path)
    with pytest.raises(PrintFailed) as info:
        fast().send(job, spooled)
    assert "aborted-by-system" in info.value.detail and "可稍后补打" in str(info.value)


def test_a_job_that_takes_a_few_polls(cups: FakeCups, ring: Keyring, tmp_path: Path) -> None:
    cups.mode("slow")
    job, spooled = spooled_ticket(ring, tmp_path)
    assert fast().send(job, spooled) == "已打印（CUPS thermal80，作业 thermal80-1）"
    assert cups.calls("lpstat").count("-o thermal80") == 4 and cups.calls("cancel") == []


def test_a_chinese_locale_does_not_hide_the_job_id(cups: FakeCups, ring: Keyring, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Under zh_CN the real ``lp`` answers "请求 ID 为 hallfile-15（1 个文件）"."""
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    job, spooled = spooled_ticket(ring, tmp_path)
    assert fast().send(job, spooled) == "已打印（CUPS thermal80，作业 thermal80-1）"


@pytest.mark.parametrize("answer", ["request id is hallfile-3 (1 file(s))", "请求 ID 为 hallfile-3（1 个文件）"])
def test_the_job_id_in_either_language(answer: str) -> None:
    from hallterm.printing.backends import _REQUEST_ID

    match = _REQUEST_ID.search(answer)
    assert match is not None and match.group(1) == "hallfile-3"


def test_raw_queues_get_the_escpos_bytes(cups: FakeCups, ring: Keyring, tmp_path: Path) -> None:
    job, spooled = spooled_ticket(ring, tmp_path)
    fast(use_raw=True).send(job, spooled)
    (args,) = cups.calls("lp")
    assert "-o raw" in args and args.endswith(str(spooled.path("escpos")))


def test_without_cups_client_it_says_what_to_install(ring: Keyring, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    job, spooled = spooled_ticket(ring, tmp_path)
    with pytest.raises(PrintFailed) as info:
        fast().send(job, spooled)
    assert "cups-client" in info.value.detail and "请联系管理员" in str(info.value)


# --- through the service: a failed print loses nothing, reprint works -----------------------------


@pytest.fixture
def cups_settings(tmp_path: Path, db_file: Path) -> Settings:
    return load_settings(environ=slip_environ(
        tmp_path, db_file, HALLTERM_PRINTING_BACKEND="cups", HALLTERM_PRINTING_CUPS_PRINTER="thermal80",
        HALLTERM_PRINTING_CUPS_TIMEOUT_S="1", HALLTERM_PRINTING_NOTICE_BACKEND="cups",
        HALLTERM_PRINTING_NOTICE_PRINTER="thermal80", HALLTERM_PRINTING_NOTICE_PAPER="A5"))


@pytest.fixture
def cups_services(cups_settings: Settings, clock: list) -> Services:  # type: ignore[type-arg]
    svc = Services.open(cups_settings, clock=lambda: clock[0])
    yield svc  # type: ignore[misc]
    svc.close()


def test_a_failed_print_stays_in_the_spool_is_recorded_and_reprints(cups: FakeCups, cups_services: Services) -> None:
    svc = cups_services
    ring = signing.keyring(svc)
    cups.mode("stopped")
    outcome = print_jobs.print_slip(svc, sample_slips(ring, NOW_LOCAL)[0], session=DESK)
    assert outcome.status == "failed" and not outcome.ok
    assert "已停止" in outcome.message and "补打" in outcome.message
    base = Path(outcome.spool_base)
    assert base.parent == svc.settings.printing.spool_path / "2026-11-26"
    assert all(base.with_name(f"{base.name}.{ext}").is_file() for ext in ("png", "pdf", "escpos"))
    with svc.db.read() as conn:
        row = conn.execute(select(slips).where(slips.c.id == outcome.slip_id)).one()
        failed = events.recent(conn, kind="slip_print_failed")
    assert (row.status, row.backend, row.attempts) == ("failed", "cups", 1)
    assert "已停止" in row.error
    assert failed[0].details["slip_id"] == outcome.slip_id and failed[0].staff_id == "S1401"
    assert [r.id for r in print_jobs.recent_slips(svc, failed_only=True)] == [outcome.slip_id]

    cups.mode("ok")  # the printer is back
    again = print_jobs.reprint(svc, outcome.slip_id, session=DESK)
    assert again.status == "printed" and again.slip_id == outcome.slip_id
    with svc.db.read() as conn:
        row = conn.execute(select(slips).where(slips.c.id == outcome.slip_id)).one()
        printed = events.recent(conn, kind="slip_printed")
    assert (row.status, row.attempts, row.error) == ("printed", 2, "")
    assert row.printed_at is not None
    assert printed[0].details["reprint"] is True
    assert print_jobs.recent_slips(svc, failed_only=True) == []
    assert cups.calls("lp")[-1].endswith(f"{base}.pdf")  # the spooled file, not a new rendering


def test_notices_go_to_the_office_printer_on_their_paper(cups: FakeCups, cups_services: Services) -> None:
    outcome = print_jobs.print_notice(cups_services, sample_notices(NOW_LOCAL.date())[0], case_id=None, session=DESK)
    assert outcome.status == "printed"
    (args,) = cups.calls("lp")
    assert "-o media=A5" in args and args.endswith(".pdf")
