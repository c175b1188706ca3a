"""The sender's update of a document it already sent (edXML business type 2, domain.md §8.3, §8.4).

:func:`apply_sender_update` changes what the sender may correct on a received document -- summary,
signer, urgency, reply-by date and the main file -- while the document is still open (any state before
completion, as for a recall). Nothing is lost: the history entry lists every change (old → new, shown on
the document page), the audit row keeps them, and a replaced file stays stored (the new one goes through
the same upload checks as a clerk's). The state does not move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from litestar.datastructures import UploadFile

from backend.db.models import IncomingDocument, StoredFile, Urgency
from backend.domain.accounts.actor import Actor
from backend.domain.documents.files import accept_pdf_upload, create_stored_file
from backend.domain.incoming._intake import search_text_for
from backend.domain.incoming.services import IncomingService
from backend.domain.incoming.workflow import OPEN, State
from backend.lib.i18n import t
from backend.lib.text import clean

__all__ = ["NotOpenError", "SenderUpdate", "apply_sender_update"]


class NotOpenError(Exception):
    """The document is completed, returned or cancelled: the sender can no longer change it."""

    def __init__(self, state: State) -> None:
        super().__init__(state.value)
        self.state = state


@dataclass(frozen=True, slots=True)
class SenderUpdate:
    """The metadata the sender sends again (all of it, as in its package) and, optionally, a new main file."""

    summary: str
    signer_position: str
    signer_name: str
    urgency: Urgency
    reply_by_on: date | None
    file: UploadFile | None = None


def _show(value: object) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Urgency):
        return t(f"incoming.sender_update.urgency.{value.value}")
    return str(value) if value else "—"


async def apply_sender_update(service: IncomingService, actor: Actor, doc_id: int,
                              update: SenderUpdate) -> list[str]:
    """Apply ``update`` to ``doc_id`` on behalf of ``actor`` (the platform); the changes, in words.

    Raises:
        NotFoundError: the document is not visible to the actor.
        NotOpenError: the document is no longer open (nothing changed).
        FileRejectedError: the new file fails the upload checks (nothing changed).
    """
    doc: IncomingDocument = await service.flow.lock(actor, doc_id)
    state = State(doc.state)
    if state not in OPEN:
        raise NotOpenError(state)
    wanted = {"summary": clean(update.summary)[:500], "signer_position": clean(update.signer_position)[:100],
              "signer_name": clean(update.signer_name)[:50], "urgency": update.urgency,
              "reply_by_on": update.reply_by_on}
    changes, audit = [], {}
    for name, new in wanted.items():
        old = getattr(doc, name)
        if new != old and (new or name == "reply_by_on"):
            changes.append(t("incoming.sender_update.change", field=t(f"incoming.sender_update.field.{name}"),
                             old=_show(old), new=_show(new)))
            audit[name] = {"old": str(old) if old is not None else None, "new": str(new) if new is not None else None}
            setattr(doc, name, new)
    if update.file is not None:
        accepted = await accept_pdf_upload(service.db, service.settings, update.file)
        current = await service.db.get(StoredFile, doc.file_id)
        if current is None or current.sha256 != accepted.sha256:
            stored = await create_stored_file(service.db, accepted, None)
            audit["file"] = {"old": current.sha256 if current else None, "new": accepted.sha256}
            doc.file_id, doc.page_count = stored.id, accepted.page_count
            changes.append(t("incoming.sender_update.file", pages=accepted.page_count))
    if not changes:
        return []
    doc.priority = doc.urgency.priority
    doc.search_text = search_text_for(doc)
    await service.flow.history(doc, actor, "sender_update", text="; ".join(changes))
    await service.flow.audit(doc, actor, "sender_update", changes=audit)
    await service.db.flush()
    return changes
