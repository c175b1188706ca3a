"""Content-addressed blob store on the local filesystem, keyed by SHA-256.

Originals are written once and never modified: a blob's name *is* the hex SHA-256 of its bytes,
so storing the same content twice keeps one copy and any corruption is detectable. Uploads are
streamed to a temporary file while hashing and moved into place atomically. Derived artefacts
(page images) live beside the originals under ``derived/<sha256>/<name>`` and may be deleted at
any time; they are re-created on demand.

Path safety: keys are validated (64 lowercase hex digits; derived names from a strict pattern)
before any path is built, so no caller input can escape the store's root.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio

__all__ = ["BlobStore", "BlobTooLargeError", "InvalidBlobKeyError", "StoredBlob", "StorageError"]

_SHA256 = re.compile(r"[0-9a-f]{64}")
_DERIVED_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
CHUNK = 1024 * 1024


class StorageError(Exception):
    """Base class of blob-store failures."""


class InvalidBlobKeyError(StorageError):
    """A key or derived name that is not in the expected form (never turned into a path)."""


class BlobTooLargeError(StorageError):
    """The stream exceeded the caller's size limit; nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"blob larger than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """A blob now present in the store."""

    sha256: str
    size: int
    path: Path
    head: bytes
    """The first bytes of the content (for sniffing the type without re-reading)."""


class BlobStore:
    """Blobs under ``root``: ``<root>/<aa>/<bb>/<sha256>``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def check_key(sha256: str) -> str:
        """``sha256`` if it is 64 lowercase hex digits, else :class:`InvalidBlobKeyError`."""
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise InvalidBlobKeyError("invalid blob key")
        return sha256

    def path_for(self, sha256: str) -> Path:
        key = self.check_key(sha256)
        return self.root / key[:2] / key[2:4] / key

    def derived_path(self, sha256: str, name: str) -> Path:
        """Where a derived artefact ``name`` (e.g. ``p1-w800.webp``) of blob ``sha256`` is kept."""
        key = self.check_key(sha256)
        if not _DERIVED_NAME.fullmatch(name):
            raise InvalidBlobKeyError("invalid derived name")
        return self.root / "derived" / key[:2] / key / name

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    async def put_stream(self, chunks: AsyncIterator[bytes], *, max_bytes: int) -> StoredBlob:
        """Store the streamed content; raises :class:`BlobTooLargeError` past ``max_bytes`` (nothing kept)."""
        tmp_dir = self.root / "tmp"
        await anyio.Path(tmp_dir).mkdir(parents=True, exist_ok=True)
        tmp = tmp_dir / f"upload-{secrets.token_hex(8)}"
        digest = hashlib.sha256()
        size = 0
        head = b""
        try:
            async with await anyio.open_file(tmp, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise BlobTooLargeError(max_bytes)
                    if len(head) < 4096:
                        head += chunk[: 4096 - len(head)]
                    digest.update(chunk)
                    await out.write(chunk)
            key = digest.hexdigest()
            final = self.path_for(key)
            await anyio.Path(final.parent).mkdir(parents=True, exist_ok=True)
            if final.exists():
                tmp.unlink()
            else:
                os.replace(tmp, final)
            return StoredBlob(sha256=key, size=size, path=final, head=head)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    async def put_bytes(self, data: bytes) -> StoredBlob:
        """Store ``data`` (small content such as test fixtures or generated files)."""

        async def once() -> AsyncIterator[bytes]:
            yield data

        return await self.put_stream(once(), max_bytes=len(data))

    async def write_derived(self, sha256: str, name: str, data: bytes) -> Path:
        """Write a derived artefact atomically and return its path."""
        path = self.derived_path(sha256, name)
        await anyio.Path(path.parent).mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{name}.{secrets.token_hex(4)}")
        await anyio.Path(tmp).write_bytes(data)
        os.replace(tmp, path)
        return path

    async def read_head(self, sha256: str, size: int = 4096) -> bytes:
        async with await anyio.open_file(self.path_for(sha256), "rb") as handle:
            return await handle.read(size)
