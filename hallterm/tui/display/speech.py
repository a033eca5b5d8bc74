"""Speaking a call through espeak-ng (or another command), off the event loop, one call at a time."""

from __future__ import annotations

import shutil
import subprocess
import threading

from hallterm.domain.queue import speech_text

SPEECH_TIMEOUT_S = 30


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

    def say(self, number: str, place: str) -> None:
        if self.path is None:
            return
        args = [self.path, "-v", self.voice, self.text(number, place)] if self.voice else \
            [self.path, self.text(number, place)]
        with self._lock:
            try:
                subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=SPEECH_TIMEOUT_S, check=False)
            except (OSError, subprocess.SubprocessError):
                self.failures += 1  # a broken sound device must never stop the display
