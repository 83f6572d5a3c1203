"""Repeatable commands that print figures (see each module's docstring)."""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
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


@contextlib.asynccontextmanager
async def serving(settings, store=None):
    """The real app on a free loopback port, in this process; yields its base URL."""
    from api.app import create_app

    app = create_app(settings, store=store, background=False, name=f"b{uuid.uuid4().hex[:8]}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await app.create_server(host="127.0.0.1", port=port, access_log=False,
                                     return_asyncio_server=True)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
