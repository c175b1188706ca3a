"""Content-addressed blob store, keyed by SHA-256: the shared contract and the local-directory store.

Originals are written once and never modified: a blob's name *is* the hex SHA-256 of its bytes,
so storing the same content twice keeps one copy and any corruption is detectable. Uploads are
streamed to a temporary file while hashing and moved into place atomically. Derived artefacts
(page images) are kept per blob under a derived name and may be deleted at any time; they are
re-created on demand.

:class:`BlobStoreBase` is the contract every store implements (``put_stream``, ``put_bytes``,
``exists``, ``read_bytes``, ``iter_chunks``, ``local_path``, ``delete``, ``read_derived``,
``write_derived``, for backups the blocking ``iter_keys``, ``copy_out`` and ``add_file``, and for the
orphan sweeper and ``check`` the blocking ``iter_shard`` and ``modified_at``); callers
read through it and never build paths themselves. A tool that needs a file on disk (pypdf, pdftoppm,
a ``File`` response) asks for :meth:`BlobStoreBase.local_path`: the blob itself here, a verified cache
copy in the S3 store (``backend.lib.storage_s3``).

Ages: a blob's modified time is when its content was last stored. Storing content that is already
present renews it (the local store touches the file; the S3 store re-sends an object older than
:data:`RENEW_AFTER`), so an upload whose row is about to commit never looks like an old orphan.

Path safety: keys are validated (64 lowercase hex digits; derived names from a strict pattern)
before any path or object key is built, so no caller input can escape the store.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import anyio.to_thread

__all__ = [
    "RENEW_AFTER", "SHARDS", "BlobInfo", "BlobMissingError", "BlobStore", "BlobStoreBase", "BlobTooLargeError",
    "InvalidBlobKeyError", "StoredBlob", "StorageError",
]

_SHA256 = re.compile(r"[0-9a-f]{64}")
_SHARD = re.compile(r"[0-9a-f]{2}")
SHARDS = tuple(f"{n:02x}" for n in range(256))
"""The first two hex digits of a key: the unit in which the sweeper and ``check`` read a store."""
RENEW_AFTER = timedelta(hours=1)
"""Storing content already present renews its modified time when it is older than this (S3 store)."""
_DERIVED_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
CHUNK = 1024 * 1024


class StorageError(Exception):
    """Base class of blob-store failures."""


class InvalidBlobKeyError(StorageError):
    """A key or derived name that is not in the expected form (never turned into a path)."""


class BlobMissingError(StorageError):
    """No blob with this key is stored."""


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
    """A local file holding the content (the blob itself, or the S3 store's cache copy)."""
    head: bytes
    """The first bytes of the content (for sniffing the type without re-reading)."""


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """A stored blob as listed: its key, size in bytes and modified time (UTC)."""

    sha256: str
    size: int
    modified_at: datetime


def check_derived_name(name: str) -> str:
    """``name`` if it is a valid derived-artefact name (e.g. ``p1-w800.webp``), else :class:`InvalidBlobKeyError`."""
    if not isinstance(name, str) or not _DERIVED_NAME.fullmatch(name):
        raise InvalidBlobKeyError("invalid derived name")
    return name


def sharded(key: str) -> str:
    """``aa/bb/<key>``: the relative location of a blob (directory or object key)."""
    return f"{key[:2]}/{key[2:4]}/{key}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class BlobStoreBase(ABC):
    """The blob-store contract; subclasses keep blobs somewhere and a local file per blob when asked."""

    @staticmethod
    def check_key(sha256: str) -> str:
        """``sha256`` if it is 64 lowercase hex digits, else :class:`InvalidBlobKeyError`."""
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise InvalidBlobKeyError("invalid blob key")
        return sha256

    @property
    @abstractmethod
    def scratch_dir(self) -> Path:
        """A local directory for temporary upload files (same filesystem as the local copies)."""

    @abstractmethod
    def _keep(self, tmp: Path, key: str) -> Path:
        """Make the verified temporary file ``tmp`` the blob ``key``; return its local file (blocking)."""

    @abstractmethod
    def _exists(self, key: str) -> bool:
        """Whether blob ``key`` is stored (blocking)."""

    @abstractmethod
    def _local_path(self, key: str) -> Path:
        """A local file with blob ``key``'s content; :class:`BlobMissingError` if there is none (blocking)."""

    @abstractmethod
    def _iter_keys(self) -> Iterator[str]:
        """The key of every stored blob, derived artefacts excluded (blocking)."""

    @abstractmethod
    def _iter_shard(self, shard: str) -> Iterator[BlobInfo]:
        """Every stored blob whose key starts with ``shard`` (two hex digits), derived artefacts excluded."""

    @abstractmethod
    def _modified_at(self, key: str) -> datetime | None:
        """When blob ``key`` was last stored, ``None`` if it is not (blocking)."""

    def _copy_out(self, key: str, dest: Path) -> None:
        """Write blob ``key``'s content to the new file ``dest`` (blocking); stores may fetch directly."""
        shutil.copyfile(self._local_path(key), dest)

    @abstractmethod
    def _delete(self, key: str) -> None:
        """Remove blob ``key`` if present (blocking)."""

    @abstractmethod
    def _read_derived(self, key: str, name: str) -> bytes | None:
        """Derived artefact ``name`` of blob ``key``, ``None`` when not made yet (blocking)."""

    @abstractmethod
    def _write_derived(self, key: str, name: str, data: bytes) -> None:
        """Keep derived artefact ``name`` of blob ``key`` (blocking)."""

    async def put_stream(self, chunks: AsyncIterator[bytes], *, max_bytes: int) -> StoredBlob:
        """Store the streamed content; raises :class:`BlobTooLargeError` past ``max_bytes`` (nothing kept)."""
        await anyio.Path(self.scratch_dir).mkdir(parents=True, exist_ok=True)
        tmp = self.scratch_dir / f"upload-{secrets.token_hex(8)}"
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
            final = await anyio.to_thread.run_sync(self._keep, tmp, key)
            return StoredBlob(sha256=key, size=size, path=final, head=head)
        finally:
            tmp.unlink(missing_ok=True)

    async def put_bytes(self, data: bytes) -> StoredBlob:
        """Store ``data`` (small content such as test fixtures or generated files)."""

        async def once() -> AsyncIterator[bytes]:
            yield data

        return await self.put_stream(once(), max_bytes=len(data))

    async def exists(self, sha256: str) -> bool:
        return await anyio.to_thread.run_sync(self._exists, self.check_key(sha256))

    async def local_path(self, sha256: str) -> Path:
        """A local file with the blob's content, for tools that need a path (never write to it)."""
        return await anyio.to_thread.run_sync(self._local_path, self.check_key(sha256))

    async def read_bytes(self, sha256: str) -> bytes:
        return (await self.local_path(sha256)).read_bytes()

    def read_bytes_sync(self, sha256: str) -> bytes:
        """The blob's bytes from synchronous code (small blobs only: it blocks)."""
        return self._local_path(self.check_key(sha256)).read_bytes()

    async def iter_chunks(self, sha256: str, chunk_size: int = CHUNK) -> AsyncIterator[bytes]:
        """The blob's content in chunks (for streaming it out)."""
        path = await self.local_path(sha256)
        async with await anyio.open_file(path, "rb") as handle:
            while chunk := await handle.read(chunk_size):
                yield chunk

    async def read_head(self, sha256: str, size: int = 4096) -> bytes:
        async with await anyio.open_file(await self.local_path(sha256), "rb") as handle:
            return await handle.read(size)

    def iter_keys(self) -> Iterator[str]:
        """Every stored blob's key (blocking: backups and store checks run it outside the event loop)."""
        for key in self._iter_keys():
            if _SHA256.fullmatch(key):
                yield key

    def iter_shard(self, shard: str) -> Iterator[BlobInfo]:
        """The blobs whose key starts with ``shard`` (one of :data:`SHARDS`), in no particular order (blocking)."""
        if not isinstance(shard, str) or not _SHARD.fullmatch(shard):
            raise InvalidBlobKeyError("invalid shard")
        for info in self._iter_shard(shard):
            if _SHA256.fullmatch(info.sha256) and info.sha256.startswith(shard):
                yield info

    def modified_at(self, sha256: str) -> datetime | None:
        """When the blob was last stored (UTC), ``None`` if it is not stored (blocking)."""
        return self._modified_at(self.check_key(sha256))

    def copy_out(self, sha256: str, dest: Path) -> None:
        """Write the blob's content to ``dest`` (blocking; the caller checks the copy's SHA-256)."""
        self._copy_out(self.check_key(sha256), dest)

    def add_file(self, path: Path) -> str:
        """Store a copy of the local file ``path`` and return its key (blocking; ``path`` is left as it is)."""
        self.scratch_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.scratch_dir / f"import-{secrets.token_hex(8)}"
        try:
            shutil.copyfile(path, tmp)
            key = file_sha256(tmp)
            if not self._exists(key):
                self._keep(tmp, key)
            return key
        finally:
            tmp.unlink(missing_ok=True)

    async def delete(self, sha256: str) -> None:
        await anyio.to_thread.run_sync(self._delete, self.check_key(sha256))

    async def read_derived(self, sha256: str, name: str) -> bytes | None:
        return await anyio.to_thread.run_sync(self._read_derived, self.check_key(sha256), check_derived_name(name))

    async def write_derived(self, sha256: str, name: str, data: bytes) -> None:
        await anyio.to_thread.run_sync(self._write_derived, self.check_key(sha256), check_derived_name(name), data)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class BlobStore(BlobStoreBase):
    """Blobs in a local directory: ``<root>/<aa>/<bb>/<sha256>``, derived ones under ``<root>/derived``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def scratch_dir(self) -> Path:
        return self.root / "tmp"

    def path_for(self, sha256: str) -> Path:
        return self.root / sharded(self.check_key(sha256))

    def derived_path(self, sha256: str, name: str) -> Path:
        """Where a derived artefact ``name`` (e.g. ``p1-w800.webp``) of blob ``sha256`` is kept."""
        key = self.check_key(sha256)
        return self.root / "derived" / key[:2] / key / check_derived_name(name)

    def _keep(self, tmp: Path, key: str) -> Path:
        final = self.path_for(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.utime(final)  # stored again: an orphan sweep must count its age from now
        else:
            os.replace(tmp, final)
        return final

    def _exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def _local_path(self, key: str) -> Path:
        path = self.path_for(key)
        if not path.is_file():
            raise BlobMissingError("blob not found")
        return path

    def _iter_keys(self) -> Iterator[str]:
        for first in sorted(self.root.glob("[0-9a-f][0-9a-f]")):
            for path in sorted(first.glob("[0-9a-f][0-9a-f]/*")):
                if path.is_file() and path.name[:2] == first.name and path.name[2:4] == path.parent.name:
                    yield path.name

    def _iter_shard(self, shard: str) -> Iterator[BlobInfo]:
        for path in (self.root / shard).glob("[0-9a-f][0-9a-f]/*"):
            try:
                facts = path.stat()
            except FileNotFoundError:  # deleted while listing
                continue
            if path.is_file() and path.name[2:4] == path.parent.name:
                yield BlobInfo(path.name, facts.st_size, datetime.fromtimestamp(facts.st_mtime, UTC))

    def _modified_at(self, key: str) -> datetime | None:
        try:
            return datetime.fromtimestamp(self.path_for(key).stat().st_mtime, UTC)
        except FileNotFoundError:
            return None

    def _delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)

    def _read_derived(self, key: str, name: str) -> bytes | None:
        path = self.derived_path(key, name)
        return path.read_bytes() if path.is_file() else None

    def _write_derived(self, key: str, name: str, data: bytes) -> None:
        _atomic_write(self.derived_path(key, name), data)
