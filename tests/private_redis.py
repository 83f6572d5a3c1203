"""A redis-server of the test's own, on a free port, that the test may stop and restart."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path


class PrivateRedis:
    """``redis-server`` without automatic snapshots; :meth:`snapshot` writes one on request
    into ``directory``, which a restart loads (the old data comes back)."""

    def __init__(self, directory: Path, port: int):
        self.directory = directory
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.directory),
             "--dbfilename", "dump.rdb", "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._command(b"PING") == b"+PONG\r\n":
                return self
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def snapshot(self) -> None:
        """Write the data set to disk now (SAVE): a restart will load it."""
        assert self._command(b"SAVE") == b"+OK\r\n"

    def kill(self) -> None:
        """Stop it at once (SIGKILL): connections drop, nothing more is saved."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def _command(self, command: bytes) -> bytes | None:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                sock.sendall(command + b"\r\n")
                return sock.recv(100)
        except OSError:
            return None
