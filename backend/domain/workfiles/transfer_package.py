"""The transfer package: a file's ``.pdf`` and ``.xml`` exports frozen when the archive accepts it.

Accepting a transfer (event ``accept``) enqueues the job ``workfiles.transfer_package`` in the same
transaction; the worker streams both exports into the blob store (the PDF carries the signed originals
unchanged, see :mod:`.export_pdf`) and records one :class:`WorkFilePackage` row per format, with an
audit row. The job is idempotent: a format already recorded is not made again, so a retried or
replayed job changes nothing. An accepted file is read-only, so the package is what the archive holds.
"""

from __future__ import annotations

import asyncio

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, User, WorkFile, WorkFilePackage, WorkFileState
from backend.domain.audit.services import record
from backend.domain.documents.files import blob_store
from backend.domain.workfiles.export_pdf import iter_pdf, read_entries, toc_pdf
from backend.domain.workfiles.export_xml import iter_xml
from backend.domain.workfiles.members import iter_members
from backend.tasks.bus import JobContext, JobKind
from backend.tasks.outbox import enqueue

__all__ = ["FORMATS", "TRANSFER_PACKAGE", "TransferPackage", "make_package", "packages_of", "request_package"]

FORMATS = ("pdf", "xml")
_NO_LIMIT = 1 << 40  # the exports are ours, made from stored documents: no upload ceiling applies


class TransferPackage(msgspec.Struct, frozen=True):
    work_file_id: int


TRANSFER_PACKAGE: JobKind[TransferPackage] = JobKind("workfiles.transfer_package", TransferPackage)


async def request_package(db: AsyncSession, work_file_id: int) -> None:
    """Enqueue the package of an accepted file (inside the accepting transaction)."""
    await enqueue(db, TRANSFER_PACKAGE, TransferPackage(work_file_id))


async def packages_of(db: AsyncSession, work_file_id: int) -> list[WorkFilePackage]:
    """The file's frozen exports, PDF first."""
    rows = (await db.scalars(sa.select(WorkFilePackage).where(WorkFilePackage.work_file_id == work_file_id))).all()
    return sorted(rows, key=lambda row: FORMATS.index(row.format) if row.format in FORMATS else len(FORMATS))


async def make_package(ctx: JobContext, payload: TransferPackage) -> None:
    """Handler of ``workfiles.transfer_package``: freeze the missing formats of an archived file."""
    db = ctx.db
    work_file = await db.get(WorkFile, payload.work_file_id)
    if work_file is None or work_file.state != WorkFileState.ARCHIVED:
        return
    missing = [fmt for fmt in FORMATS if fmt not in {row.format for row in await packages_of(db, work_file.id)}]
    if not missing:
        return
    agency = await db.get(Agency, work_file.agency_id)
    creator = await db.get(User, work_file.owner_user_id)
    assert agency is not None
    store = blob_store(ctx.settings)
    entries = await read_entries(iter_members(db, work_file.id))
    documents = sum(1 for entry in entries if not entry.is_note)
    for fmt in missing:
        if fmt == "xml":
            chunks = iter_xml(db, work_file, organ_id=agency.organ_id, creator=creator.full_name if creator else "")
        else:
            toc = await asyncio.to_thread(toc_pdf, work_file, agency.name.upper(), entries)
            chunks = iter_pdf(store, toc, entries)
        stored = await store.put_stream(chunks, max_bytes=_NO_LIMIT)
        db.add(WorkFilePackage(work_file_id=work_file.id, format=fmt, sha256=stored.sha256, size=stored.size,
                               documents=documents, made_at=ctx.now()))
        await record(db, "workfiles.package_made", actor_name="system", agency_id=work_file.agency_id,
                     object_type="workfiles", object_id=work_file.id,
                     detail={"format": fmt, "sha256": stored.sha256, "size": stored.size, "documents": documents})
    await db.flush()

