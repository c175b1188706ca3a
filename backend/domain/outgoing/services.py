"""Use cases of outgoing documents: drafting, the workflow entry point and the other document actions.

``OutgoingService.apply(doc_ids, event, actor, ...)`` hands the event to the one workflow engine
(:class:`backend.domain.documents.engine.Workflow` running :data:`.workflow.LIFECYCLE`), the only
code that changes a document's state; the effects (signing, numbering, sealing, dispatch…) are
registered in the table (:mod:`._effects`, :mod:`._signing`). Effects that talk to the signing
server run *before* anything is written, so a wrong or reused OTP changes nothing. Only ``sign``
is batchable (several documents with one OTP).

Automatic transitions (``replace``) are never accepted from a request: when an issued document
amends or replaces an earlier one, the engine locks that document too and takes the automatic
transition on it (or, for an amendment, writes the link to its history) in the same transaction.

Actions that do not change the state -- a new draft version before approval, an appendix, a
tapped signature position and its one-step undo, the paper-copy record -- live here too and write history and audit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import (
    Agency,
    DirectoryAgency,
    OutgoingAppendix,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientKind,
    Unit,
    VersionKind,
)
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta
from backend.domain.certificates.services import signing_client
from backend.domain.documents.files import AcceptedFile, create_stored_file
from backend.domain.documents.service import DocumentService
from backend.domain.outgoing._drafting import search_text_for, validate_draft
from backend.domain.outgoing._files import add_version, read_file, version_row
from backend.domain.outgoing._pdf import DocLayout, layout_from_tap
from backend.domain.outgoing._signing import SigningFactory
from backend.domain.outgoing.policies import can_create, can_place, can_record_paper, can_upload_version
from backend.domain.outgoing.queries import appendices_of
from backend.domain.outgoing.schemas import DraftForm, TapForm
from backend.domain.outgoing.workflow import EDITABLE, LIFECYCLE, Event, State
from backend.errors import InvalidInputError, PermissionDeniedError
from backend.lib.i18n import t
from backend.lib.text import clean

__all__ = ["OutgoingService"]


class OutgoingService(DocumentService[OutgoingDocument]):
    """Use cases bound to one transaction (see :class:`DocumentService` for the other arguments).

    Args:
        signing: opens a signing-server client (default: from the settings, as the certificate
            pages do).
    """

    lifecycle = LIFECYCLE

    def __init__(self, db: AsyncSession, settings: Settings, *, links: Callable[[int], str],
                 meta: RequestMeta | None = None, now: datetime | None = None,
                 signing: SigningFactory | None = None) -> None:
        super().__init__(db, settings, links=links, meta=meta, now=now)
        self.signing: SigningFactory = signing or (lambda: signing_client(settings))

    # -- drafting ---------------------------------------------------------------------------

    async def create(self, actor: Actor, form: DraftForm, main: AcceptedFile | None,
                     appendix: AcceptedFile | None = None) -> OutgoingDocument:
        """A new draft with version 1 of its file, an optional appendix and its recipients.

        Raises:
            PermissionDeniedError: the actor may not draft.
            InvalidInputError: field errors (``field_errors``), including a missing file.
        """
        decision = can_create(actor)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        data, errors = await validate_draft(self.db, actor, form, self.today)
        if main is None:
            errors["file"] = t("doc.file.missing")
        if errors or data is None or main is None:
            raise InvalidInputError(field_errors=errors)
        stored = await create_stored_file(self.db, main, actor.user_id)
        doc = OutgoingDocument(
            agency_id=actor.agency_id, state=State.DRAFT, document_type_id=data.document_type_id,
            summary=data.summary, urgency=data.urgency, priority=data.urgency.priority, reply_by_on=data.reply_by_on,
            drafter_id=actor.user_id, drafting_unit_id=actor.unit_id, signer_id=data.signer_id,
            signing_authority=data.signing_authority, signer_position=data.signer_position,
            signer_name=data.signer_name, reply_to_incoming_id=data.reply_to_incoming_id,
            description=data.description, main_file_id=stored.id, page_count=stored.page_count,
            replaces_id=data.replaces_id, replace_kind=data.replace_kind,
        )
        doc.search_text = search_text_for(doc)
        self.db.add(doc)
        await self.db.flush()
        self.db.add(version_row(doc.id, 1, VersionKind.DRAFT, stored.id, "", actor.user_id, self.now))
        await self._add_recipients(doc, data.agency_ids, data.unit_ids, data.axis_ids)
        if appendix is not None:
            await self._add_appendix(doc, appendix, clean(form.appendix_title), actor)
        await self.flow.history(doc, actor, "create", None, State.DRAFT)
        await self.flow.audit(doc, actor, "created", sha256=main.sha256, pages=main.page_count,
                          reply_to=data.reply_to_incoming_id, replaces_id=data.replaces_id,
                          replace_kind=data.replace_kind.value if data.replace_kind else None)
        await self.db.flush()
        return doc

    async def _add_recipients(self, doc: OutgoingDocument, agency_ids: Sequence[int], unit_ids: Sequence[int],
                              axis_ids: Sequence[int] = ()) -> None:
        for agency_id in agency_ids:
            agency = await self.db.get(Agency, agency_id)
            assert agency is not None
            self.db.add(OutgoingRecipient(outgoing_id=doc.id, kind=RecipientKind.AGENCY,
                                          recipient_agency_id=agency_id, name=agency.name))
        for directory_id in axis_ids:
            entry = await self.db.get(DirectoryAgency, directory_id)
            assert entry is not None
            self.db.add(OutgoingRecipient(outgoing_id=doc.id, kind=RecipientKind.AGENCY, directory_id=directory_id,
                                          name=entry.display_name[:200]))
        for unit_id in unit_ids:
            unit = await self.db.get(Unit, unit_id)
            assert unit is not None
            self.db.add(OutgoingRecipient(outgoing_id=doc.id, kind=RecipientKind.UNIT, recipient_unit_id=unit_id,
                                          name=unit.name))

    async def _add_appendix(self, doc: OutgoingDocument, accepted: AcceptedFile, title: str, actor: Actor) -> None:
        stored = await create_stored_file(self.db, accepted, actor.user_id)
        ordinal = len(await appendices_of(self.db, doc.id)) + 1
        self.db.add(OutgoingAppendix(outgoing_id=doc.id, ordinal=ordinal, title=title[:300] or accepted.filename,
                                     file_id=stored.id, created_at=self.now))
        await self.db.flush()

    async def authorize_upload(self, doc_id: int, actor: Actor, kind: str) -> OutgoingDocument:
        """The document, once ``actor`` may add a file of ``kind`` (``version`` or ``appendix``) to it.

        Controllers call it before they read the upload, so nobody can make the server store and
        parse a file for a document they cannot see or change.

        Raises:
            NotFoundError: the document is not visible to the actor.
            PermissionDeniedError, TransitionNotAllowedError: the actor may not add the file now.
        """
        doc = await self.flow.lock(actor, doc_id)
        if kind == "version" and State(doc.state) not in EDITABLE:
            await self.flow.authorize(doc, Event.REVISE, actor)
        else:
            decision = can_upload_version(actor, doc)
            if not decision:
                raise PermissionDeniedError(t(decision.reason))
        return doc

    async def upload(self, doc_id: int, actor: Actor, accepted: AcceptedFile, *, kind: str, note: str = "",
                     title: str = "") -> OutgoingDocument:
        """A new main-file version or an appendix; after approval a new version goes back to the signer.

        Raises:
            PermissionDeniedError: the document is not editable by the actor in its state.
        """
        doc = await self.authorize_upload(doc_id, actor, kind)
        note = clean(note)[:500]
        if kind == "version" and State(doc.state) not in EDITABLE:
            return (await self.apply(doc.id, Event.REVISE, actor, reason=note, upload=accepted))[0]
        if kind == "appendix":
            await self._add_appendix(doc, accepted, clean(title), actor)
            await self.flow.history(doc, actor, "appendix", text=clean(title) or accepted.filename)
        else:
            stored = await create_stored_file(self.db, accepted, actor.user_id)
            await add_version(self.db, doc, VersionKind.DRAFT, stored, actor, self.now, note)
            await self.flow.history(doc, actor, "version", text=note)
        await self.flow.audit(doc, actor, f"{kind}_uploaded", sha256=accepted.sha256, pages=accepted.page_count)
        return doc

    async def tap(self, doc_id: int, actor: Actor, form: TapForm) -> OutgoingDocument:
        """Fix the signature box (or number/date area) where the user tapped the page image (in placement
        mode); the layout before the tap is kept for one step of :meth:`undo_tap`."""
        doc = await self._placeable(actor, doc_id)
        try:
            page, fx, fy = int(form.page) - 1, float(form.x), float(form.y)
        except ValueError:
            raise InvalidInputError(field_errors={"tap": t("outgoing.tap.invalid")}) from None
        if form.what not in ("signature", "number", "date") or not (0 <= page < doc.page_count) \
                or not (0 <= fx <= 1 and 0 <= fy <= 1):
            raise InvalidInputError(field_errors={"tap": t("outgoing.tap.invalid")})
        pdf = await read_file(self.db, self.settings, doc.main_file_id)
        layout = await asyncio.to_thread(layout_from_tap, pdf, DocLayout.from_json(doc.layout), form.what, page,
                                         fx, fy)
        doc.layout = layout.to_json()
        await self.flow.history(doc, actor, "placed", text=t(f"outgoing.tap.{form.what}", page=page + 1))
        await self.flow.audit(doc, actor, "placed", what=form.what, page=page + 1, x=round(fx, 4), y=round(fy, 4))
        return doc

    async def undo_tap(self, doc_id: int, actor: Actor) -> OutgoingDocument:
        """"Hoàn tác": restore the layout from before the last tap (one step).

        Raises:
            InvalidInputError: there is no tap to undo.
        """
        doc = await self._placeable(actor, doc_id)
        previous = DocLayout.from_json(doc.layout).previous
        if not previous:
            raise InvalidInputError(field_errors={"tap": t("outgoing.tap.nothing_to_undo")})
        doc.layout = previous
        await self.flow.history(doc, actor, "placed", text=t("outgoing.tap.undone"))
        await self.flow.audit(doc, actor, "placement_undone")
        return doc

    async def _placeable(self, actor: Actor, doc_id: int) -> OutgoingDocument:
        """The document locked for a placement change (:func:`can_place`, else refused)."""
        doc = await self.flow.lock(actor, doc_id)
        decision = can_place(actor, doc)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        return doc

    async def record_paper(self, doc_id: int, actor: Actor, note: str) -> OutgoingDocument:
        """The clerk records that the paper copy left."""
        doc = await self.flow.lock(actor, doc_id)
        decision = can_record_paper(actor, doc)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        doc.paper_copy_sent_at, doc.paper_copy_note = self.now, clean(note)[:300]
        await self.flow.history(doc, actor, "paper_sent", text=doc.paper_copy_note)
        await self.flow.audit(doc, actor, "paper_sent", note=doc.paper_copy_note)
        return doc

    # -- the workflow entry point -----------------------------------------------------------

    async def apply(self, doc_ids: int | Sequence[int], event: str, actor: Actor, *, reason: str = "",
                    otp: str = "", upload: AcceptedFile | None = None,
                    expected_version: int | None = None) -> list[OutgoingDocument]:
        """Apply workflow ``event`` to one document (or, for ``sign``, several) on behalf of ``actor``.

        Raises:
            NotFoundError: a document is not visible to the actor.
            TransitionNotAllowedError: unknown or automatic event, or not allowed from a document's state.
            PermissionDeniedError: the transition's policy denies the actor.
            ConflictError: ``expected_version`` is stale.
            InvalidInputError: missing reason/OTP/file, the signing server refused (the message
                is the Vietnamese text of the typed signing error; nothing was changed), or -- for
                ``archive`` -- a recipient's delivery is still queued (``DeliveryPendingError``).
        """
        return await self.flow.apply(doc_ids, event, actor, reason=reason, otp=otp,
                                     expected_version=expected_version,
                                     inputs={"upload": upload, "signing": self.signing})
