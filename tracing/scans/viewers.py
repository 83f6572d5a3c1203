"""Who a scan counts as in the public scan count (``scans.count``). Pure, no I/O.

The count every later scanner reads is a public figure, so no anonymous client may bend it:
it counts distinct *viewers* of a code, not requests (docs/scans.md):

- a logged-in consumer once per code, ever (``p:<user_hash>``);
- a registered kiosk that proved its key once per code per day (``k:<kiosk id>:<day>``);
- any other client once per code per day (``a:<client>:<day>``): the client is the address
  the rate limit counts (IPv6 per /64, ``accounts.ratelimit.client_key``), kept only as a
  short hash in a key that expires after two days, never in the database.

Days are Asia/Shanghai days. :class:`tracing.scans.recorder.ScanRecorder` decides, when it
writes a scan, whether the scan brought a new viewer (``Scan.counted``); the database's counted
rows are the authority the counter is rebuilt from.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime

from tracing.scans.client import ScanClient

SEEN_TTL = 2 * 86400  # a day's "already counted" mark outlives the day
SHANGHAI_OFFSET = 8 * 3600


def day_of(at: datetime) -> str:
    """The Asia/Shanghai day of an instant, as the viewer keys write it: days since
    1970-01-01 there (China keeps UTC+8 all year; cheaper than a calendar date per scan)."""
    return str((int(at.timestamp()) + SHANGHAI_OFFSET) // 86400)


@functools.lru_cache(maxsize=4096)
def anonymous_id(client: str) -> str:
    """A short hash of an anonymous client's rate-limit key (its address)."""
    return hashlib.blake2b(client.encode(), digest_size=9).hexdigest()


def viewer_of(client: ScanClient, *, anonymous: str, day: str, source: str | None = None) -> str:
    """The viewer a scan counts as; ``source`` overrides the client's (a kiosk that claims a
    key before it is checked)."""
    source = source or client.source
    if source == "person" and client.user_hash:
        return "p:" + client.user_hash
    if source == "kiosk" and client.kiosk_id:
        return f"k:{client.kiosk_id}:{day}"
    return f"a:{anonymous}:{day}"


def seen_key(subject: str, viewer: str) -> str:
    """The counter that says whether ``viewer`` is already counted for ``subject``: a person's
    own scan counter (kept for ``you_before``), else a mark that expires."""
    if viewer.startswith("p:"):
        return f"scan:me:{subject}:{viewer[2:]}"
    return f"scan:seen:{subject}:{viewer}"
