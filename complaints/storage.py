"""Where photos live: :class:`PhotoStorage`, content-addressed by SHA-256.

:class:`LocalPhotoStorage` keeps files under the data directory; an S3-compatible backend
implements the same four methods (keys are the hex digests, objects immutable).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path


class PhotoStorage(ABC):
    """Immutable blobs under their SHA-256 hex digest."""

    name = "abstract"

    @abstractmethod
    async def put(self, digest: str, data: bytes) -> None:
        """Store ``data`` under ``digest`` (idempotent: the same bytes may come twice)."""

    @abstractmethod
    async def get(self, digest: str) -> bytes | None:
        """The blob, or None when there is none."""

    @abstractmethod
    async def delete(self, digest: str) -> None:
        """Remove the blob (no error when it is already gone)."""

    @abstractmethod
    async def exists(self, digest: str) -> bool:
        """Whether the blob is stored."""


class LocalPhotoStorage(PhotoStorage):
    """Files ``<root>/ab/cd/<digest>``, written to a temporary file and renamed into place."""

    name = "local"

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a SHA-256 hex digest: {digest!r}")
        return self.root / digest[:2] / digest[2:4] / digest

    async def put(self, digest: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, self._path(digest), data)

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def get(self, digest: str) -> bytes | None:
        path = self._path(digest)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, digest: str) -> None:
        self._path(digest).unlink(missing_ok=True)

    async def exists(self, digest: str) -> bool:
        return self._path(digest).exists()
