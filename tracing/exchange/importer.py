"""Streaming exchange import: validate every line, upsert good records by key in chunks.

A bad record is rejected with its line, field and code and never blocks the good ones; each
chunk is written in one transaction, and if the database refuses a chunk its records are
retried one by one so only the faulty one is rejected. References to records not yet seen
are deferred to a spool file and retried after the end of the input (a record may precede
the one it refers to within the same file); what still does not resolve is rejected with
``unknown_reference``. Memory stays flat: only one chunk and the spool's buffer are held.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import AsyncIterable, Awaitable, Callable, Iterable

import orjson
from tortoise.transactions import in_transaction

from core.clock import utc_now
from core.i18n import T
from tracing.exchange.extensions import ExchangeExtensions
from tracing.exchange.fast import fast_record
from tracing.exchange.fields import RecordError, check_values
from tracing.exchange.records import Record, check_dates, validate_record
from tracing.exchange.sql import stored_keys
from tracing.exchange.writers import MODELS, TYPE_ORDER, write_chunk

MAX_LINE_BYTES = 1 << 20
STORAGE_ERROR = T("数据库未能保存这条记录（原因已记入服务日志）；请检查记录内容，或稍后重试")
# A control character in a JSON string is always escaped: \u00XX, or \b and \f (\t, \n and
# \r are allowed). A line without one of these needs no look at its strings.
_MAY_HOLD_CONTROL = re.compile(r"\\(?:u00[01]|b|f)", re.IGNORECASE)
log = logging.getLogger("gongzhi.exchange")


@dataclass(frozen=True)
class Rejection:
    line: int
    field: str | None
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "code": self.code,
                "message": self.message}


@dataclass
class ImportResult:
    """The answer: how many records were accepted, the rejected lines and the warnings
    (accepted records with something to say, e.g. a licence that does not fit)."""

    accepted: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    rejected_total: int = 0
    warnings: list[Rejection] = field(default_factory=list)
    warnings_total: int = 0
    max_listed: int = 10000

    def reject(self, line: int, error: RecordError) -> None:
        self.rejected_total += 1
        if len(self.rejected) < self.max_listed:
            self.rejected.append(Rejection(line, error.field, error.code, error.message))

    def warn(self, line: int, warning: RecordError) -> None:
        self.warnings_total += 1
        if len(self.warnings) < self.max_listed:
            self.warnings.append(Rejection(line, warning.field, warning.code, warning.message))

    def as_dict(self) -> dict:
        out = {"accepted": self.accepted, "rejected": [r.as_dict() for r in self.rejected],
               "warnings": [w.as_dict() for w in self.warnings]}
        if self.rejected_total > len(self.rejected):
            out["rejected_total"] = self.rejected_total
        if self.warnings_total > len(self.warnings):
            out["warnings_total"] = self.warnings_total
        return out


OnCommit = Callable[[dict[str, set[str]]], Awaitable[None]]


@dataclass
class _Chunk:
    items: list[tuple[int, bytes, Record]] = field(default_factory=list)
    keys: set[tuple[str, str]] = field(default_factory=set)

    def add(self, line: int, raw: bytes, record: Record) -> None:
        self.items.append((line, raw, record))
        self.keys.add((record.type, record.key))


_relaxed: list[tuple[int, int, int]] = []  # one entry per running import: the saved threshold


def _fewer_collections(start: bool) -> None:
    """Run the young-generation collector less often while imports run: an import allocates
    millions of short-lived containers, and at the default threshold (700) the collector took
    about a tenth of its time. Process-wide, so the threshold is restored when the last
    running import ends."""
    if start:
        saved = gc.get_threshold()
        _relaxed.append(_relaxed[0] if _relaxed else saved)
        gc.set_threshold(max(saved[0], GC_YOUNG_THRESHOLD), *saved[1:])
    elif _relaxed:
        saved = _relaxed.pop()
        if not _relaxed:
            gc.set_threshold(*saved)


GC_YOUNG_THRESHOLD = 7000


class _Spool:
    """Deferred lines on disk (spilled past 8 MiB), replayed after the input ends."""

    def __init__(self):
        self.file = tempfile.SpooledTemporaryFile(max_size=8 << 20)
        self.count = 0

    def add(self, line: int, raw: bytes) -> None:
        self.file.write(f"{line}\t".encode() + raw + b"\n")
        self.count += 1

    def replay(self) -> Iterable[tuple[int, bytes]]:
        self.file.seek(0)
        for entry in self.file:
            number, raw = entry.rstrip(b"\n").split(b"\t", 1)
            yield int(number), raw
        self.file.close()


class ExchangeImporter:
    """Import NDJSON exchange records; one instance per import run."""

    def __init__(self, *, chunk_size: int = 2000, on_commit: OnCommit | None = None,
                 max_rejections: int = 10000, clock: Callable[[], datetime] = utc_now,
                 extensions: ExchangeExtensions | None = None):
        self.chunk_size = chunk_size
        self.on_commit = on_commit
        self.clock = clock  # official records dated a day past it are refused
        self.extensions = extensions
        self._extended: dict[str, list] = defaultdict(list)  # other features' records
        self.result = ImportResult(max_listed=max_rejections)
        # Keys with a line waiting in the spool: later lines of the same key wait behind it,
        # so the last line sent for a key is the one that stays.
        self._deferred: set[tuple[str, str]] = set()
        self._warned: dict[int, tuple[RecordError, ...]] = {}  # line -> warnings, until written

    async def run(self, lines: AsyncIterable[bytes] | Iterable[bytes]) -> ImportResult:
        """Import every line of ``lines`` (bytes, with or without the newline)."""
        spool = _Spool()
        try:
            _fewer_collections(True)
            if hasattr(lines, "__aiter__"):
                number = 0
                async for raw in lines:  # type: ignore[union-attr]
                    number += 1
                    await self._take(number, raw, spool)
            else:
                for number, raw in enumerate(lines, start=1):  # type: ignore[arg-type]
                    await self._take(number, raw, spool)
            await self._flush(spool, final=False)
            await self._replay(spool)
            await self._settle()
            await self._write_extended()
        finally:
            try:
                await self._settle()
            finally:
                _fewer_collections(False)
        return self.result

    async def _write_extended(self) -> None:
        """Hand other features' records to their writers, after the trace records."""
        for name, items in self._extended.items():
            kind = self.extensions.types[name]
            for start in range(0, len(items), self.chunk_size):
                part = items[start:start + self.chunk_size]
                rejected = await kind.write(part)
                for line, error in rejected:
                    self.result.reject(line, error)
                self.result.accepted += len(part) - len(rejected)

    _chunk: _Chunk | None = None
    _writing: asyncio.Task | None = None

    async def _take(self, number: int, raw: bytes, spool: _Spool, final: bool = False) -> None:
        record = self._parse(number, raw)
        if record is None:
            return
        chunk = self._chunk or _Chunk()
        if (record.type, record.key) in chunk.keys:
            await self._flush(spool, final)
            chunk = _Chunk()
        chunk.add(number, raw.rstrip(b"\r\n"), record)
        self._chunk = chunk
        if len(chunk.items) >= self.chunk_size:
            await self._flush(spool, final)

    def _parse(self, number: int, raw: bytes) -> Record | None:
        raw = raw.rstrip(b"\r\n")
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark
            raw = raw[3:]
        if not raw.strip():
            return None
        try:
            if len(raw) > MAX_LINE_BYTES or raw == b"\x00oversize":
                raise RecordError(T("该行超过 {MAX_LINE_BYTES} 字节",
                                    MAX_LINE_BYTES=MAX_LINE_BYTES), field=None,
                                  code="line_too_long")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RecordError(T("该行不是有效的 UTF-8（第 {value} 字节）", value=exc.start + 1),
                                  field=None, code="not_utf8") from None
            record = fast_record(text)
            if record is None:
                try:
                    obj = orjson.loads(text)
                except orjson.JSONDecodeError as exc:
                    raise RecordError(T("该行不是有效的 JSON：{exc}", exc=exc), field=None,
                                      code="malformed_json") from None
                extension = self.extensions and isinstance(obj, dict) \
                    and self.extensions.get(obj.get("type"))
                if extension:  # another feature's record type (tracing.exchange.extensions)
                    if _MAY_HOLD_CONTROL.search(text):
                        check_values(obj)
                    self._extended[extension.name].append((number, extension.validate(obj)))
                    return None
                record = validate_record(obj)
                check_dates(record, self.clock())
                if record.warnings:
                    self._warned[number] = record.warnings
            if _MAY_HOLD_CONTROL.search(text):  # JSON escapes every control character
                check_values(record.values)
            return record
        except RecordError as error:
            self.result.reject(number, error)
            return None

    async def _replay(self, spool: _Spool) -> None:
        while spool.count:
            pending, spool = spool, _Spool()
            self._deferred = set()
            for number, raw in pending.replay():
                await self._take(number, raw, spool)
            await self._flush(spool, final=False)
            if spool.count == pending.count:  # no progress: what is left cannot resolve
                pending, spool = spool, _Spool()
                for number, raw in pending.replay():
                    await self._take(number, raw, spool, final=True)
                await self._flush(spool, final=True)

    async def _flush(self, spool: _Spool, final: bool) -> None:
        chunk, self._chunk = self._chunk, None
        if not chunk or not chunk.items:
            return
        await self._settle()  # references may point at the chunk being written
        ready = await self._resolve(chunk, spool, final)
        if ready:
            # Written while the next chunk is read and validated (the database works in
            # another thread or process); the next flush waits for it.
            self._writing = asyncio.create_task(self._write(ready))

    async def _settle(self) -> None:
        if self._writing is not None:
            task, self._writing = self._writing, None
            await task

    async def _write(self, ready: list[tuple[int, Record]]) -> None:
        try:
            async with in_transaction() as conn:
                touched, rejected = await write_chunk(ready, conn, now=self.clock())
        except Exception:  # the database refused the chunk: isolate the faulty record
            await self._write_one_by_one(ready)
            return
        self._finish(ready, touched, rejected)
        await self._notify(touched)

    async def _write_one_by_one(self, ready: list[tuple[int, Record]]) -> None:
        for line, record in ready:
            try:
                async with in_transaction() as conn:
                    touched, rejected = await write_chunk([(line, record)], conn,
                                                          now=self.clock())
            except Exception as exc:  # noqa: BLE001 - reported to the sender, line by line
                # The driver's words stay in the log: they may name tables, columns or values.
                log.warning("line %d: the database refused the record: %s: %s", line,
                            type(exc).__name__, exc)
                self.result.reject(line, RecordError(STORAGE_ERROR, field=None,
                                                     code="storage_error"))
                continue
            self._finish([(line, record)], touched, rejected)
            await self._notify(touched)

    def _finish(self, ready, touched, rejected: list[tuple[int, RecordError]]) -> None:
        for line, error in rejected:
            self.result.reject(line, error)
        self.result.accepted += len(ready) - len(rejected)
        if not self._warned:  # warnings are rare: most chunks need no look
            return
        refused = {line for line, _ in rejected}
        for line, _ in ready:
            for warning in () if line in refused else self._warned.pop(line, ()):
                self.result.warn(line, warning)

    async def _notify(self, touched: dict[str, set[str]]) -> None:
        if self.on_commit and touched:
            await self.on_commit(touched)

    async def _resolve(self, chunk: _Chunk, spool: _Spool, final: bool):
        """Records whose references all resolve, in type order; defer or reject the rest."""
        in_chunk = chunk.keys
        needed: dict[str, set[str]] = defaultdict(set)
        for _, _, record in chunk.items:
            for rtype, key, _ in record.refs:
                if (rtype, key) not in in_chunk:
                    needed[rtype].add(key)
        known: dict[str, set[str]] = defaultdict(set)
        for rtype, keys in needed.items():
            model = MODELS[rtype]
            pk = model._meta.db_pk_column if rtype != "event" else "event_id"
            known[rtype].update(await stored_keys(model._meta.db_table, pk, list(keys),
                                                  model._meta.db))
        by_type: dict[str, list] = defaultdict(list)
        for item in chunk.items:
            by_type[item[2].type].append(item)
        ready: list[tuple[int, Record]] = []
        for rtype in TYPE_ORDER:
            for line, raw, record in by_type[rtype]:
                missing = None
                for ref in record.refs:
                    if ref[1] not in known[ref[0]]:
                        missing = ref
                        break
                waiting = not final and (rtype, record.key) in self._deferred
                if missing is None and not waiting:
                    ready.append((line, record))
                    known[rtype].add(record.key)
                elif missing is None or not final:
                    spool.add(line, raw)
                    self._deferred.add((rtype, record.key))
                else:
                    self.result.reject(line, RecordError(
                        T("{field} 引用的{kind} {key!r} 既未登记，也不在本次数据中",
                          field=missing[2], kind=missing[0],
                          key=missing[1]), field=missing[2], code="unknown_reference"))
        return ready
