"""File versions of an outgoing document: read a stored file, store new bytes, add a version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import OutgoingDocument, OutgoingVersion, StoredFile, VersionKind
from backend.domain.accounts.actor import Actor
from backend.domain.documents.files import AcceptedFile, blob_store, create_stored_file
from backend.domain.documents.pdf import active_content_warning
from backend.domain.outgoing.queries import next_version_ordinal

__all__ = ["add_version", "read_file", "store_bytes", "version_row"]


async def read_file(db: AsyncSession, settings: Settings, file_id: int) -> bytes:
    """The bytes of stored file ``file_id``."""
    stored = await db.get(StoredFile, file_id)
    assert stored is not None
    return await blob_store(settings).read_bytes(stored.sha256)


async def store_bytes(db: AsyncSession, settings: Settings, data: bytes, filename: str, pages: int,
                      actor: Actor) -> StoredFile:
    """Store ``data`` as a new file owned by ``actor``."""
    blob = await blob_store(settings).put_bytes(data)
    warning = await active_content_warning(blob.path)  # a signed or numbered version keeps the draft's scripts
    return await create_stored_file(db, AcceptedFile(blob.sha256, blob.size, filename, pages, warning), actor.user_id)


def version_row(outgoing_id: int, ordinal: int, kind: VersionKind, file_id: int, note: str, user_id: int,
                at: datetime) -> OutgoingVersion:
    return OutgoingVersion(outgoing_id=outgoing_id, ordinal=ordinal, kind=kind, file_id=file_id, note=note,
                           created_by_id=user_id, created_at=at)


async def add_version(db: AsyncSession, doc: OutgoingDocument, kind: VersionKind, stored: StoredFile, actor: Actor,
                      at: datetime, note: str = "") -> None:
    """The next version of the main file; the document now shows it."""
    ordinal = await next_version_ordinal(db, doc.id)
    db.add(version_row(doc.id, ordinal, kind, stored.id, note, actor.user_id, at))
    doc.main_file_id, doc.page_count = stored.id, stored.page_count
    await db.flush()
