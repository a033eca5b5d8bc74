"""The display's voice (issue 17 point 3): what is said, and that espeak-ng really makes Mandarin audio of it.

The audio tests run espeak-ng itself (``bash .ci/bootstrap test`` installs it with apt-get); where it is
absent they are skipped with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import pytest

from hallterm.config import Settings
from hallterm.tui.display.speech import DEFAULT_VOICE, Announcer

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None,
                                  reason="espeak-ng is not installed (bash .ci/bootstrap setup installs it)")


def announcer(command: str = "espeak-ng") -> Announcer:
    q = Settings().queue
    return Announcer(command, q.speech_voice, q.speech_template, q.speech)


def seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


def test_the_call_is_said_digit_by_digit() -> None:
    a = Announcer("sh", DEFAULT_VOICE, Settings().queue.speech_template)
    assert a.text("A017", "绿色通道1号窗口") == "请A零一七号到绿色通道1号窗口"  # A 零一七, never 十七
    assert a.text("B100", "二楼业务洽谈室2") == "请B一零零号到二楼业务洽谈室2"
    assert a.args("A017", "绿色通道1号窗口") == [a.path, "-v", "cmn-latn-pinyin", "请A零一七号到绿色通道1号窗口"]
    assert a.args("A017", "x", wav=Path("/tmp/c.wav"))[3:5] == ["-w", "/tmp/c.wav"]


def test_the_default_voice_is_the_mandarin_that_reads_chinese() -> None:
    assert Settings().queue.speech_voice == DEFAULT_VOICE


def test_no_speech_command_no_audio(tmp_path: Path) -> None:
    a = announcer("no-such-speech-program")
    assert not a.available and not a.write_wav("A017", "绿色通道1号窗口", tmp_path / "x.wav")
    a.say("A017", "绿色通道1号窗口")  # silent, no error: the display goes on without a voice


@needs_espeak
def test_espeak_reads_the_call_in_mandarin_not_english() -> None:
    # espeak-ng -x prints the phonemes; "(en)" marks a switch to English (Debian 12's plain "cmn" voice reads
    # 请 as "king three"). The default voice must read every character of the call as Chinese.
    a = announcer()
    text = a.text("A017", "绿色通道1号窗口")
    phonemes = subprocess.run([ESPEAK or "", "-q", "-x", "-v", a.voice, text], capture_output=True, text=True,
                              check=True, timeout=30).stdout
    assert phonemes.strip() and "(en)" not in phonemes, phonemes
    assert phonemes.count("_|") >= 14, phonemes  # a syllable per character: 请 A 零 一 七 号 到 绿 色 通 道 1 号 窗 口


@needs_espeak
def test_the_call_s_audio_is_written_and_longer_text_speaks_longer(tmp_path: Path) -> None:
    a = announcer()
    short, long = tmp_path / "short.wav", tmp_path / "long.wav"
    assert a.write_wav("A017", "1号窗口", short)
    assert a.write_wav("A017", "二楼业务洽谈室2，请带好身份证件和申请材料", long)
    assert 1.0 < seconds(short) < seconds(long) < 30.0
