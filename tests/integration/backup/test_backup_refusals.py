"""Bad input of backup and restore: tampered, incomplete or foreign backups, occupied targets, a full disk.

Restore must refuse (exit 1, a Vietnamese message naming the problem) before it writes anything; a
backup that cannot be completed must leave no directory that looks like a backup.
"""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pytest

from backend.config.settings import Settings, load_settings
from backend.domain.documents.files import blob_store
from tests.support.backup import cli, deployment_env, fresh_target, table_rows, target_untouched
from tests.support.signing import SigningEnv


@pytest.fixture
async def archive(settings: Settings, settings_env: dict[str, str], backup_signing: SigningEnv,
                  tmp_path: Path) -> Path:
    """A fresh backup of the test deployment holding two blobs."""
    store = blob_store(settings)
    await store.put_bytes(b"%PDF-1.7 first test blob")
    await store.put_bytes(b"%PDF-1.7 second test blob")
    path = tmp_path / "sao-luu"
    made = cli(deployment_env(settings_env, backup_signing.data_dir), "backup", str(path))
    assert made.returncode == 0, made.stderr
    return path


def _a_blob(archive: Path) -> Path:
    return next(path for path in sorted((archive / "blobs").rglob("*")) if path.is_file())


def _edit_manifest(archive: Path, **changes: str) -> None:
    path = archive / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(("damage", "message"), [
    ("tamper", "không khớp mã SHA-256"),
    ("remove", "thiếu tệp"),
    ("add", "không nằm trong manifest.json"),
    ("head", "phiên bản cơ sở dữ liệu"),
    ("manifest", "manifest.json bị hỏng"),
])
async def test_restore_refuses_a_damaged_backup_and_writes_nothing(
        archive: Path, settings_env: dict[str, str], backup_signing: SigningEnv, tmp_path: Path,
        damage: str, message: str) -> None:
    if damage == "tamper":
        blob = _a_blob(archive)
        content = bytearray(blob.read_bytes())
        content[-1] ^= 0x01
        blob.write_bytes(bytes(content))
    elif damage == "remove":
        (archive / "signing" / "signing.sqlite3").unlink()
    elif damage == "add":
        (archive / "blobs" / "ghi-them.pdf").write_bytes(b"%PDF-1.7 not listed")
    elif damage == "head":
        _edit_manifest(archive, alembic_head="0000deadbeef")
    else:
        (archive / "manifest.json").write_text("{ not json", encoding="utf-8")
    source_env = deployment_env(settings_env, backup_signing.data_dir)
    async with fresh_target(source_env, tmp_path / "target") as target_env:
        refused = cli(target_env, "restore", str(archive))
        assert refused.returncode == 1
        assert message in refused.stderr, refused.stderr
        assert await target_untouched(target_env)


async def test_restore_refuses_an_occupied_target_unless_forced(
        archive: Path, settings: Settings, settings_env: dict[str, str], backup_signing: SigningEnv,
        tmp_path: Path) -> None:
    source_env = deployment_env(settings_env, backup_signing.data_dir)
    async with fresh_target(source_env, tmp_path / "target") as target_env:
        assert cli(target_env, "restore", str(archive)).returncode == 0
        again = cli(target_env, "restore", str(archive))
        assert again.returncode == 1 and "không trống" in again.stderr and "--force" in again.stderr
        target_url = load_settings(target_env).database_url
        forced = cli(target_env, "restore", "--force", str(archive))
        assert forced.returncode == 0, forced.stderr
        assert await table_rows(target_url) == await table_rows(settings.database_url)


def test_backup_refuses_an_existing_destination(settings_env: dict[str, str], backup_signing: SigningEnv,
                                                tmp_path: Path) -> None:
    dest = tmp_path / "co-san"
    dest.mkdir()
    (dest / "cu.txt").write_text("giữ nguyên", encoding="utf-8")
    refused = cli(deployment_env(settings_env, backup_signing.data_dir), "backup", str(dest))
    assert refused.returncode == 1 and "đã tồn tại" in refused.stderr
    assert [p.name for p in dest.iterdir()] == ["cu.txt"]


def _small_disk() -> None:
    """Every file the backup process (and pg_dump) writes may grow to 64 KiB at most."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_backup_to_a_full_disk_fails_cleanly(settings_env: dict[str, str], backup_signing: SigningEnv,
                                             tmp_path: Path) -> None:
    parent = tmp_path / "dia-day"
    parent.mkdir()
    failed = cli(deployment_env(settings_env, backup_signing.data_dir), "backup", str(parent / "sao-luu"),
                 preexec=_small_disk)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Đĩa đích đã đầy" in failed.stderr, failed.stderr
    assert list(parent.iterdir()) == []
