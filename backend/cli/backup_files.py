"""The files of a backup besides the database: blobs and the signing server's data and SoftHSM token.

Blobs are read and written through the blob-store contract (``iter_keys``, ``copy_out``,
``add_file``), so the local directory and the S3 store are saved the same way and a backup of one
can be restored into the other; every copied blob is checked against its key. The signing server's
data dir is copied whole, except its SQLite registry, which goes through the online backup API
(:func:`backend.cli.backup_database.sqlite_copy`); a SoftHSM token directory configured outside
the data dir is saved and restored on its own. Restores build the new directory next to its final
place and rename it in at the end.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path

from backend.cli.backup_database import sqlite_copy
from backend.cli.backup_manifest import BackupError
from backend.lib.storage import BlobStoreBase, file_sha256, sharded
from signing_server.settings import DB_FILE_NAME, data_dir_from_env, softhsm_conf_from_env

__all__ = ["SigningPaths", "restore_blobs", "restore_signing", "save_blobs", "save_signing"]

BLOBS = "blobs"
SIGNING = "signing"
_SKIP = {DB_FILE_NAME, f"{DB_FILE_NAME}-wal", f"{DB_FILE_NAME}-shm", f"{DB_FILE_NAME}-journal"}


def save_blobs(store: BlobStoreBase, root: Path) -> int:
    """Copy every blob of ``store`` to ``root/blobs/aa/bb/<sha256>``, verifying each; returns the count."""
    count = 0
    for key in store.iter_keys():
        dest = root / BLOBS / sharded(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        store.copy_out(key, dest)
        if file_sha256(dest) != key:
            raise BackupError(f"Tệp lưu trữ {key} không khớp mã SHA-256 của nó: kho tệp bị hỏng, dừng sao lưu.")
        count += 1
    return count


def restore_blobs(root: Path, store: BlobStoreBase) -> int:
    """Put every blob of the backup in ``root`` into ``store`` (already present ones are kept)."""
    count = 0
    folder = root / BLOBS
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file():
            if store.add_file(path) != path.name:
                raise BackupError(f"Tệp lưu trữ {path.name} không khớp mã SHA-256 của nó.")
            count += 1
    return count


class SigningPaths:
    """Where the signing server keeps its data (``SIGNING_DATA_DIR``) and its SoftHSM tokens."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.data_dir = data_dir_from_env(env)
        self.conf = softhsm_conf_from_env(env)

    def token_dir(self) -> Path | None:
        """``directories.tokendir`` of the SoftHSM2 config (``None``: no config, or not SoftHSM)."""
        if self.conf is None or not self.conf.is_file():
            return None
        for line in self.conf.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            if name.strip() == "directories.tokendir" and value.strip():
                return Path(value.strip()).resolve()
        return None

    def tokens_outside(self) -> Path | None:
        """The token directory when it is not inside the data dir (then it is saved separately)."""
        tokens = self.token_dir()
        if tokens is None or tokens.is_relative_to(self.data_dir):
            return None
        return tokens

    def present(self) -> bool:
        return (self.data_dir / DB_FILE_NAME).is_file()

    def is_empty(self) -> bool:
        outside = self.tokens_outside()
        return _empty(self.data_dir) and (outside is None or _empty(outside))


def _empty(folder: Path) -> bool:
    return not folder.exists() or not any(folder.iterdir())


def _copy_tree(source: Path, dest: Path, skip: set[str] | None = None) -> None:
    for folder, _dirs, names in os.walk(source):
        for name in names:
            path = Path(folder) / name
            relative = path.relative_to(source)
            if skip and relative.as_posix() in skip:
                continue
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.copy2(path, target)


def save_signing(paths: SigningPaths, root: Path) -> bool:
    """Copy the signing server's registry, data files and token directory; ``False`` when it has none here."""
    if not paths.present():
        return False
    (root / SIGNING).mkdir(mode=0o700)
    sqlite_copy(paths.data_dir / DB_FILE_NAME, root / SIGNING / DB_FILE_NAME)
    _copy_tree(paths.data_dir, root / SIGNING / "files", _SKIP)
    outside = paths.tokens_outside()
    if outside is not None:
        _copy_tree(outside, root / SIGNING / "tokens")
    return True


def _swap_in(built: Path, final: Path) -> None:
    """Replace ``final`` (absent or forced) by the fully written ``built`` directory."""
    old = final.with_name(f".{final.name}.old-{secrets.token_hex(4)}")
    if final.exists():
        os.replace(final, old)
    os.replace(built, final)
    shutil.rmtree(old, ignore_errors=True)


def _build_next_to(final: Path, fill: Path, extra: tuple[tuple[Path, str], ...] = ()) -> None:
    """Write ``fill``'s files (and ``extra`` (source, name) files) beside ``final``, then rename it in."""
    final.parent.mkdir(parents=True, exist_ok=True)
    built = final.with_name(f".{final.name}.restore-{secrets.token_hex(4)}")
    built.mkdir(mode=0o700)
    try:
        if fill.is_dir():
            _copy_tree(fill, built)
        for source, name in extra:
            shutil.copyfile(source, built / name)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    _swap_in(built, final)


def restore_signing(root: Path, paths: SigningPaths, *, tokens_outside: bool) -> None:
    """Put the saved signing data dir (registry included) and token directory in place."""
    if tokens_outside:
        tokens = paths.token_dir()
        if tokens is None:
            raise BackupError("Bản sao lưu có thư mục token SoftHSM riêng nhưng máy đích chưa cấu hình "
                              "SOFTHSM2_CONF với directories.tokendir: đặt cấu hình rồi khôi phục lại.")
        _build_next_to(tokens, root / SIGNING / "tokens")
    _build_next_to(paths.data_dir, root / SIGNING / "files", ((root / SIGNING / DB_FILE_NAME, DB_FILE_NAME),))
