"""Tamper-evident event chains: canonical content, row hashes and the verifier.

Each event row stores ``hash = sha256(prev_hash + "\\n" + canonical(content))`` where
``prev_hash`` is the hash of the previous event of the same batch (``GENESIS`` for the
first). The batch row stores the chain's head and length, so removing the last event is
seen too. ``verify_chains`` walks every chain and names the first row that does not match.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, AsyncIterator

import orjson

GENESIS = "0" * 64
CONTENT_FIELDS = ("event_id", "batch_id", "kind", "occurred_at", "place_uscc", "place", "actor",
                  "quantity", "unit", "inputs", "detail", "corrects", "extra")


def _normal(value: Any) -> Any:
    """Numbers as JSON databases give them back: integral floats become integers.

    Containers with nothing to change are returned as they are (they serialise the same)."""
    kind = type(value)
    if kind is str or value is None or kind is int:
        return value
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is dict:
        for item in value.values():
            if type(item) not in _AS_IS and _normal(item) is not item:
                return {k: _normal(v) for k, v in value.items()}
        return value
    if kind is list or kind is tuple:
        for item in value:
            if type(item) not in _AS_IS and _normal(item) is not item:
                return [_normal(v) for v in value]
        return value
    if isinstance(value, datetime):
        value = value.astimezone(timezone.utc)
        if value.year >= 1000:  # isoformat is cheaper; strftime does not pad years below 1000
            return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


normal_value = _normal  # the record histories of tracing.model.versions share it
_AS_IS = frozenset({str, int, bool, type(None)})
_EMPTY_AS = (("inputs", list), ("detail", dict), ("extra", dict))


def canonical(content: dict[str, Any]) -> bytes:
    """The canonical bytes of an event's content (sorted keys, normalised numbers, UTC)."""
    get = content.get
    data = {}
    for name in CONTENT_FIELDS:
        value = get(name)
        data[name] = value if value is None or type(value) is str else _normal(value)
    for name, empty in _EMPTY_AS:
        if not data[name]:
            data[name] = empty()
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def row_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(content)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    batch_id: str
    event_id: str | None
    seq: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event {self.event_id} (seq {self.seq})" if self.event_id else "batch head"
        return f"batch {self.batch_id}: {where}: {self.reason}"


@dataclass
class VerifyReport:
    batches: int = 0
    events: int = 0
    first_break: ChainBreak | None = None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def check_chain(batch_id: str, rows: list[dict], head: str | None, length: int) -> ChainBreak | None:
    """The first break in one batch's rows (ordered by seq), or None."""
    prev = GENESIS
    for expected_seq, row in enumerate(rows, start=1):
        if row["seq"] != expected_seq:
            return ChainBreak(batch_id, row["event_id"], row["seq"],
                              f"sequence gap: expected seq {expected_seq}")
        if row["prev_hash"] != prev:
            return ChainBreak(batch_id, row["event_id"], row["seq"],
                              "prev_hash does not match the previous row's hash")
        if row_hash(prev, row) != row["hash"]:
            return ChainBreak(batch_id, row["event_id"], row["seq"],
                              "content does not match the stored hash")
        prev = row["hash"]
    if len(rows) != length or (rows and head != prev) or (not rows and head):
        return ChainBreak(batch_id, None, None,
                          f"batch records {length} events ending {head}, found {len(rows)}")
    return None


async def verify_chains(page: int = 2000, progress=None) -> VerifyReport:
    """Walk every batch's chain in key order; stop at the first break."""
    report = VerifyReport()
    async for batch_id, head, length, rows in _chains(page):
        report.batches += 1
        report.events += len(rows)
        broken = check_chain(batch_id, rows, head, length)
        if progress:
            progress(len(rows))
        if broken:
            report.first_break = broken
            return report
    return report


async def _chains(page: int) -> AsyncIterator[tuple[str, str | None, int, list[dict]]]:
    from tracing.model.models import Batch, Event

    last = ""
    columns = ("seq", "prev_hash", "hash", "batch_id", *[c for c in CONTENT_FIELDS
                                                         if c != "batch_id"])
    while True:
        batches = await Batch.filter(batch_id__gt=last).order_by("batch_id").limit(page) \
            .values_list("batch_id", "chain_head", "chain_length")
        if not batches:
            return
        ids = [b[0] for b in batches]
        rows = await Event.filter(batch_id__in=ids).order_by("batch_id", "seq").values(*columns)
        by_batch: dict[str, list[dict]] = {}
        for row in rows:
            by_batch.setdefault(row["batch_id"], []).append(row)
        for batch_id, head, length in batches:
            yield batch_id, head, length, by_batch.get(batch_id, [])
        last = ids[-1]
