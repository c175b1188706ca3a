"""Use cases of outgoing documents: drafting and the single workflow entry point ``apply``.

``OutgoingService.apply(doc_ids, event, actor, ...)`` is the only code that changes a document's
state. It locks the rows (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``) in id order,
finds the transition in the declared table (else :class:`TransitionNotAllowedError`), evaluates
the named policy (else :class:`PermissionDeniedError`), performs the event's effect (signing,
numbering, sealing, dispatch… in :mod:`._steps`), then sets the state and writes the history
entry, the audit row and the notification job in the same transaction. Effects that talk to the
signing server run *before* anything is written, so a wrong or reused OTP changes nothing. Only
``sign`` accepts several documents (batch signing with one OTP).

Automatic transitions (``replace``) are never accepted from a request: when an issued document
amends or replaces an earlier one, ``apply`` locks that document too and takes the automatic
transition on it (or, for an amendment, writes the link to its history) in the same transaction.

Actions that do not change the state -- a new draft version before approval, an appendix, a
tapped signature position, the paper-copy record -- live here too and write history and audit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import (
    Agency,
    OutgoingAppendix,
    OutgoingDocument,
    OutgoingEvent,
    OutgoingRecipient,
    OutgoingVersion,
    RecipientKind,
    StoredFile,
    Unit,
    VersionKind,
)
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta, record
from backend.domain.certificates.services import signing_client
from backend.domain.documents.files import AcceptedFile, blob_store, create_stored_file
from backend.domain.outgoing._drafting import search_text_for, validate_draft
from backend.domain.outgoing._pdf import DocLayout, layout_from_tap
from backend.domain.outgoing._steps import FollowUp, Outcome, StepsMixin
from backend.domain.outgoing.notify import notify
from backend.domain.outgoing.policies import (
    POLICIES,
    can_create,
    can_place,
    can_record_paper,
    can_upload_version,
    visible_outgoing,
)
from backend.domain.outgoing.queries import appendices_of, next_version_ordinal
from backend.domain.outgoing.schemas import DraftForm, TapForm
from backend.domain.outgoing.workflow import (
    EDITABLE,
    EVENT_LABELS,
    STATE_LABELS,
    TRANSITIONS,
    State,
    Transition,
    events,
    find,
)
from backend.domain.signing.client import SigningClient
from backend.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    TransitionNotAllowedError,
)
from backend.lib import clock
from backend.lib.i18n import t
from backend.lib.text import clean

__all__ = ["OutgoingService"]

SigningFactory = Callable[[], AbstractAsyncContextManager[SigningClient]]
AUTOMATIC = frozenset(row.event for row in TRANSITIONS if row.automatic)
"""Events only the service takes (as the consequence of another document's transition)."""


class OutgoingService(StepsMixin):
    """Use cases bound to one transaction.

    Args:
        links: builds the URL of a document page for notifications (``route_reverse`` of
            ``outgoing.detail``), so no URL is hard-coded here.
        signing: opens a signing-server client (default: from the settings, as the certificate
            pages do).
        now: a fixed clock for tests; defaults to the real time.
    """

    def __init__(self, db: AsyncSession, settings: Settings, *, links: Callable[[int], str],
                 meta: RequestMeta | None = None, now: datetime | None = None,
                 signing: SigningFactory | None = None) -> None:
        self.db = db
        self.settings = settings
        self.links = links
        self.meta = meta or RequestMeta()
        self._now = now
        self.signing: SigningFactory = signing or (lambda: signing_client(settings))

    @property
    def now(self) -> datetime:
        return self._now or clock.now()

    @property
    def today(self) -> date:
        return clock.to_local(self.now).date()

    # -- shared helpers ---------------------------------------------------------------------

    async def _lock(self, actor: Actor, doc_id: int) -> OutgoingDocument:
        query = (visible_outgoing(actor).where(OutgoingDocument.id == doc_id)
                 .execution_options(populate_existing=True))
        if self.db.bind.dialect.name == "postgresql":
            query = query.with_for_update(of=OutgoingDocument)
        doc = await self.db.scalar(query)
        if doc is None:
            raise NotFoundError()
        return doc

    async def _history(self, doc: OutgoingDocument, actor: Actor, kind: str, before: State | None = None,
                       after: State | None = None, text: str = "") -> None:
        self.db.add(OutgoingEvent(outgoing_id=doc.id, at=self.now, actor_id=actor.user_id,
                                  actor_name=actor.full_name, kind=kind, from_state=before, to_state=after,
                                  text=text))

    async def _audit(self, doc: OutgoingDocument, actor: Actor, action: str, **detail: object) -> None:
        await record(self.db, f"outgoing.{action}", actor_id=actor.user_id, actor_name=actor.username,
                     agency_id=doc.agency_id, object_type="outgoing", object_id=doc.id, meta=self.meta,
                     detail=detail)

    async def _notify(self, doc: OutgoingDocument, kind: str, user_ids: Sequence[int], actor: Actor) -> None:
        await notify(self.db, doc, kind, user_ids, actor_id=actor.user_id, url=self.links(doc.id))

    async def _read(self, file_id: int) -> bytes:
        stored = await self.db.get(StoredFile, file_id)
        assert stored is not None
        return await blob_store(self.settings).read_bytes(stored.sha256)

    async def _store_bytes(self, data: bytes, filename: str, pages: int, actor: Actor) -> StoredFile:
        blob = await blob_store(self.settings).put_bytes(data)
        return await create_stored_file(self.db, AcceptedFile(blob.sha256, blob.size, filename, pages),
                                        actor.user_id)

    async def _add_version(self, doc: OutgoingDocument, kind: VersionKind, stored: StoredFile, actor: Actor,
                           note: str = "") -> None:
        ordinal = await next_version_ordinal(self.db, doc.id)
        self.db.add(_version(doc.id, ordinal, kind, stored.id, note, actor.user_id, self.now))
        doc.main_file_id, doc.page_count = stored.id, stored.page_count
        await self.db.flush()

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
        self.db.add(_version(doc.id, 1, VersionKind.DRAFT, stored.id, "", actor.user_id, self.now))
        await self._add_recipients(doc, data.agency_ids, data.unit_ids)
        if appendix is not None:
            await self._add_appendix(doc, appendix, clean(form.appendix_title), actor)
        await self._history(doc, actor, "create", None, State.DRAFT)
        await self._audit(doc, actor, "created", sha256=main.sha256, pages=main.page_count,
                          reply_to=data.reply_to_incoming_id, replaces_id=data.replaces_id,
                          replace_kind=data.replace_kind.value if data.replace_kind else None)
        await self.db.flush()
        return doc

    async def _add_recipients(self, doc: OutgoingDocument, agency_ids: Sequence[int], unit_ids: Sequence[int]) -> None:
        for agency_id in agency_ids:
            agency = await self.db.get(Agency, agency_id)
            assert agency is not None
            self.db.add(OutgoingRecipient(outgoing_id=doc.id, kind=RecipientKind.AGENCY,
                                          recipient_agency_id=agency_id, name=agency.name))
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

    async def upload(self, doc_id: int, actor: Actor, accepted: AcceptedFile, *, kind: str, note: str = "",
                     title: str = "") -> OutgoingDocument:
        """A new main-file version or an appendix; after approval a new version goes back to the signer.

        Raises:
            PermissionDeniedError: the document is not editable by the actor in its state.
        """
        doc = await self._lock(actor, doc_id)
        note = clean(note)[:500]
        if kind == "version" and State(doc.state) not in EDITABLE:
            return (await self.apply(doc.id, "revise", actor, reason=note, upload=accepted))[0]
        decision = can_upload_version(actor, doc)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        if kind == "appendix":
            await self._add_appendix(doc, accepted, clean(title), actor)
            await self._history(doc, actor, "appendix", text=clean(title) or accepted.filename)
        else:
            stored = await create_stored_file(self.db, accepted, actor.user_id)
            await self._add_version(doc, VersionKind.DRAFT, stored, actor, note)
            await self._history(doc, actor, "version", text=note)
        await self._audit(doc, actor, f"{kind}_uploaded", sha256=accepted.sha256, pages=accepted.page_count)
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
        pdf = await self._read(doc.main_file_id)
        layout = await asyncio.to_thread(layout_from_tap, pdf, DocLayout.from_json(doc.layout), form.what, page,
                                         fx, fy)
        doc.layout = layout.to_json()
        await self._history(doc, actor, "placed", text=t(f"outgoing.tap.{form.what}", page=page + 1))
        await self._audit(doc, actor, "placed", what=form.what, page=page + 1, x=round(fx, 4), y=round(fy, 4))
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
        await self._history(doc, actor, "placed", text=t("outgoing.tap.undone"))
        await self._audit(doc, actor, "placement_undone")
        return doc

    async def _placeable(self, actor: Actor, doc_id: int) -> OutgoingDocument:
        doc = await self._lock(actor, doc_id)
        decision = can_place(actor, doc)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        return doc

    async def record_paper(self, doc_id: int, actor: Actor, note: str) -> OutgoingDocument:
        """The clerk records that the paper copy left."""
        doc = await self._lock(actor, doc_id)
        decision = can_record_paper(actor, doc)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        doc.paper_copy_sent_at, doc.paper_copy_note = self.now, clean(note)[:300]
        await self._history(doc, actor, "paper_sent", text=doc.paper_copy_note)
        await self._audit(doc, actor, "paper_sent", note=doc.paper_copy_note)
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
        if event not in events():
            raise TransitionNotAllowedError(t("outgoing.error.unknown_event", event=event[:40]))
        if event in AUTOMATIC:
            raise TransitionNotAllowedError(t("outgoing.error.automatic", event=EVENT_LABELS[event]))
        ids = [doc_ids] if isinstance(doc_ids, int) else list(dict.fromkeys(doc_ids))
        if not ids or (len(ids) > 1 and event != "sign"):
            raise InvalidInputError(field_errors={"doc_id": t("outgoing.error.batch")})
        docs = [await self._lock(actor, doc_id) for doc_id in sorted(ids)]
        if expected_version is not None and len(docs) == 1 and docs[0].version != expected_version:
            raise ConflictError(t("outgoing.error.stale"))
        transition = None
        for doc in docs:
            transition = find(State(doc.state), event)
            if transition is None:
                raise TransitionNotAllowedError(event=EVENT_LABELS[event], state=STATE_LABELS[State(doc.state)])
            decision = POLICIES[transition.policy](actor, doc)
            if not decision:
                raise PermissionDeniedError(t(decision.reason))
        assert transition is not None
        reason = clean(reason)
        if transition.needs_reason and not reason:
            message = t("outgoing.field.reason_required", label=transition.reason_label)
            raise InvalidInputError(message, field_errors={"reason": message})
        otp = otp.strip()
        if transition.needs_otp and not (len(otp) == 6 and otp.isdigit()):
            message = t("outgoing.sign.otp_format")
            raise InvalidInputError(message, field_errors={"otp": message})
        outcome = await self._effect(transition, docs, actor, reason, otp, upload)
        for doc in docs:
            await self._enter(doc, transition, actor, reason, outcome)
        for follow_up in outcome.follow_ups:
            await self._follow(follow_up, actor)
        await self.db.flush()
        return docs

    async def _enter(self, doc: OutgoingDocument, transition: Transition, actor: Actor, reason: str,
                     outcome: Outcome) -> None:
        """Set the new state and write the history entry, the audit row and the notification job."""
        before = State(doc.state)
        doc.state = transition.target
        doc.search_text = search_text_for(doc)
        await self._history(doc, actor, transition.event, before, transition.target,
                            outcome.text.get(doc.id, reason))
        await self._audit(doc, actor, transition.event, from_state=before.value, to_state=transition.target.value,
                          reason=reason, **outcome.audit.get(doc.id, {}))
        await self._notify(doc, transition.event, outcome.notify.get(doc.id, []), actor)

    async def _follow(self, follow_up: FollowUp, actor: Actor) -> None:
        """The earlier document an issued one amends or replaces: the automatic transition, or a link.

        When the earlier document can no longer be replaced (recalled or replaced meanwhile), its
        state is kept and the link is only written to its history.

        Raises:
            PermissionDeniedError: the automatic transition's policy denies the actor (nothing is kept).
        """
        doc = await self._lock(actor, follow_up.doc_id)
        cause = await self.db.get(OutgoingDocument, follow_up.cause_id)
        assert cause is not None
        transition = find(State(doc.state), follow_up.event) if follow_up.event else None
        if transition is not None:
            decision = POLICIES[transition.policy](actor, doc)
            if not decision:
                raise PermissionDeniedError(t(decision.reason))
        outcome = Outcome()
        await self._corrected(doc, cause, transition, outcome)
        if transition is not None:
            await self._enter(doc, transition, actor, "", outcome)
            return
        await self._history(doc, actor, "linked", text=outcome.text[doc.id])
        await self._audit(doc, actor, "linked", **outcome.audit[doc.id])


def _version(outgoing_id: int, ordinal: int, kind: VersionKind, file_id: int, note: str, user_id: int,
             at: datetime) -> OutgoingVersion:
    return OutgoingVersion(outgoing_id=outgoing_id, ordinal=ordinal, kind=kind, file_id=file_id, note=note,
                           created_by_id=user_id, created_at=at)

