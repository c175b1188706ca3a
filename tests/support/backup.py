"""Helpers of the backup tests (imported as ``tests.support.backup``): the CLI, fresh targets, comparisons.

A *target* is a second deployment described by environment variables: its own ``DATA_DIR``, signing
data dir and database (a new SQLite file, or a new empty PostgreSQL database on the test server).
The comparisons read every table, blob and signing-server file through real components.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import sqlalchemy as sa

from backend.config.settings import load_settings
from backend.db.engine import create_engine
from backend.domain.documents.files import blob_store
from tests.support.signing import REPO


def cli(env: dict[str, str], *args: str, preexec: Callable[[], None] | None = None
        ) -> subprocess.CompletedProcess[str]:
    """``python -m backend ARGS`` in ``env`` (the repository on ``PYTHONPATH``)."""
    full = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))}
    return subprocess.run([sys.executable, "-m", "backend", *args], env=full, cwd=REPO, capture_output=True,
                          text=True, timeout=300, check=False, preexec_fn=preexec)


def deployment_env(settings_env: dict[str, str], signing_dir: Path) -> dict[str, str]:
    """The process environment of a deployment: ``settings_env`` plus where its signing server keeps data."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNING_", "SOFTHSM", "PKCS11"))}
    return {**base, **settings_env, "SIGNING_DATA_DIR": str(signing_dir)}


def _maintenance_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"


async def _pg_admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(_maintenance_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def fresh_target(source_env: dict[str, str], root: Path) -> AsyncIterator[dict[str, str]]:
    """An empty deployment next to ``source_env`` (same database kind and blob backend) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    env = {**source_env, "DATA_DIR": str(root / "data"), "SIGNING_DATA_DIR": str(root / "signing")}
    source_url = source_env["DATABASE_URL"]
    name = ""
    if source_url.startswith("postgresql"):
        name = f"cv_restore_{uuid.uuid4().hex[:10]}"
        await _pg_admin(source_url, f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{source_url.rsplit('/', 1)[0]}/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{root / 'restored.db'}"
    if env.get("BLOB_BACKEND") == "s3":
        env["S3_BUCKET"] = f"restore-{uuid.uuid4().hex[:12]}"
    try:
        yield env
    finally:
        if name:
            await _pg_admin(source_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def table_rows(database_url: str) -> dict[str, list[str]]:
    """Every table's rows (``repr`` of each row, sorted), ``alembic_version`` included."""
    engine = create_engine(database_url, pool=False)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
            found = {}
            for name in names:
                rows = (await conn.execute(sa.text(f'SELECT * FROM "{name}"'))).all()
                found[name] = sorted(repr(tuple(row)) for row in rows)
            return found
    finally:
        await engine.dispose()


def blob_digests(env: dict[str, str]) -> dict[str, str]:
    """key → SHA-256 of the stored content, for every blob of the deployment ``env``."""
    store = blob_store(load_settings(env))
    found = {}
    scratch = Path(env["DATA_DIR"]) / "digest-check"
    scratch.mkdir(parents=True, exist_ok=True)
    for key in store.iter_keys():
        copy = scratch / key
        store.copy_out(key, copy)
        found[key] = hashlib.sha256(copy.read_bytes()).hexdigest()
        copy.unlink()
    return found


def signing_state(data_dir: Path) -> tuple[list[str], dict[str, str]]:
    """The signing registry's SQL dump and the SHA-256 of every SoftHSM token file."""
    conn = sqlite3.connect(data_dir / "signing.sqlite3")
    try:
        dump = list(conn.iterdump())
    finally:
        conn.close()
    tokens = data_dir / "hsm" / "tokens"
    files = {path.relative_to(tokens).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
             for path in sorted(tokens.rglob("*")) if path.is_file()}
    return dump, files


async def target_untouched(env: dict[str, str]) -> bool:
    """True when the deployment ``env`` has no table, no blob and no signing data (nothing restored)."""
    url = load_settings(env).database_url
    if url.startswith("sqlite"):
        database_empty = not Path(url.split(":///", 1)[1]).exists()
    else:
        database_empty = await table_rows(url) == {}
    signing = Path(env["SIGNING_DATA_DIR"])
    return database_empty and not blob_digests(env) and not (signing.exists() and any(signing.iterdir()))
