"""``backup DEST`` and ``restore SRC``: the database, every blob, the signing server's registry and token.

A backup is a directory: ``database/`` (``congvan.sqlite3`` from SQLite's online backup API, or
``congvan.pgdump`` from ``pg_dump -Fc``), ``blobs/aa/bb/<sha256>``, ``signing/`` (the signing
server's registry, data files and SoftHSM token) and ``manifest.json`` with the SHA-256 of each
file (:mod:`backend.cli.backup_manifest`). It is written into a hidden sibling directory and renamed
to ``DEST`` only once complete, so a failure (a full disk, a dead database) leaves no backup that
looks valid; the partial directory is removed.

Restore verifies the manifest before it touches anything and refuses a changed, missing or extra
file, a backup made at another Alembic revision than this code's, and one of another database kind.
It restores into an empty target (database without tables, empty blob store, empty signing data
dir) and refuses a non-empty one unless ``--force``. Stop the web, worker and signing processes of
the target before restoring.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import sqlite3
import sys
from collections.abc import Mapping
from pathlib import Path

from alembic.script import ScriptDirectory

from backend.cli import backup_database as database
from backend.cli.backup_files import SigningPaths, restore_blobs, restore_signing, save_blobs, save_signing
from backend.cli.backup_manifest import BackupError, Manifest, app_version, build, now_iso, verify, write
from backend.config.settings import Settings
from backend.db.migrate import alembic_config
from backend.domain.documents.files import blob_store
from backend.lib.storage import StorageError

__all__ = ["run_backup", "run_restore"]

_SQLITE_FILE = "database/congvan.sqlite3"
_PG_FILE = "database/congvan.pgdump"
_DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_FULL_MESSAGE = "Đĩa đích đã đầy hoặc vượt giới hạn kích thước tệp: bản sao lưu dở dang đã được xóa."


def _kind(settings: Settings) -> str:
    return "sqlite" if settings.is_sqlite else "postgresql"


def _fsync_dir(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _save_database(settings: Settings, work: Path) -> tuple[str, str]:
    """Write the database into ``work``; returns (Alembic revision, server version)."""
    (work / "database").mkdir()
    if settings.is_sqlite:
        source = database.sqlite_path(settings.database_url)
        if not source.is_file():
            raise BackupError(f"Không tìm thấy cơ sở dữ liệu {source}.")
        database.sqlite_copy(source, work / _SQLITE_FILE)
        return database.sqlite_revision(work / _SQLITE_FILE), sqlite3.sqlite_version
    target = database.PgTarget(settings.database_url)
    revision = target.revision()
    database.pg_dump(target, work / _PG_FILE)
    return revision, target.server_version()


def _write_backup(settings: Settings, env: Mapping[str, str], work: Path) -> dict[str, int]:
    revision, server_version = _save_database(settings, work)
    if not revision:
        raise BackupError("Cơ sở dữ liệu chưa được khởi tạo (không có phiên bản Alembic): chạy "
                          "`python -m backend migrate` trước.")
    blobs = save_blobs(blob_store(settings), work)
    paths = SigningPaths(env)
    signing = save_signing(paths, work)
    meta = Manifest(alembic_head=revision, created_at=now_iso(), database=_kind(settings),
                    blob_backend=settings.blob_backend, signing=signing,
                    signing_tokens_outside=signing and paths.tokens_outside() is not None,
                    app_version=app_version(), blobs=blobs)
    manifest = build(work, meta, server_version)
    write(work, manifest)
    for folder, _dirs, _names in os.walk(work):
        _fsync_dir(Path(folder))
    return {"blobs": blobs, "files": len(manifest["files"]), "signing": int(signing)}


def _failure(error: BaseException) -> str:
    if isinstance(error, OSError) and error.errno in _DISK_FULL:
        return _FULL_MESSAGE
    if isinstance(error, sqlite3.Error) and ("full" in str(error) or "disk" in str(error)):
        return _FULL_MESSAGE
    if isinstance(error, BackupError) and ("No space left" in str(error) or "File too large" in str(error)):
        return f"{_FULL_MESSAGE} ({error})"
    return str(error) or type(error).__name__


def run_backup(settings: Settings, dest: Path, env: Mapping[str, str] | None = None) -> int:
    """Write a complete backup to the new directory ``dest``; exit code 0, or 1 with a message."""
    env = os.environ if env is None else env
    dest = dest.resolve()
    if dest.exists():
        print(f"Sao lưu bị từ chối: {dest} đã tồn tại; hãy chọn một thư mục mới.", file=sys.stderr)
        return 1
    work = dest.with_name(f".{dest.name}.partial-{secrets.token_hex(4)}")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        work.mkdir(mode=0o700)
        counts = _write_backup(settings, env, work)
        os.rename(work, dest)
        _fsync_dir(dest.parent)
    except (BackupError, OSError, sqlite3.Error, StorageError) as error:
        shutil.rmtree(work, ignore_errors=True)
        print(f"Sao lưu thất bại: {_failure(error)}", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    print(f"Đã sao lưu vào {dest}: cơ sở dữ liệu ({_kind(settings)}), {counts['blobs']} tệp lưu trữ, "
          f"máy chủ ký số: {'có' if counts['signing'] else 'không có'}; {counts['files']} tệp trong manifest.json.")
    return 0


def _code_head(settings: Settings) -> str:
    return ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head() or ""


def _occupied(settings: Settings, meta: Manifest, paths: SigningPaths) -> list[str]:
    """The parts of the target that already hold data."""
    found = []
    if settings.is_sqlite:
        if not database.sqlite_is_empty(database.sqlite_path(settings.database_url)):
            found.append("cơ sở dữ liệu")
    elif not database.PgTarget(settings.database_url).is_empty():
        found.append("cơ sở dữ liệu")
    if next(blob_store(settings).iter_keys(), None) is not None:
        found.append("kho tệp")
    if meta.signing and not paths.is_empty():
        found.append("thư mục dữ liệu máy chủ ký số")
    return found


def _restore_database(settings: Settings, src: Path, *, force: bool) -> None:
    if settings.is_sqlite:
        target = database.sqlite_path(settings.database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        built = target.with_name(f".{target.name}.restore-{secrets.token_hex(4)}")
        try:
            shutil.copyfile(src / _SQLITE_FILE, built)
            with built.open("rb") as handle:
                os.fsync(handle.fileno())
            if force:
                for suffix in ("-wal", "-shm", "-journal"):
                    target.with_name(target.name + suffix).unlink(missing_ok=True)
            os.replace(built, target)
        finally:
            built.unlink(missing_ok=True)
        return
    pg = database.PgTarget(settings.database_url)
    if force and not pg.is_empty():
        pg.drop_everything()
    database.pg_restore(pg, src / _PG_FILE)


def _check_restorable(settings: Settings, src: Path, force: bool, paths: SigningPaths) -> Manifest:
    meta = verify(src)
    head = _code_head(settings)
    if meta.alembic_head != head:
        raise BackupError(f"Bản sao lưu ở phiên bản cơ sở dữ liệu {meta.alembic_head}, phần mềm này cần {head}: "
                          "hãy khôi phục bằng đúng phiên bản phần mềm đã tạo bản sao lưu "
                          f"({meta.app_version}), rồi nâng cấp.")
    if meta.database != _kind(settings):
        raise BackupError(f"Bản sao lưu là của {meta.database}, nhưng DATABASE_URL đích là {_kind(settings)}.")
    occupied = _occupied(settings, meta, paths)
    if occupied and not force:
        raise BackupError(f"Đích khôi phục không trống ({', '.join(occupied)}): không ghi đè. "
                          "Dùng --force nếu chắc chắn muốn thay thế dữ liệu hiện có.")
    return meta


def run_restore(settings: Settings, src: Path, *, force: bool = False, env: Mapping[str, str] | None = None) -> int:
    """Verify the backup in ``src`` and restore it into the configured target; exit code 0 or 1."""
    env = os.environ if env is None else env
    src = src.resolve()
    paths = SigningPaths(env)
    try:
        meta = _check_restorable(settings, src, force, paths)
        _restore_database(settings, src, force=force)
        blobs = restore_blobs(src, blob_store(settings))
        if meta.signing:
            restore_signing(src, paths, tokens_outside=meta.signing_tokens_outside)
    except (BackupError, OSError, sqlite3.Error, StorageError) as error:
        print(f"Khôi phục bị từ chối hoặc thất bại: {_failure(error)}", file=sys.stderr)
        return 1
    print(f"Đã khôi phục bản sao lưu ngày {meta.created_at} (phiên bản {meta.alembic_head}): cơ sở dữ liệu, "
          f"{blobs} tệp lưu trữ" + (", máy chủ ký số và token HSM." if meta.signing else "."))
    return 0
