"""Split a byte stream into lines without ever holding more than one line (bounded)."""

from __future__ import annotations

from typing import AsyncIterable, AsyncIterator, BinaryIO, Iterator

from tracing.exchange.importer import MAX_LINE_BYTES

# A line over the limit is cut here and marked, so the importer rejects it (line_too_long).
OVERSIZE = b"\x00oversize"


async def split_lines(chunks: AsyncIterable[bytes], limit: int = MAX_LINE_BYTES
                      ) -> AsyncIterator[bytes]:
    """Lines of an async byte stream; an over-long line becomes one oversize marker line."""
    buffer = bytearray()
    skipping = False
    async for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            if not skipping:
                buffer += piece
                if len(buffer) > limit:
                    skipping = True
                    buffer.clear()
            if end < 0:
                break
            yield OVERSIZE if skipping else bytes(buffer)
            buffer.clear()
            skipping = False
            start = end + 1
    if skipping:
        yield OVERSIZE
    elif buffer:
        yield bytes(buffer)


def file_lines(handle: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """Lines of a binary file, with the same oversize rule."""
    while True:
        line = handle.readline(limit + 2)
        if not line:
            return
        if len(line.rstrip(b"\r\n")) > limit:
            while line and not line.endswith(b"\n"):
                line = handle.readline(1 << 20)
            yield OVERSIZE
            continue
        yield line
