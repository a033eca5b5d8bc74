"""Speaking a call through espeak-ng (or another command), off the event loop, one call at a time.

The voice: Debian 12's espeak-ng (1.51) has two Mandarin voices, and only ``cmn-latn-pinyin`` reads
Chinese. Its plain ``cmn`` voice looks every character up as pinyin and then reads that pinyin with the
English rules ("请" comes out as "king three"); ``espeak-ng -v cmn -x 请`` shows the ``(en)`` switch.
So the default is ``cmn-latn-pinyin`` (issue 17 point 3). The number is read digit by digit
(``speech_text``): "A 零一七", never "十七".
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from hallterm.domain.queue import speech_text

SPEECH_TIMEOUT_S = 30
SAY_META = "hallterm_say"  # serve.py forwards this meta packet to the page, which speaks its text
DEFAULT_VOICE = "cmn-latn-pinyin"  # QueueSettings.speech_voice; see the module's docstring


class Announcer:
    """Runs ``command -v voice text`` for each call; silent when speech is off or the command is missing.

    ``say`` blocks until the command ends: call it from a thread worker. A lock makes announcements
    follow each other instead of talking over each other.
    """

    def __init__(self, command: str, voice: str, template: str, enabled: bool = True) -> None:
        self.path = shutil.which(command) if enabled and command else None
        self.voice = voice
        self.template = template
        self._lock = threading.Lock()
        self.failures = 0

    @property
    def available(self) -> bool:
        return self.path is not None

    def text(self, number: str, place: str) -> str:
        return speech_text(self.template, number, place)

    def args(self, number: str, place: str, *, wav: Path | None = None) -> list[str]:
        """The command line that speaks this call; with ``wav``, writes the audio there instead (espeak's -w)."""
        if self.path is None:
            raise RuntimeError("speech is off or its command is missing")
        voice = ["-v", self.voice] if self.voice else []
        out = ["-w", str(wav)] if wav is not None else []
        return [self.path, *voice, *out, self.text(number, place)]

    def write_wav(self, number: str, place: str, wav: Path) -> bool:
        """The same call's audio into a WAV file, by the same command line as ``say`` (so a test can check
        what the hall would hear). False when it could not be made."""
        if self.path is None:
            return False
        try:
            done = subprocess.run(self.args(number, place, wav=wav), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  timeout=SPEECH_TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError):
            return False
        return done.returncode == 0 and wav.is_file() and wav.stat().st_size > 0

    def say(self, number: str, place: str) -> None:
        if self.path is None:
            return
        args = self.args(number, place)
        with self._lock:
            try:
                subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=SPEECH_TIMEOUT_S, check=False)
            except (OSError, subprocess.SubprocessError):
                self.failures += 1  # a broken sound device must never stop the display


def speak_in_browser(app: Any, words: str) -> bool:
    """Under ``display --serve`` (Textual's web driver): hand the words to the page, which speaks them with the
    browser's voice (Web Speech API, zh-CN; templates/app_index.html). False when the driver cannot."""
    write_meta = getattr(getattr(app, "_driver", None), "write_meta", None)  # textual.drivers.web_driver
    if write_meta is None:
        return False
    write_meta({"type": SAY_META, "text": words})
    return True
