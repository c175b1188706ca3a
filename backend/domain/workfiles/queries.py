"""Read side of work files: the actor's list, one file with its documents and history.

Every look-up starts from :func:`.policies.visible_work_files` (invisible files are 404).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    CatalogueItem,
    FileCatalogue,
    User,
    WorkFile,
    WorkFileEvent,
    WorkFilePackage,
    WorkFileState,
)
from backend.domain.accounts.actor import Actor
from backend.domain.workfiles.members import Member, iter_members
from backend.domain.workfiles.policies import visible_work_files
from backend.domain.workfiles.transfer_package import packages_of
from backend.errors import NotFoundError

__all__ = ["FileView", "catalogue_items", "list_files", "load_file", "load_view"]


@dataclass(frozen=True, slots=True)
class FileView:
    """A file, its owner's name, its documents in order, its history and its transfer package."""

    work_file: WorkFile
    owner_name: str
    members: list[Member]
    events: list[WorkFileEvent]
    packages: list[WorkFilePackage]
    """The transfer package (frozen exports) once the archive accepted the file."""


async def list_files(db: AsyncSession, actor: Actor, *, mine: bool = False, state: str = "",
                     limit: int = 200) -> list[WorkFile]:
    """Visible files, newest first; ``mine``: only the actor's own; ``state``: only that state."""
    query = visible_work_files(actor)
    if mine:
        query = query.where(WorkFile.owner_user_id == actor.user_id)
    if state in set(WorkFileState):
        query = query.where(WorkFile.state == state)
    return list((await db.scalars(query.order_by(WorkFile.id.desc()).limit(limit))).all())


async def load_file(db: AsyncSession, actor: Actor, file_id: int) -> WorkFile:
    """The visible file ``file_id`` (else :class:`NotFoundError`)."""
    found = (await db.scalars(visible_work_files(actor).where(WorkFile.id == file_id)
                              .execution_options(populate_existing=True))).first()
    if found is None:
        raise NotFoundError()
    return found


async def load_view(db: AsyncSession, actor: Actor, file_id: int) -> FileView:
    work_file = await load_file(db, actor, file_id)
    owner = await db.scalar(sa.select(User.full_name).where(User.id == work_file.owner_user_id))
    members = [member async for member in iter_members(db, file_id)]
    events = list((await db.scalars(sa.select(WorkFileEvent).where(WorkFileEvent.work_file_id == file_id)
                                    .order_by(WorkFileEvent.id))).all())
    return FileView(work_file, owner or "", members, events, await packages_of(db, file_id))


async def catalogue_items(db: AsyncSession, agency_id: int, year: int) -> list[CatalogueItem]:
    """The planned files of the agency's catalogue of ``year``, by number (none without a catalogue)."""
    return list((await db.scalars(sa.select(CatalogueItem).join(FileCatalogue).where(
        FileCatalogue.agency_id == agency_id, FileCatalogue.year == year).order_by(CatalogueItem.file_number))).all())
