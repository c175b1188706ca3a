"""The blob invariant — every row's blob exists, every blob belongs to a row — checked and enforced.

A blob key is held by every column named ``sha256`` or ``<something>_sha256`` (:data:`BLOB_COLUMNS`,
read from the models, so a table added later is covered without touching this module):
``stored_file.sha256`` (every PDF: uploads, signed, numbered and sealed versions, copies),
``signing_image.sha256`` (signature and seal PNGs), ``axis_arrival.package_sha256`` (raw packages from
the national axis), and any later one. A column with such a name must hold a blob key; a blob-key
column must have such a name, or the sweep would delete its blobs. Derived artefacts (page images)
are not blobs of their own and are not checked.

Both halves are read one shard (the first two hex digits of the key, 1/256 of the store) at a time,
each in its own short read-only transaction, so the memory and the time any transaction stays open
do not grow with the province:

* :func:`scan` yields, per shard, the rows whose blob is missing (data loss: an error) and the blobs
  no row references (orphans: an upload abandoned, refused or rolled back after it was stored);
* :func:`sweep` deletes the orphans older than a grace period. The grace period covers an upload
  whose row is not committed yet (the intake form also keeps a refused upload for the user's next
  try); storing the same content again renews a blob's age (:mod:`backend.lib.storage`), and the
  age is read again just before the delete, so content re-uploaded meanwhile is kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import models as _models  # noqa: F401 - registers every table on Base.metadata
from backend.db.base import Base
from backend.lib.storage import SHARDS, BlobInfo, BlobStoreBase

__all__ = ["BLOB_COLUMNS", "MissingBlob", "ShardReport", "SweepResult", "is_referenced", "scan", "sweep"]

BLOB_COLUMNS: tuple[sa.Column[str], ...] = tuple(
    column for table in Base.metadata.sorted_tables for column in table.columns
    if column.name == "sha256" or column.name.endswith("_sha256")
)
"""Every column that holds a blob key (named ``sha256`` or ``*_sha256``)."""


@dataclass(frozen=True, slots=True)
class MissingBlob:
    """A row whose blob is not in the store."""

    table: str
    row_id: int
    sha256: str


@dataclass(frozen=True, slots=True)
class ShardReport:
    """One shard's findings."""

    shard: str
    missing: list[MissingBlob]
    orphans: list[BlobInfo]
    stored: int
    """Blobs listed in the shard."""


@dataclass(slots=True)
class SweepResult:
    """What a sweep removed, and the orphans it left because they are younger than the grace period."""

    deleted: int = 0
    deleted_bytes: int = 0
    young: int = 0


def _bounds(column: sa.Column[str], shard: str) -> sa.ColumnElement[bool]:
    # Keys are lowercase hex, so "<shard>g" sorts after every key of the shard (an index range, not LIKE).
    return sa.and_(column >= shard, column < f"{shard}g")


async def _references(db: AsyncSession, shard: str) -> dict[str, list[tuple[str, int]]]:
    """Every referenced key of the shard with the rows (table, id) that reference it."""
    found: dict[str, list[tuple[str, int]]] = {}
    for column in BLOB_COLUMNS:
        table = column.table
        row_id = next(iter(table.primary_key.columns))
        rows = await db.execute(sa.select(column, row_id).where(_bounds(column, shard)))
        for key, row_id in rows:
            found.setdefault(key, []).append((table.name, row_id))
    return found


async def is_referenced(db: AsyncSession, sha256: str) -> bool:
    """Whether any row holds blob ``sha256``."""
    for column in BLOB_COLUMNS:
        if await db.scalar(sa.select(sa.literal(1)).where(column == sha256).limit(1)) is not None:
            return True
    return False


async def _shard(sessions: async_sessionmaker[AsyncSession], store: BlobStoreBase, shard: str) -> ShardReport:
    listed = await anyio.to_thread.run_sync(lambda: list(store.iter_shard(shard)))
    async with sessions() as db:  # read after listing: a blob stored meanwhile is never reported as missing...
        references = await _references(db, shard)
    stored = {info.sha256 for info in listed}
    missing = [MissingBlob(table, row_id, key) for key, rows in sorted(references.items()) if key not in stored
               for table, row_id in rows]
    if missing:  # ...and a blob stored between the listing and the read is looked up again before it is reported
        present = await anyio.to_thread.run_sync(lambda: {m.sha256 for m in missing if store.modified_at(m.sha256)})
        missing = [m for m in missing if m.sha256 not in present]
    orphans = [info for info in listed if info.sha256 not in references]
    return ShardReport(shard, missing, orphans, len(listed))


async def scan(sessions: async_sessionmaker[AsyncSession], store: BlobStoreBase) -> AsyncIterator[ShardReport]:
    """Both halves of the invariant, shard by shard (``sessions`` should be read-only sessions)."""
    for shard in SHARDS:
        yield await _shard(sessions, store, shard)


async def sweep(sessions: async_sessionmaker[AsyncSession], store: BlobStoreBase, *, now: datetime,
                grace: timedelta) -> SweepResult:
    """Delete every blob no row references that was last stored before ``now - grace``."""
    cutoff = now - grace
    result = SweepResult()
    async for report in scan(sessions, store):
        for orphan in report.orphans:
            if orphan.modified_at >= cutoff:
                result.young += 1
                continue
            async with sessions() as db:
                if await is_referenced(db, orphan.sha256):  # a row committed since the shard was read
                    continue
            stamp = await anyio.to_thread.run_sync(store.modified_at, orphan.sha256)
            if stamp is None or stamp >= cutoff:  # gone already, or stored again since it was listed
                continue
            await store.delete(orphan.sha256)
            result.deleted += 1
            result.deleted_bytes += orphan.size
    return result
