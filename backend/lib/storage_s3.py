"""The blob store over an S3-compatible object store (SeaweedFS, MinIO, Ceph RGW, AWS S3), via ``minio``.

Same contract and keys as the local store (:mod:`backend.lib.storage`): blob ``<sha256>`` is object
``blobs/<aa>/<bb>/<sha256>``, derived artefacts are ``derived/<aa>/<sha256>/<name>``. Uploads are
hashed into a local temporary file first, so the object key is known and verified before anything
is sent; an object already present (same content) is not sent again unless it is older than
:data:`~backend.lib.storage.RENEW_AFTER`, which renews its modified time for the orphan sweeper.

Tools that need a file (pypdf, page rendering, ``File`` responses) get a local cache copy under
``cache_dir`` (``<DATA_DIR>/blob-cache``): downloaded once, its SHA-256 checked against the key
before it is used, written atomically, so several web processes and workers on one machine can
share it. The cache can be emptied at any time.

The secret key is held only by the client object and never appears in a repr or a log line.
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from minio import Minio
from minio.error import S3Error

from backend.lib.storage import (
    RENEW_AFTER,
    BlobInfo,
    BlobMissingError,
    BlobStoreBase,
    StorageError,
    file_sha256,
    sharded,
)

__all__ = ["S3BlobStore", "S3Config"]

_MISSING = {"NoSuchKey", "NoSuchObject", "ResourceNotFound"}


class S3Config:
    """Where the bucket is; ``repr`` shows the endpoint and bucket, never the keys."""

    __slots__ = ("access_key", "bucket", "endpoint", "secret_key")

    def __init__(self, endpoint: str, bucket: str, access_key: str, secret_key: str) -> None:
        self.endpoint, self.bucket, self.access_key, self.secret_key = endpoint, bucket, access_key, secret_key

    def __repr__(self) -> str:
        return f"S3Config(endpoint={self.endpoint!r}, bucket={self.bucket!r})"

    def client(self) -> Minio:
        parts = urlsplit(self.endpoint if "://" in self.endpoint else f"http://{self.endpoint}")
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise StorageError("S3_ENDPOINT must be http(s)://host:port")
        return Minio(parts.netloc, access_key=self.access_key, secret_key=self.secret_key,
                     secure=parts.scheme == "https")


class S3BlobStore(BlobStoreBase):
    """Blobs as objects in one bucket, with a verified local cache for path-based tools."""

    def __init__(self, config: S3Config, cache_dir: Path) -> None:
        self.config = config
        self.cache_dir = cache_dir
        self._client = config.client()
        self._bucket_ready = False

    def __repr__(self) -> str:
        return f"S3BlobStore({self.config!r})"

    @property
    def scratch_dir(self) -> Path:
        return self.cache_dir / "tmp"

    def _object(self, key: str) -> str:
        return f"blobs/{sharded(key)}"

    def _derived_object(self, key: str, name: str) -> str:
        return f"derived/{key[:2]}/{key}/{name}"

    def _cache_path(self, key: str) -> Path:
        return self.cache_dir / sharded(key)

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        try:
            if not self._client.bucket_exists(self.config.bucket):
                self._client.make_bucket(self.config.bucket)
        except S3Error as error:
            if error.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise
        self._bucket_ready = True

    def _stat(self, name: str) -> datetime | None:
        """The object's modified time, ``None`` when there is no such object."""
        self._ensure_bucket()
        try:
            found = self._client.stat_object(self.config.bucket, name)
        except S3Error as error:
            if error.code in _MISSING:
                return None
            raise
        return found.last_modified or datetime.min.replace(tzinfo=UTC)

    def _keep(self, tmp: Path, key: str) -> Path:
        stored_at = self._stat(self._object(key))
        if stored_at is None or stored_at < datetime.now(UTC) - RENEW_AFTER:
            self._client.fput_object(self.config.bucket, self._object(key), str(tmp),
                                     content_type="application/octet-stream")
        final = self._cache_path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        return final

    def _exists(self, key: str) -> bool:
        return self._stat(self._object(key)) is not None

    def _modified_at(self, key: str) -> datetime | None:
        return self._stat(self._object(key))

    def _local_path(self, key: str) -> Path:
        final = self._cache_path(key)
        if final.is_file():
            return final
        self._ensure_bucket()
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{key}.{secrets.token_hex(4)}")
        try:
            try:
                self._client.fget_object(self.config.bucket, self._object(key), str(tmp))
            except S3Error as error:
                if error.code in _MISSING:
                    raise BlobMissingError("blob not found") from None
                raise
            if file_sha256(tmp) != key:
                raise StorageError("stored object does not match its SHA-256")
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
        return final

    def _iter_keys(self) -> Iterator[str]:
        self._ensure_bucket()
        for item in self._client.list_objects(self.config.bucket, prefix="blobs/", recursive=True):
            if item.object_name:
                yield item.object_name.rsplit("/", 1)[-1]

    def _iter_shard(self, shard: str) -> Iterator[BlobInfo]:
        self._ensure_bucket()
        for item in self._client.list_objects(self.config.bucket, prefix=f"blobs/{shard}/", recursive=True):
            if item.object_name and item.last_modified is not None:
                yield BlobInfo(item.object_name.rsplit("/", 1)[-1], item.size or 0, item.last_modified)

    def _copy_out(self, key: str, dest: Path) -> None:
        self._ensure_bucket()
        try:
            self._client.fget_object(self.config.bucket, self._object(key), str(dest))
        except S3Error as error:
            if error.code in _MISSING:
                raise BlobMissingError("blob not found") from None
            raise

    def _delete(self, key: str) -> None:
        self._ensure_bucket()
        self._client.remove_object(self.config.bucket, self._object(key))
        self._cache_path(key).unlink(missing_ok=True)

    def _read_derived(self, key: str, name: str) -> bytes | None:
        self._ensure_bucket()
        try:
            response = self._client.get_object(self.config.bucket, self._derived_object(key, name))
        except S3Error as error:
            if error.code in _MISSING:
                return None
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def _write_derived(self, key: str, name: str, data: bytes) -> None:
        self._ensure_bucket()
        self._client.put_object(self.config.bucket, self._derived_object(key, name), io.BytesIO(data), len(data))
