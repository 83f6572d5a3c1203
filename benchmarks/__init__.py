"""Repeatable commands that print figures (see each module's docstring)."""

from __future__ import annotations

import os
from pathlib import Path


def postgres_cpu_seconds() -> float:
    """User + system CPU of every postgres process on this machine (the server's work; other
    clients of the same server are in it too)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                head, tail = (entry / "stat").read_text().rsplit(")", 1)
            except OSError:
                continue
            if head.endswith("(postgres"):
                fields = tail.split()
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")
