"""Public notices (通知公告) that name given records in their ``related`` keys.

A recall notice names its recall (and often the batches); the scan view of a recalled batch,
the enterprise profile and the notice list all show it from here. ``related`` is a JSON list,
so one statement looks for the keys as JSON strings in its text (``LIKE``, wildcards escaped)
and the rows are then checked exactly: a key that only appears inside another key never
matches. Run only when there is something to name (a view with a recall), never per scan.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson

from core.clock import local_iso, parse_instant
from tracing.view.privacy import scrub
from tracing.view.sql import fetch_dicts

KEYS_PER_STATEMENT = 50


def _pattern(key: str) -> str:
    text = orjson.dumps(key).decode()  # the key as it is written inside the JSON list
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _related(raw) -> list:
    if isinstance(raw, (str, bytes)):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return []
    return raw if isinstance(raw, list) else []


def summary(row: dict) -> dict:
    """What a view shows of a notice: id, kind, title (scrubbed) and when it was published."""
    return {"notice_id": row["notice_id"], "kind": row["kind"], "title": scrub(row["title"]),
            "published_at": local_iso(parse_instant(row["published_at"]))}


async def notices_naming(keys: Iterable[str], *, kind: str | None = None,
                         limit: int = 5) -> dict[str, list[dict]]:
    """For each key, the newest ``limit`` notices (of ``kind``, if given) naming it."""
    wanted = sorted(set(keys))
    found: dict[str, list[dict]] = {}
    for start in range(0, len(wanted), KEYS_PER_STATEMENT):
        page = wanted[start:start + KEYS_PER_STATEMENT]
        likes = " OR ".join(["CAST(related AS TEXT) LIKE ? ESCAPE '\\'"] * len(page))
        rows = await fetch_dicts(
            "SELECT notice_id, kind, title, published_at, related FROM notice "
            f"WHERE ({likes})" + (" AND kind = ?" if kind else "")
            + " ORDER BY published_at DESC, notice_id",
            [*(_pattern(k) for k in page), *([kind] if kind else [])])
        for row in rows:
            named = {k for k in _related(row["related"]) if isinstance(k, str)} & set(page)
            for key in named:
                shown = found.setdefault(key, [])
                if len(shown) < limit:
                    shown.append(summary(row))
    return found
