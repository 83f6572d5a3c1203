"""The streaming writer: a cluster's records as NDJSON lines, counted by record type."""

from __future__ import annotations

import json
import typing

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; keep a slow fallback
    orjson = None


def ndjson(records: list[dict]) -> str:
    """Records as NDJSON lines, Chinese left readable."""
    if orjson is not None:
        option = orjson.OPT_APPEND_NEWLINE
        return b"".join([orjson.dumps(rec, option=option) for rec in records]).decode()
    return "".join(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
                   for rec in records)


def write_records(out: typing.TextIO, by_kind: dict[str, list], counts: dict[str, int]) -> None:
    """Write each list of ``by_kind`` in order and add its records to ``counts`` by type.

    Every list holds one record type, except ``tail``, whose records are counted one by one.
    """
    for kind, records in by_kind.items():
        if kind == "tail":
            for rec in records:
                counts[rec["type"]] = counts.get(rec["type"], 0) + 1
        elif records:
            counts[records[0]["type"]] = counts.get(records[0]["type"], 0) + len(records)
        out.write(ndjson(records))
