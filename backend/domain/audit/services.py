"""Writing audit rows into the hash chain, and verifying the chain.

Each row's ``hash`` is SHA-256 over the previous row's hash and this row's canonical content, so
editing or deleting any row breaks every later link. Appends are serialised: on PostgreSQL by a
transaction-scoped advisory lock, on SQLite by the ``BEGIN IMMEDIATE`` write lock.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.base import utcnow
from backend.db.models import AuditEvent

__all__ = ["GENESIS_HASH", "ChainReport", "RequestMeta", "lock_chain", "record", "row_hash", "verify_chain"]

GENESIS_HASH = "0" * 64
_ADVISORY_LOCK_KEY = 0x43564155  # "CVAU"


@dataclass(frozen=True, slots=True)
class RequestMeta:
    """Where an action came from."""

    ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Result of :func:`verify_chain`: ``first_broken_id`` is ``None`` when the chain is intact."""

    checked: int
    first_broken_id: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def row_hash(prev_hash: str, row: AuditEvent) -> str:
    """The hash a row must carry given its predecessor's hash."""
    content = [
        prev_hash, row.at.isoformat(), row.action, row.actor_id, row.actor_name, row.agency_id,
        row.object_type, row.object_id, row.ip, row.user_agent, row.detail,
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


async def lock_chain(db: AsyncSession) -> None:
    """Take the chain's append lock now (PostgreSQL; SQLite's writing transactions already hold it).

    A use case that must lock rows and then append (the login's account row) calls this first, so
    every transaction takes the two in the same order: the chain, then the rows. The lock is
    re-entrant within the transaction and released at its end.
    """
    if db.bind.dialect.name == "postgresql":
        await db.execute(sa.select(sa.func.pg_advisory_xact_lock(_ADVISORY_LOCK_KEY)))


async def record(
    db: AsyncSession,
    action: str,
    *,
    actor_id: int | None = None,
    actor_name: str = "",
    agency_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    meta: RequestMeta | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row in the caller's transaction and return it."""
    await lock_chain(db)
    prev = await db.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    meta = meta or RequestMeta()
    row = AuditEvent(
        at=utcnow(),
        action=action,
        actor_id=actor_id,
        actor_name=actor_name[:64],
        agency_id=agency_id,
        object_type=object_type,
        object_id=str(object_id),
        ip=meta.ip[:64],
        user_agent=meta.user_agent[:300],
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
        prev_hash=prev or GENESIS_HASH,
    )
    row.hash = row_hash(row.prev_hash, row)
    db.add(row)
    await db.flush()
    return row


async def verify_chain(db: AsyncSession, batch_size: int = 2000) -> ChainReport:
    """Walk the whole chain in id order and report the first row whose link is broken."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        rows = (await db.scalars(
            sa.select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
        )).all()
        if not rows:
            return ChainReport(checked=checked, first_broken_id=None)
        for row in rows:
            if row.prev_hash != expected_prev:
                return ChainReport(checked, row.id, "prev_hash does not match the previous row (row removed?)")
            if row_hash(row.prev_hash, row) != row.hash:
                return ChainReport(checked, row.id, "content does not match its hash (row edited?)")
            expected_prev = row.hash
            checked += 1
            last_id = row.id
