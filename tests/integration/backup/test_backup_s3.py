"""Backup and restore with blobs in an S3 bucket (a real SeaweedFS): every object saved and put back.

The target is a new, empty bucket; after the restore it holds every blob of the source bucket with
the same content (SHA-256), and the database rows are identical.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from backend.config.settings import Settings, load_settings
from backend.domain.documents.files import blob_store
from tests.support.backup import blob_digests, cli, deployment_env, fresh_target, table_rows
from tests.support.signing import SigningEnv


@pytest.fixture
def settings_env(s3_settings_env: dict[str, str]) -> dict[str, str]:
    return s3_settings_env


async def test_s3_blobs_round_trip(settings: Settings, settings_env: dict[str, str], backup_signing: SigningEnv,
                                   tmp_path: Path) -> None:
    store = blob_store(settings)
    contents = [b"%PDF-1.7 s3 backup " + bytes([n]) * (n * 1000) for n in range(1, 4)]
    for content in contents:
        await store.put_bytes(content)
    source_env = deployment_env(settings_env, backup_signing.data_dir)
    archive = tmp_path / "sao-luu-s3"
    made = cli(source_env, "backup", str(archive))
    assert made.returncode == 0, made.stderr
    async with fresh_target(source_env, tmp_path / "target") as target_env:
        assert target_env["S3_BUCKET"] != settings_env["S3_BUCKET"]
        restored = cli(target_env, "restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        digests = blob_digests(target_env)
        assert digests == blob_digests(source_env)
        assert {hashlib.sha256(content).hexdigest() for content in contents} <= set(digests)
        assert all(key == digest for key, digest in digests.items())
        assert await table_rows(load_settings(target_env).database_url) == await table_rows(settings.database_url)
