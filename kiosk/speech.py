"""Recalls and warnings read aloud in Mandarin for older shoppers: ``espeak-ng -v cmn`` as a
subprocess (Debian's ``espeak-ng``), switchable. One utterance at a time: a new one stops the
one still speaking. A missing ``espeak-ng`` is logged once and the kiosk stays silent."""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading

log = logging.getLogger("kiosk.speech")


class Speaker:
    def __init__(self, *, enabled: bool = True, voice: str = "cmn", speed: int = 150,
                 program: str = "espeak-ng", wav_dir: str | None = None):
        self.enabled = enabled
        self.voice, self.speed, self.program = voice, speed, program
        self.wav_dir = wav_dir  # tests and demos: write WAV files instead of playing
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._warned = False
        self.spoken: list[str] = []

    def command(self, text: str) -> list[str]:
        cmd = [self.program, "-v", self.voice, "-s", str(self.speed)]
        if self.wav_dir:
            cmd += ["-w", f"{self.wav_dir}/speech-{len(self.spoken):04d}.wav"]
        return cmd + ["--", text]

    def say(self, text: str | None) -> bool:
        """Start speaking ``text`` (not waiting for it); False when off or unavailable."""
        if not self.enabled or not text:
            return False
        if shutil.which(self.program) is None:
            if not self._warned:
                log.warning("%s is not installed: speech is off", self.program)
                self._warned = True
            return False
        with self._lock:
            self.stop()
            try:
                self._process = subprocess.Popen(self.command(text), stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.DEVNULL)
            except OSError as error:
                log.warning("speech failed: %s", error)
                return False
            self.spoken.append(text)
        return True

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()

    def wait(self, timeout: float = 30.0) -> None:
        if self._process is not None:
            self._process.wait(timeout)
