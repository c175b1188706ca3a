"""The manifest of a backup: what it holds, where it came from, and the SHA-256 of every file in it.

A backup is a directory; ``manifest.json`` at its top lists every other file (relative path, size,
SHA-256) with the metadata restore checks before it touches anything: the format version, the
application version, the Alembic revision of the saved database, the creation time and the source
kind (database, blob store, signing server). :func:`verify` refuses a manifest that does not parse,
a listed file that is missing, changed or of another size, and any file the manifest does not list.

:class:`BackupError` carries the Vietnamese message the command prints before it exits non-zero.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from backend.lib.storage import file_sha256

__all__ = ["FORMAT", "FORMAT_VERSION", "MANIFEST_NAME", "BackupError", "Manifest", "app_version", "build",
           "now_iso", "verify", "write"]

FORMAT = "congvan-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"


class BackupError(Exception):
    """A backup or restore refused or failed; ``str()`` is the Vietnamese message for the operator."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """The parsed metadata of a backup (the file list is only used to verify it)."""

    alembic_head: str
    created_at: str
    database: str
    """``sqlite`` or ``postgresql``."""
    blob_backend: str
    signing: bool
    """Whether the signing server's database and token directory are in the backup."""
    signing_tokens_outside: bool
    """Whether the SoftHSM token directory was outside the signing data dir (saved separately)."""
    app_version: str
    blobs: int


def app_version() -> str:
    try:
        return metadata.version("congvan")
    except metadata.PackageNotFoundError:
        return "unknown"


def _files(root: Path) -> list[Path]:
    """Every regular file under ``root`` except the manifest, in a stable order."""
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.relative_to(root).as_posix() != MANIFEST_NAME:
                found.append(path)
    return sorted(found)


def build(root: Path, meta: Manifest, server_version: str) -> dict[str, Any]:
    """The manifest of the backup being written in ``root``: metadata plus every file's size and SHA-256."""
    files = [{"path": path.relative_to(root).as_posix(), "size": path.stat().st_size, "sha256": file_sha256(path)}
             for path in _files(root)]
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "app_version": meta.app_version,
        "alembic_head": meta.alembic_head, "created_at": meta.created_at,
        "source": {"database": meta.database, "database_server_version": server_version,
                   "blob_backend": meta.blob_backend, "signing": meta.signing,
                   "signing_tokens_outside": meta.signing_tokens_outside},
        "counts": {"blobs": meta.blobs, "files": len(files)},
        "files": files,
    }


def write(root: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` and flush it to disk."""
    with (root / MANIFEST_NAME).open("w", encoding="utf-8") as out:
        json.dump(manifest, out, ensure_ascii=False, indent=2)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _safe(relative: str) -> bool:
    parts = PurePosixPath(relative).parts
    return bool(parts) and not PurePosixPath(relative).is_absolute() and ".." not in parts


def verify(root: Path) -> Manifest:
    """Check the backup in ``root`` against its manifest; :class:`BackupError` names the first problem."""
    if not root.is_dir():
        raise BackupError(f"Không tìm thấy thư mục sao lưu {root}.")
    try:
        data = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"Bản sao lưu không có {MANIFEST_NAME}: không phải bản sao lưu hợp lệ.") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{MANIFEST_NAME} bị hỏng (không đọc được JSON).") from None
    try:
        if data["format"] != FORMAT or data["format_version"] != FORMAT_VERSION:
            raise BackupError(f"Định dạng sao lưu {data['format']!r} phiên bản {data['format_version']!r} "
                              f"không được hỗ trợ (cần {FORMAT} phiên bản {FORMAT_VERSION}).")
        listed = {str(item["path"]): (int(item["size"]), str(item["sha256"])) for item in data["files"]}
        source = data["source"]
        meta = Manifest(alembic_head=str(data["alembic_head"]), created_at=str(data["created_at"]),
                        database=str(source["database"]), blob_backend=str(source["blob_backend"]),
                        signing=bool(source["signing"]), signing_tokens_outside=bool(source["signing_tokens_outside"]),
                        app_version=str(data["app_version"]), blobs=int(data["counts"]["blobs"]))
    except (KeyError, TypeError, ValueError):
        raise BackupError(f"{MANIFEST_NAME} thiếu trường bắt buộc hoặc sai kiểu dữ liệu.") from None
    for relative, (size, digest) in listed.items():
        if not _safe(relative):
            raise BackupError(f"{MANIFEST_NAME} chứa đường dẫn không hợp lệ: {relative!r}.")
        path = root / relative
        if not path.is_file():
            raise BackupError(f"Bản sao lưu thiếu tệp {relative}: không khôi phục.")
        if path.stat().st_size != size or file_sha256(path) != digest:
            raise BackupError(f"Tệp {relative} không khớp mã SHA-256 trong {MANIFEST_NAME} "
                              "(bản sao lưu đã bị sửa hoặc hỏng): không khôi phục.")
    extra = [path.relative_to(root).as_posix() for path in _files(root)
             if path.relative_to(root).as_posix() not in listed]
    if extra:
        raise BackupError(f"Bản sao lưu có tệp không nằm trong {MANIFEST_NAME}: {extra[0]}: không khôi phục.")
    return meta
