"""The spool folder and the printers behind one interface (spool, ESC/POS, CUPS).

Every job is first written to the spool folder — atomically, each file through a temporary file
and ``os.replace`` — and only then sent to a printer. A printer that fails therefore never loses a
slip: it stays in the spool and can be sent again (reprint). ``send`` raises ``PrintFailed``
with a Chinese message saying what went wrong and where the slip is kept.

CUPS accepts jobs for printers that are switched off or unreachable and ``lp`` still exits 0
(research/printing.md §6): the job's state is polled with ``lpstat`` until it is completed, and a
job that is not done within the timeout, or whose printer is stopped, is cancelled and reported.
What ``lpstat`` prints was checked against a real cupsd (CUPS 2.4, Debian 12); tests/printing/
test_cups.py copies those formats into its fake commands.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from hallterm.config import PrintingSettings
from hallterm.domain.errors import Refused
from hallterm.domain.os_errors import os_error_words

EXTENSIONS = ("png", "pdf", "escpos")


class PrintFailed(Refused):
    """The printer did not print; ``str()`` is the Chinese message (the slip stays in the spool).

    ``detail`` is what a technician needs (the system's own words, often English; the setting to check):
    it goes to the log and to ``hallterm print test``, never to the clerk's screen.
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True)
class PrintJob:
    """One slip or notice, rendered: what the spool keeps and the printers take."""

    name: str  # file name without extension, unique: 20261126-100501-ticket-A017
    title: str  # 排队票 A017
    kind: str  # slip | notice
    pdf: bytes
    png: bytes | None = None
    escpos: bytes | None = None

    def files(self) -> dict[str, bytes]:
        parts = {"png": self.png, "pdf": self.pdf, "escpos": self.escpos}
        return {ext: data for ext, data in parts.items() if data is not None}


@dataclass(frozen=True)
class Spooled:
    """Where a job's files are: ``base`` + ``.png`` / ``.pdf`` / ``.escpos``."""

    base: Path
    extensions: tuple[str, ...]

    def path(self, ext: str) -> Path:
        return self.base.with_name(f"{self.base.name}.{ext}")

    @property
    def paths(self) -> list[Path]:
        return [self.path(ext) for ext in self.extensions]

    def exists(self) -> bool:
        return all(p.is_file() for p in self.paths)

    def read(self, ext: str) -> bytes:
        return self.path(ext).read_bytes()


class Spool:
    """The spool folder: ``<root>/<YYYY-MM-DD>/<name>.<ext>``, or flat with ``dated=False``."""

    def __init__(self, root: Path, *, dated: bool = True) -> None:
        self.root = root
        self.dated = dated

    def folder(self, day: dt.date) -> Path:
        return self.root / f"{day:%Y-%m-%d}" if self.dated else self.root

    def write(self, job: PrintJob, day: dt.date, *, mode: int = 0o600) -> Spooled:
        """Write every file of the job atomically; raise PrintFailed when the folder cannot be written.

        The files are readable by their owner only from the moment they exist, and the folders the spool
        makes are too, whatever the umask: a slip names a holder (issue 16 point 5)."""
        folder = self.folder(day)
        written: list[Path] = []
        try:
            if not self.root.exists():  # (only the last folder of the path takes the mode)
                self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder.mkdir(mode=0o700, exist_ok=True)
            for ext, data in job.files().items():
                atomic_write(folder / f"{job.name}.{ext}", data, mode=mode)
                written.append(folder / f"{job.name}.{ext}")
        except OSError as exc:
            # A job is all its files or none (a full disk may take the PNG and refuse the PDF): a printer or
            # a clerk taking what is in the folder must find no job that is not whole (issue 15 point 4).
            for path in written:
                path.unlink(missing_ok=True)
            raise PrintFailed(f"无法写入打印暂存目录 {folder}：{os_error_words(exc)}。"
                              "请检查磁盘空间和目录权限（printing.spool_dir）") from exc
        return Spooled(folder / job.name, tuple(job.files()))


    def prune(self, before: dt.date) -> tuple[int, int]:
        """Delete the day folders older than ``before``: (folders, bytes) removed.

        Only folders named like a day are touched: whatever else an installer keeps in the spool
        folder stays. A reprint of a slip whose files are gone draws it again from the database.
        """
        folders = removed = 0
        if not self.dated or not self.root.is_dir():
            return 0, 0
        for folder in sorted(self.root.iterdir()):
            try:
                day = dt.date.fromisoformat(folder.name)
            except ValueError:
                continue
            if day >= before or not folder.is_dir() or len(folder.name) != 10:
                continue
            removed += sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
            shutil.rmtree(folder)
            folders += 1
        return folders, removed


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then rename it over ``path``.

    With ``mode`` the file is created with it (and set to it whatever the umask), before any byte is in it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if mode is not None:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
            os.fchmod(fd, mode)
            opened = os.fdopen(fd, "wb")
        else:
            opened = open(tmp, "wb")  # noqa: SIM115 -- closed by the with below
        with opened as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


# --- printers --------------------------------------------------------------------------------------


class Backend(Protocol):
    name: str  # spool | escpos | cups

    def send(self, job: PrintJob, spooled: Spooled) -> str:
        """Print the spooled job; return what happened (Chinese); raise PrintFailed."""
        ...


class SpoolOnly:
    """No printer: the spool folder is the output (the default, and what ``print test --to`` uses)."""

    name = "spool"

    def send(self, job: PrintJob, spooled: Spooled) -> str:
        return f"未连接打印机，已保存到 {spooled.base.parent}"


@dataclass
class Escpos:
    """A thermal receipt printer (USB, serial or network) through python-escpos."""

    settings: PrintingSettings
    name: str = "escpos"

    def send(self, job: PrintJob, spooled: Spooled) -> str:
        from hallterm.printing import thermal  # lazy: python-escpos takes ~0.3 s to import; only this backend needs it

        if "escpos" not in spooled.extensions:
            raise PrintFailed(f"{job.title} 是 A4/A5 文书，热敏打印机不能打印；已保存到 {spooled.base.parent}")
        try:
            thermal.send(self.settings, spooled.read("escpos"))
        except thermal.PrinterUnavailable as exc:
            raise PrintFailed(f"{exc}。已保存到 {spooled.base.parent}，可稍后补打", exc.detail) from exc
        return f"已打印（{thermal.where(self.settings)}）"


Runner = Callable[[Sequence[str]], subprocess.CompletedProcess[str]]


def _run(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    # CUPS translates its output: under zh_CN ``lp`` says "请求 ID 为 x-3（1 个文件）" and
    # ``lpstat -p`` "开始被禁用". The English (C) texts are the ones parsed here; UTF-8 keeps the
    # Chinese job title intact.
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    return subprocess.run(list(args), capture_output=True, text=True, timeout=30, check=False, env=env)


# A CUPS job id is "<queue>-<number>"; matched on its own so that a translated "request id is"
# (请求 ID 为 hallfile-3（1 个文件）) still gives the id.
_REQUEST_ID = re.compile(r"([^\s（(]+-\d+)(?=[\s（(]|$)")
# ``lpstat -W completed`` lists every finished job, including cancelled and aborted ones; only
# the job-state-reasons in ``lpstat -l`` (IPP keywords, never translated) tell them apart.
_NOT_PRINTED = re.compile(r"cancel+ed|aborted|completed-with-errors")


@dataclass
class Cups:
    """A CUPS queue: ``lp``, then ``lpstat`` until the job is completed (or fails, or times out)."""

    printer: str  # empty: the CUPS default destination
    timeout_s: float = 30
    options: tuple[str, ...] = ()  # e.g. ("-o", "media=A4")
    use_raw: bool = False  # send the ESC/POS bytes with -o raw (a raw queue of a thermal printer)
    poll_s: float = 0.5
    run: Runner = field(default=_run)
    sleep: Callable[[float], None] = field(default=time.sleep)
    name: str = "cups"

    def send(self, job: PrintJob, spooled: Spooled) -> str:
        if shutil.which("lp") is None or shutil.which("lpstat") is None:
            # The clerk cannot install software: they read whom to call; the technician reads the log.
            raise PrintFailed(f"打印设置有误，未能打印：请联系管理员。{job.title} 已保存到 {spooled.base.parent}",
                              "未安装 CUPS 客户端（lp、lpstat）：请安装 cups-client")
        raw = self.use_raw and "escpos" in spooled.extensions
        path = spooled.path("escpos" if raw else "pdf")
        args = ["lp"] + (["-d", self.printer] if self.printer else []) + ["-t", job.title, *self.options]
        args += ["-o", "raw"] if raw else []
        done = self.run([*args, str(path)])
        where = f"打印机 {self.printer}" if self.printer else "默认打印机"
        if done.returncode != 0:
            raise PrintFailed(f"{where}拒绝了打印作业，请联系管理员检查打印机设置。"
                              f"{job.title} 已保存到 {spooled.base.parent}，可稍后补打",
                              _first_line(done.stderr or done.stdout))
        match = _REQUEST_ID.search(done.stdout)  # "request id is thermal80-3 (1 file(s))"
        if match is None:
            raise PrintFailed(f"{where}没有返回作业号；请在打印机上核对是否已打印", f"lp: {_first_line(done.stdout)}")
        job_id = match.group(1)
        printer = self.printer or job_id.rsplit("-", 1)[0]
        return self._wait(job_id, printer, job, spooled)

    def _wait(self, job_id: str, printer: str, job: PrintJob, spooled: Spooled) -> str:
        deadline = time.monotonic() + self.timeout_s
        kept = f"{job.title} 已保存到 {spooled.base.parent}，可稍后补打"
        while True:
            # Pending first, finished second: a job that finishes between the two calls is then
            # found finished, never lost in between.
            if job_id not in _job_ids(self.run(["lpstat", "-o", printer]).stdout):
                finished = self.run(["lpstat", "-l", "-W", "completed", "-o", printer]).stdout
                reasons = _finished_reasons(finished, job_id)
                if reasons is None:
                    raise PrintFailed(f"打印作业 {job_id} 被取消或中止，CUPS 中没有它的完成记录；"
                                      f"请在打印机上核对是否已打印。{kept}")
                if _NOT_PRINTED.search(reasons):
                    raise PrintFailed(f"打印作业 {job_id} 被取消或中止。{kept}", f"lpstat: {reasons}")
                return f"已打印（CUPS {printer}，作业 {job_id}）"
            status = self.run(["lpstat", "-p", printer])
            if status.returncode != 0 or re.search(r"\bdisabled\b|禁用|停用", status.stdout):
                self.run(["cancel", job_id])
                raise PrintFailed(f"打印机 {printer} 已停止（可能缺纸、卡纸或未开机），请检查打印机。"
                                  f"已取消作业 {job_id}。{kept}", f"lpstat: {_reason(status)}")
            if time.monotonic() >= deadline:
                self.run(["cancel", job_id])
                raise PrintFailed(f"打印作业 {job_id} 在 {self.timeout_s:g} 秒内没有完成，"
                                  f"打印机可能未开机或未连接；已取消该作业以免稍后重复打印。{kept}",
                                  f"lpstat: {_reason(status)}")
            self.sleep(self.poll_s)


def _job_ids(text: str) -> set[str]:
    return {line.split()[0] for line in text.splitlines() if line.strip()}


def _finished_reasons(text: str, job_id: str) -> str | None:
    """The job's lines under its own in ``lpstat -l -W completed`` (Status, Alerts); None: not listed.

    thermal80-3             root              1024   Tue Dec  1 19:52:00 2026
            Status: The printer may not exist or is unavailable at this time.
            Alerts: job-canceled-by-user
            queued for thermal80
    """
    found: list[str] | None = None
    for line in text.splitlines():
        if line[:1].isspace():
            if found is not None:
                found.append(line.strip())
        elif found is not None:
            break
        elif line.split()[:1] == [job_id]:
            found = []
    return None if found is None else " ".join(part for part in found if part)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "无输出"


def _reason(status: subprocess.CompletedProcess[str]) -> str:
    text = " ".join(line.strip() for line in (status.stdout + status.stderr).splitlines() if line.strip())
    return text[:200] or "lpstat 无输出"


def slip_backend(settings: PrintingSettings) -> Backend:
    """Where slips go (printing.backend)."""
    if settings.backend == "escpos":
        return Escpos(settings)
    if settings.backend == "cups":
        return Cups(settings.cups_printer, settings.cups_timeout_s, use_raw=settings.cups_raw)
    return SpoolOnly()


def notice_backend(settings: PrintingSettings) -> Backend:
    """Where A4/A5 notices go (printing.notice_backend)."""
    if settings.notice_backend == "cups":
        return Cups(settings.notice_printer, settings.cups_timeout_s,
                    options=("-o", f"media={settings.notice_paper}"))
    return SpoolOnly()
