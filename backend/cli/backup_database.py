"""Saving and restoring the database of a backup: SQLite's online backup API, PostgreSQL's own tools.

SQLite files (the embedded default and the signing server's registry) are copied with the
``sqlite3`` backup API, which reads a consistent snapshot of a live database (WAL included); a
plain file copy of a database in use is not. PostgreSQL is saved with ``pg_dump -Fc`` and loaded
with ``pg_restore --single-transaction`` (a failed load leaves the target as it was), using the
client tools of the server's major version (``/usr/lib/postgresql/<major>/bin``, else ``PATH`` if
that version fits). Connection values go to the tools as ``PG*`` environment variables, so the
password never appears on a command line.
"""

from __future__ import annotations

import asyncio
import errno
import os
import re
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from backend.cli.backup_manifest import BackupError

__all__ = ["PgTarget", "pg_dump", "pg_restore", "sqlite_copy", "sqlite_is_empty", "sqlite_path", "sqlite_revision"]

_TOOLS_DIR = Path("/usr/lib/postgresql")


def sqlite_path(database_url: str) -> Path:
    """The file of a ``sqlite+aiosqlite:///…`` URL."""
    return Path(database_url.split(":///", 1)[1])


def sqlite_copy(source: Path, dest: Path) -> None:
    """Copy the SQLite database ``source`` (live or not) to the new file ``dest`` with the online backup API.

    The copy is switched to rollback-journal mode, so it is one file with nothing pending in a WAL.
    """
    src = sqlite3.connect(source)
    try:
        out = sqlite3.connect(dest)
        try:
            src.backup(out, pages=1024)
            out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file; the processes set WAL again
        finally:
            out.close()
    finally:
        src.close()
    with dest.open("rb") as handle:
        os.fsync(handle.fileno())


def sqlite_revision(path: Path) -> str:
    """The Alembic revision stored in the SQLite database ``path`` (empty when it has none)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return ""
    finally:
        conn.close()
    return str(row[0]) if row else ""


def sqlite_is_empty(path: Path) -> bool:
    """True when ``path`` does not exist, is an empty file, or holds no table."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]) == 0
    finally:
        conn.close()


class PgTarget:
    """One PostgreSQL database named by a SQLAlchemy URL, and the client tools that fit its server."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        self.env = {**os.environ, "PGHOST": url.host or "127.0.0.1", "PGPORT": str(url.port or 5432),
                    "PGUSER": url.username or "postgres", "PGDATABASE": url.database or "postgres"}
        if url.password:
            self.env["PGPASSWORD"] = str(url.password)
        self.name = url.database or "postgres"
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def _fetch(self, sql: str, *, script: bool = False) -> list[asyncpg.Record]:
        async def run() -> list[asyncpg.Record]:
            conn = await asyncpg.connect(self._dsn)
            try:
                if script:
                    await conn.execute(sql)
                    return []
                return list(await conn.fetch(sql))
            finally:
                await conn.close()

        try:
            return asyncio.run(run())
        except (OSError, asyncpg.PostgresError) as error:
            raise BackupError(f"Không kết nối được PostgreSQL (cơ sở dữ liệu {self.name}): {error}") from None

    def server_version(self) -> str:
        return str(self._fetch("SHOW server_version")[0][0])

    def revision(self) -> str:
        if not self._fetch("SELECT to_regclass('public.alembic_version') IS NOT NULL AS present")[0]["present"]:
            return ""
        rows = self._fetch("SELECT version_num FROM alembic_version")
        return str(rows[0][0]) if rows else ""

    def is_empty(self) -> bool:
        rows = self._fetch("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
                           "'information_schema')")
        return int(rows[0][0]) == 0

    def drop_everything(self) -> None:
        """Empty the ``public`` schema (``restore --force``)."""
        self._fetch("DROP SCHEMA public CASCADE; CREATE SCHEMA public", script=True)

    def tool(self, name: str) -> str:
        """The ``pg_dump``/``pg_restore`` binary of the server's major version (or a newer one on ``PATH``)."""
        major = int(self.server_version().split(".")[0])
        candidate = _TOOLS_DIR / str(major) / "bin" / name
        if candidate.is_file():
            return str(candidate)
        found = shutil.which(name)
        if found:
            text = subprocess.run([found, "--version"], capture_output=True, text=True, check=False).stdout
            match = re.search(r"(\d+)(?:\.\d+)?", text)
            if match and int(match.group(1)) >= major:
                return found
        raise BackupError(f"Không tìm thấy {name} phiên bản {major} (cần gói postgresql-client-{major}).")

    def run(self, args: list[str], what: str) -> None:
        proc = subprocess.run(args, env=self.env, capture_output=True, text=True, check=False)
        if proc.returncode == -signal.SIGXFSZ:
            raise OSError(errno.EFBIG, f"{what}: file size limit exceeded")
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise BackupError(f"{what} thất bại: {detail[-1] if detail else 'mã lỗi ' + str(proc.returncode)}")


def pg_dump(target: PgTarget, dest: Path) -> None:
    """``pg_dump -Fc`` of the whole database into ``dest``."""
    target.run([target.tool("pg_dump"), "--format=custom", "--no-password", f"--file={dest}"], "pg_dump")
    with dest.open("rb") as handle:
        os.fsync(handle.fileno())


def pg_restore(target: PgTarget, dump: Path) -> None:
    """Load ``dump`` into the (empty) target in one transaction; a failure leaves nothing behind."""
    target.run([target.tool("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner",
                "--no-privileges", "--no-password", f"--dbname={target.name}", str(dump)], "pg_restore")
