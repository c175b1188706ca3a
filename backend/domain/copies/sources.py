"""The document a copy is made from: an issued outgoing or a registered incoming document.

:func:`load_source` finds it through the source's own scoping query (``visible_incoming`` /
``visible_outgoing``), so a document of another agency, or one the actor may not see, is a 404
like a missing one. :attr:`Source.copyable` says whether it may be copied yet: a draft or a
document still on its way to issue, or an incoming document not registered (or sent back), may not.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import IncomingDocument, IncomingState, OutgoingDocument, OutgoingState
from backend.domain.accounts.actor import Actor
from backend.domain.incoming.policies import visible_incoming
from backend.domain.outgoing.policies import visible_outgoing
from backend.errors import NotFoundError

__all__ = ["SOURCES", "Source", "load_source"]

SOURCES = ("incoming", "outgoing")
_ISSUED = (OutgoingState.ISSUED, OutgoingState.ARCHIVED)


@dataclass(frozen=True, slots=True)
class Source:
    """What a copy needs to know about its source document."""

    kind: str
    doc_id: int
    agency_id: int
    file_id: int
    page_count: int
    reference: str
    summary: str
    copyable: bool
    route: str
    """The source's page (route name), where the copies are listed."""


async def load_source(db: AsyncSession, actor: Actor, kind: str, doc_id: int) -> Source:
    """The source document ``doc_id`` of ``kind`` (``incoming``/``outgoing``) as the actor sees it.

    Raises:
        NotFoundError: unknown kind, no such document, or not visible to the actor.
    """
    if kind == "incoming":
        incoming = await db.scalar(visible_incoming(actor).where(IncomingDocument.id == doc_id))
        if incoming is not None:
            return Source(kind, incoming.id, incoming.agency_id, incoming.file_id, incoming.page_count,
                          f"{incoming.code_number}/{incoming.code_notation}", incoming.summary,
                          incoming.arrival_number is not None and incoming.state != IncomingState.RETURNED,
                          "incoming.detail")
    elif kind == "outgoing":
        outgoing = await db.scalar(visible_outgoing(actor).where(OutgoingDocument.id == doc_id))
        if outgoing is not None:
            return Source(kind, outgoing.id, outgoing.agency_id, outgoing.main_file_id, outgoing.page_count,
                          f"{outgoing.code_number}/{outgoing.code_notation}", outgoing.summary,
                          outgoing.state in _ISSUED, "outgoing.detail")
    raise NotFoundError()
