"""Use cases of incoming documents: intake, the workflow entry point and the handling actions.

``IncomingService.apply(doc_id, event, actor, ...)`` hands the event to the one workflow engine
(:class:`backend.domain.documents.engine.Workflow` running :data:`.workflow.LIFECYCLE`), the only
code that changes a document's state. Handling actions that do not change the state (hand-over
to a specialist, notes, classification, the reply link) are plain functions in :mod:`._handling`.
"""

from __future__ import annotations

from litestar.datastructures import UploadFile

from backend.db.models import Assignment, DocumentSource, IncomingDocument, Role
from backend.domain.accounts.actor import Actor
from backend.domain.documents.digitisation import check_scan
from backend.domain.documents.errors import (
    ConfidentialDocumentError,
    DuplicateDocumentError,
    FileRejectedError,
    IntakeRejectedError,
)
from backend.domain.documents.files import AcceptedFile, accept_pdf_upload, blob_store, create_stored_file
from backend.domain.documents.service import DocumentService
from backend.domain.incoming import _handling
from backend.domain.incoming._intake import find_duplicates, is_confidential, search_text_for, validate_intake
from backend.domain.incoming.notify import role_holders
from backend.domain.incoming.policies import can_intake
from backend.domain.incoming.schemas import AssignPlan, ClassifyForm, DelegateForm, IntakeForm, NoteForm
from backend.domain.incoming.workflow import LIFECYCLE, Event, State
from backend.errors import PermissionDeniedError, TransitionNotAllowedError
from backend.lib.i18n import t
from backend.lib.text import clean, fold

__all__ = ["IncomingService"]


class IncomingService(DocumentService[IncomingDocument]):
    """Use cases bound to one transaction (see :class:`DocumentService` for the arguments)."""

    lifecycle = LIFECYCLE

    # -- intake -----------------------------------------------------------------------------

    async def intake(self, actor: Actor, form: IntakeForm, pending: AcceptedFile | None = None) -> IncomingDocument:
        """Receive a document from the intake form (and register it when ``form.action`` asks).

        Raises:
            PermissionDeniedError: the actor is not a clerk.
            ConfidentialDocumentError: a state-secret level was declared (nothing is stored).
            IntakeRejectedError: also when a paper document's scan misses the digitisation
                standard (domain.md §11.4, :mod:`backend.domain.documents.digitisation`).
            IntakeRejectedError: field errors; ``kept_file`` holds a valid upload to reuse.
            DuplicateDocumentError: possible duplicate not yet confirmed; ``kept_file`` as above.
        """
        decision = can_intake(actor)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        if is_confidential(form):
            raise ConfidentialDocumentError()
        errors: dict[str, str] = {}
        accepted = pending
        if isinstance(form.file, UploadFile) and form.file.filename:
            try:
                accepted = await accept_pdf_upload(self.db, self.settings, form.file)
            except FileRejectedError as exc:
                errors.update(exc.field_errors)
        elif accepted is None:
            errors["file"] = t("doc.file.missing")
        data, field_errors = await validate_intake(self.db, actor.agency_id, form, self.today)
        errors.update(field_errors)
        if accepted is not None and form.source == DocumentSource.PAPER.value and "file" not in errors:
            report = await check_scan(await blob_store(self.settings).local_path(accepted.sha256))
            if not report.ok:
                errors["file"] = t("digitisation.refused", problems=" ".join(report.problems))
        if errors or data is None or accepted is None:
            raise IntakeRejectedError(errors, kept_file=accepted)
        duplicates = await find_duplicates(self.db, actor.agency_id, data)
        if duplicates and form.confirm_duplicate not in ("1", "true", "on", "yes"):
            raise DuplicateDocumentError([d.id for d in duplicates], kept_file=accepted)
        stored = await create_stored_file(self.db, accepted, actor.user_id)
        doc = IncomingDocument(
            agency_id=actor.agency_id, state=State.RECEIVED, urgency=data.urgency, priority=data.urgency.priority,
            source=data.source, document_type_id=data.document_type_id, code_number=data.code_number,
            code_notation=data.code_notation, issuer_name=data.issuer_name, issuer_key=fold(data.issuer_name),
            issuer_agency_id=data.issuer_agency_id, issued_on=data.issued_on, summary=data.summary,
            page_count=accepted.page_count, description=data.description, signer_position=data.signer_position,
            signer_name=data.signer_name, document_identifier=data.document_identifier, file_id=stored.id,
            reply_by_on=data.reply_by_on, received_at=self.now, received_by_id=actor.user_id,
            duplicate_of_id=duplicates[0].id if duplicates else None,
        )
        doc.search_text = search_text_for(doc)
        self.db.add(doc)
        await self.db.flush()
        await self.flow.history(doc, actor, "receive", None, State.RECEIVED)
        await self.flow.audit(doc, actor, "received", sha256=accepted.sha256, size=accepted.size,
                          pages=accepted.page_count, urgency=data.urgency.value,
                          duplicate_of=[d.id for d in duplicates])
        if data.urgency.is_urgent:
            await self.flow.notify(doc, "arrived_urgent", await role_holders(self.db, doc.agency_id, Role.CLERK), actor)
        if form.action == "register":
            await self.apply(doc.id, "register", actor)
        return doc

    # -- the workflow entry point -----------------------------------------------------------

    async def apply(self, doc_id: int, event: str, actor: Actor, *, reason: str = "", plan: AssignPlan | None = None,
                    reply_reference: str = "", expected_version: int | None = None,
                    answering_recall: bool = False) -> IncomingDocument:
        """Apply workflow ``event`` to document ``doc_id`` on behalf of ``actor`` (see the engine).

        Raises:
            NotFoundError: the document is not visible to the actor.
            TransitionNotAllowedError: unknown event, or not allowed from the current state.
            PermissionDeniedError: the transition's policy denies the actor.
            ConflictError: ``expected_version`` is stale (someone else changed the document).
            InvalidInputError: missing reason/result or an invalid assignment plan.

        ``cancel`` is taken only as the answer to the sender's recall (``answering_recall``, from the exchange
        context, which also answers the sender); asked for directly it is refused.
        """
        if event == Event.CANCEL and not answering_recall:
            raise TransitionNotAllowedError(t("incoming.error.cancel_via_recall"))
        inputs = {"plan": plan, "reply_reference": clean(reply_reference)}
        docs = await self.flow.apply(doc_id, event, actor, reason=reason, expected_version=expected_version,
                                     inputs=inputs)
        return docs[0]

    # -- handling actions (no state change) ----------------------------------------------------

    async def delegate(self, doc_id: int, actor: Actor, form: DelegateForm) -> Assignment:
        """Pass a unit assignment to a specialist of that unit (see :func:`._handling.delegate`)."""
        return await _handling.delegate(self.flow, doc_id, actor, form)

    async def add_note(self, doc_id: int, actor: Actor, form: NoteForm) -> None:
        """Record a progress note or proposal (see :func:`._handling.add_note`)."""
        await _handling.add_note(self.flow, doc_id, actor, form)

    async def classify(self, doc_id: int, actor: Actor, form: ClassifyForm) -> None:
        """Needs a reply (with the reply-by date) or for information."""
        await _handling.classify(self.flow, doc_id, actor, form)

    async def link_reply(self, doc_id: int, actor: Actor, reference: str) -> None:
        """Record the number/symbol of the reply document."""
        await _handling.link_reply(self.flow, doc_id, actor, reference)
