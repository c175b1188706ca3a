"""The blob-store contract, run against the local directory and against a real SeaweedFS S3 server.

Both stores must: key content by SHA-256 and keep one copy, refuse oversized streams keeping
nothing, answer ``exists``/``read_bytes``/``iter_chunks``/``local_path`` for stored blobs and a
clear error for missing ones, keep derived artefacts per blob, delete, and never build a location
from a bad key. The S3 store must also refuse a cached or stored copy whose content does not
match its key, and its configuration must not show the secret key.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from minio import Minio

from backend.config.settings import load_settings
from backend.domain.documents.files import blob_store
from backend.lib.storage import (
    SHARDS,
    BlobMissingError,
    BlobStore,
    BlobStoreBase,
    BlobTooLargeError,
    InvalidBlobKeyError,
    StorageError,
)
from backend.lib.storage_s3 import S3BlobStore


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStoreBase:
    env = {"APP_ENV": "demo", "DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "t" * 64}
    if request.param == "s3":
        server = request.getfixturevalue("seaweed_s3")
        env |= {"BLOB_BACKEND": "s3", "S3_ENDPOINT": server.endpoint, "S3_BUCKET": server.bucket,
                "S3_ACCESS_KEY": server.access_key, "S3_SECRET_KEY": server.secret_key}
    chosen = blob_store(load_settings(env))
    assert isinstance(chosen, S3BlobStore if request.param == "s3" else BlobStore)
    return chosen


async def _stream(parts: list[bytes]):
    for part in parts:
        yield part


async def test_put_keys_by_sha256_keeps_one_copy_and_reads_back(store: BlobStoreBase) -> None:
    data = secrets.token_bytes(300_000) + "Công văn số 12/UBND".encode()
    first = await store.put_stream(_stream([data[:100_000], data[100_000:]]), max_bytes=len(data))
    second = await store.put_bytes(data)
    assert first.sha256 == second.sha256 == hashlib.sha256(data).hexdigest()
    assert first.size == len(data) and first.head == data[:4096] and first.path.read_bytes() == data
    assert await store.exists(first.sha256)
    assert await store.read_bytes(first.sha256) == data
    assert store.read_bytes_sync(first.sha256) == data
    assert (await store.local_path(first.sha256)).read_bytes() == data
    assert await store.read_head(first.sha256, 10) == data[:10]
    chunks = [chunk async for chunk in store.iter_chunks(first.sha256, chunk_size=65_536)]
    assert len(chunks) > 1 and b"".join(chunks) == data


async def test_too_large_streams_keep_nothing(store: BlobStoreBase) -> None:
    data = secrets.token_bytes(3000)
    with pytest.raises(BlobTooLargeError):
        await store.put_stream(_stream([data[:1000], data[1000:2000], data[2000:]]), max_bytes=2500)
    assert not await store.exists(hashlib.sha256(data).hexdigest())
    assert [p for p in store.scratch_dir.rglob("*") if p.is_file()] == []


async def test_missing_blobs_and_bad_keys(store: BlobStoreBase) -> None:
    absent = hashlib.sha256(b"never stored").hexdigest()
    assert not await store.exists(absent)
    with pytest.raises(BlobMissingError):
        await store.read_bytes(absent)
    for key in ["../../etc/passwd", "A" * 64, "abc", "0" * 63 + "/", ""]:
        with pytest.raises(InvalidBlobKeyError):
            await store.exists(key)
        with pytest.raises(InvalidBlobKeyError):
            await store.read_derived(key, "p1-w800.webp")
    with pytest.raises(InvalidBlobKeyError):
        await store.write_derived(absent, "../x", b"")


async def test_derived_artefacts_are_kept_per_blob(store: BlobStoreBase) -> None:
    blob = await store.put_bytes(b"%PDF-1.4 goc " + secrets.token_bytes(16))
    other = await store.put_bytes(b"%PDF-1.4 khac " + secrets.token_bytes(16))
    assert await store.read_derived(blob.sha256, "p1-w800.webp") is None
    await store.write_derived(blob.sha256, "p1-w800.webp", b"RIFF1")
    await store.write_derived(blob.sha256, "p1-w800.webp", b"RIFF2")
    assert await store.read_derived(blob.sha256, "p1-w800.webp") == b"RIFF2"
    assert await store.read_derived(other.sha256, "p1-w800.webp") is None
    assert await store.read_derived(blob.sha256, "p2-w800.webp") is None


async def test_delete_removes_the_blob(store: BlobStoreBase) -> None:
    blob = await store.put_bytes(b"tam thoi " + secrets.token_bytes(16))
    await store.delete(blob.sha256)
    assert not await store.exists(blob.sha256)
    with pytest.raises(BlobMissingError):
        await store.local_path(blob.sha256)
    await store.delete(blob.sha256)  # deleting twice is harmless


async def test_keys_copy_out_and_add_file_for_backups(store: BlobStoreBase, tmp_path: Path) -> None:
    blob = await store.put_bytes(b"%PDF-1.4 sao luu " + secrets.token_bytes(16))
    await store.write_derived(blob.sha256, "p1-w800.webp", b"RIFF")
    keys = list(store.iter_keys())
    assert blob.sha256 in keys and all(len(key) == 64 for key in keys)
    copy = tmp_path / "copy"
    store.copy_out(blob.sha256, copy)
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == blob.sha256
    fresh = tmp_path / "fresh.pdf"
    fresh.write_bytes(b"%PDF-1.4 khoi phuc " + secrets.token_bytes(16))
    key = store.add_file(fresh)
    assert key == hashlib.sha256(fresh.read_bytes()).hexdigest() and fresh.is_file()
    assert await store.read_bytes(key) == fresh.read_bytes() and key in set(store.iter_keys())
    assert store.add_file(fresh) == key
    with pytest.raises(BlobMissingError):
        store.copy_out(hashlib.sha256(b"never stored").hexdigest(), tmp_path / "absent")


async def test_shards_list_each_blob_once_with_size_and_age(store: BlobStoreBase) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    blob = await store.put_bytes(b"%PDF-1.4 liet ke " + secrets.token_bytes(16))
    await store.write_derived(blob.sha256, "p1-w800.webp", b"RIFF")
    listed = [info for shard in SHARDS for info in store.iter_shard(shard)]
    mine = [info for info in listed if info.sha256 == blob.sha256]
    assert len(mine) == 1 and mine[0].size == blob.size and mine[0].modified_at >= before
    assert {info.sha256 for info in listed} == set(store.iter_keys())
    assert all(info.sha256.startswith(shard) for shard in ("00", "ff") for info in store.iter_shard(shard))
    stamp = store.modified_at(blob.sha256)
    assert stamp is not None and stamp >= before
    assert store.modified_at(hashlib.sha256(b"never stored").hexdigest()) is None
    with pytest.raises(InvalidBlobKeyError):
        list(store.iter_shard("../"))


async def test_storing_old_content_again_renews_its_age(store: BlobStoreBase, monkeypatch) -> None:
    """An upload that re-uses an old orphan's content must not be swept before its row commits."""
    data = b"%PDF-1.4 cu " + secrets.token_bytes(16)
    blob = await store.put_bytes(data)
    first = store.modified_at(blob.sha256)
    assert first is not None
    # Pretend the content was stored long ago: everything older than "now + 2 h" is due for renewal.
    monkeypatch.setattr("backend.lib.storage_s3.RENEW_AFTER", timedelta(hours=-2))
    if isinstance(store, BlobStore):
        os.utime(store.path_for(blob.sha256), (first.timestamp() - 7200, first.timestamp() - 7200))
    await asyncio.sleep(1.1)  # object stores keep whole seconds
    await store.put_bytes(data)
    renewed = store.modified_at(blob.sha256)
    assert renewed is not None and renewed > first


async def test_s3_store_refuses_an_object_that_does_not_match_its_key(seaweed_s3, tmp_path: Path) -> None:
    settings = load_settings({"APP_ENV": "demo", "DATA_DIR": str(tmp_path), "SECRET_KEY": "t" * 64,
                              "BLOB_BACKEND": "s3", "S3_ENDPOINT": seaweed_s3.endpoint,
                              "S3_BUCKET": seaweed_s3.bucket, "S3_ACCESS_KEY": seaweed_s3.access_key,
                              "S3_SECRET_KEY": seaweed_s3.secret_key})
    store = blob_store(settings)
    assert isinstance(store, S3BlobStore)
    original = b"ban goc " + secrets.token_bytes(16)
    blob = await store.put_bytes(original)
    assert seaweed_s3.secret_key not in repr(store) and seaweed_s3.secret_key not in repr(settings)
    # Another process sharing the bucket sees the object, not this process's cache.
    fresh = S3BlobStore(store.config, tmp_path / "other-cache")
    assert await fresh.read_bytes(blob.sha256) == original
    # The object is altered behind the store's back: a new cache refuses it.
    raw = Minio(seaweed_s3.endpoint.removeprefix("http://"), access_key=seaweed_s3.access_key,
                secret_key=seaweed_s3.secret_key, secure=False)
    import io

    raw.put_object(settings.s3_bucket, f"blobs/{blob.sha256[:2]}/{blob.sha256[2:4]}/{blob.sha256}",
                   io.BytesIO(b"ban da sua"), 10)
    with pytest.raises(StorageError, match="does not match"):
        await S3BlobStore(store.config, tmp_path / "third-cache").read_bytes(blob.sha256)
    assert not list((tmp_path / "third-cache").rglob(blob.sha256))


def test_s3_settings_require_every_value_and_never_echo_the_secret() -> None:
    from backend.config.settings import SettingsError

    base = {"APP_ENV": "demo", "SECRET_KEY": "t" * 64, "BLOB_BACKEND": "s3", "S3_ENDPOINT": "http://127.0.0.1:1",
            "S3_BUCKET": "b", "S3_ACCESS_KEY": "a", "S3_SECRET_KEY": "matkhau-bi-mat-123"}
    for name in ("S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY", "S3_SECRET_KEY"):
        with pytest.raises(SettingsError, match=name) as raised:
            load_settings({**base, name: ""})
        assert "matkhau-bi-mat-123" not in str(raised.value)
    with pytest.raises(SettingsError, match="BLOB_BACKEND"):
        load_settings({**base, "BLOB_BACKEND": "ftp"})
    with pytest.raises(SettingsError, match="S3_ENDPOINT"):
        load_settings({**base, "S3_ENDPOINT": "127.0.0.1:8333"})


async def test_startup_checks_refuse_wrong_s3_keys_without_printing_them(seaweed_s3, settings_env, capsys) -> None:
    from backend.server.checks import run_checks

    Path(settings_env["DATA_DIR"]).mkdir(parents=True, exist_ok=True)  # only the S3 store can fail here
    env = {**settings_env, "BLOB_BACKEND": "s3", "S3_ENDPOINT": seaweed_s3.endpoint, "S3_BUCKET": seaweed_s3.bucket,
           "S3_ACCESS_KEY": seaweed_s3.access_key, "S3_SECRET_KEY": "sai-khoa-bi-mat-0123456789"}
    assert await run_checks(load_settings(env), verbose=True) == 1
    out = capsys.readouterr().out
    assert "Không dùng được kho tệp S3" in out and "sai-khoa-bi-mat-0123456789" not in out
    assert "DATA_DIR" not in out
    assert await run_checks(load_settings({**env, "S3_SECRET_KEY": seaweed_s3.secret_key}), verbose=True) == 0
