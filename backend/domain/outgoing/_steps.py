"""The effect of each workflow event (mixed into ``OutgoingService``; called only from ``apply``).

Order inside an effect: everything that can fail for a reason the user can fix (missing file,
no reserved fields, wrong or reused OTP, no credential) happens first; database writes follow.
The signing server is called before any row changes, so a refused signature changes nothing.

* ``format_ok`` / ``revise`` -- locate box 7c and the number/date placeholders in the text layer
  (positions the user tapped are kept) and store them: they are fixed before the leader signs;
* ``sign`` -- the leader's PAdES signature on every document of the batch with one OTP;
* ``number`` -- number under a row lock, symbol (§5.2), date line (§5.3) written into the
  reserved fields as form filling; the document identifier (edXML ``DocumentId`` form);
* ``seal`` -- the agency seal on the main file and every separate-file appendix, one OTP;
* ``issue`` -- the paper-copy flag (the admin's list, :mod:`.paper_copy`), one delivery job per platform
  agency, internal units informed, the reply linked on the answered incoming document;
* ``archive`` -- refused while a recipient's delivery is still queued; records who filed the
  original and when (Đ.19);
* ``recall`` -- one recall job per delivered agency; units informed (issued or archived).

Issuing a document that amends or replaces an earlier one also returns a :class:`FollowUp` for
that document: the service then takes the automatic ``replace`` transition on it (or, for an
amendment, only links the two in its history); :meth:`StepsMixin._corrected` is its effect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from backend.db.models import (
    Agency,
    DeliveryStatus,
    DocumentType,
    IncomingDocument,
    OutgoingAppendix,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientKind,
    Role,
    StoredFile,
    Unit,
    User,
    VersionKind,
)
from backend.db.models.outgoing import ReplaceKind
from backend.domain.accounts.actor import Actor
from backend.domain.documents.files import AcceptedFile, create_stored_file
from backend.domain.exchange.kinds import DELIVER, RECALL, Deliver, Recall
from backend.domain.incoming.policies import DocContext, can_link_reply
from backend.domain.incoming.services import IncomingService
from backend.domain.outgoing._pdf import DocLayout, credential_for, find_layout, seal_with_appendices
from backend.domain.outgoing.images import image_bytes, seal_for, signature_for
from backend.domain.outgoing.notify import role_holders, unit_heads
from backend.domain.outgoing.numbering import allocate_number, notation_for, series_for
from backend.domain.outgoing.paper_copy import active_categories, paper_copy_required
from backend.domain.outgoing.workflow import Transition
from backend.domain.signing.client import SigningClient
from backend.domain.signing.errors import SigningServiceError
from backend.domain.signing.formfill import fill_number_and_date
from backend.domain.signing.nd30 import date_line
from backend.domain.signing.pdf_errors import PdfSigningError
from backend.domain.signing.stamping import sign_personal
from backend.errors import InvalidInputError
from backend.lib.i18n import t
from backend.tasks.outbox import enqueue

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from backend.config.settings import Settings

__all__ = ["DeliveryPendingError", "FollowUp", "Outcome", "SignatureRefusedError", "StepsMixin"]


class SignatureRefusedError(InvalidInputError):
    """The signature (or the number/date fill) did not happen; the message says why, nothing changed."""

    code = "OUT_SIGNATURE_REFUSED"

    def __init__(self, error: SigningServiceError | PdfSigningError, doc_id: int | None = None) -> None:
        message = error.user_message
        field = "tap" if error.code == "PDF_SIGNATURE_BOX_NOT_FOUND" else "otp"
        super().__init__(message, field_errors={field: message})
        self.reason_code = error.code
        self.doc_id = doc_id


class DeliveryPendingError(InvalidInputError):
    """The original cannot be filed yet: some recipients' delivery is still queued (nothing changed)."""

    code = "OUT_DELIVERY_PENDING"


@dataclass(frozen=True, slots=True)
class FollowUp:
    """Another document changed by this transition: ``doc_id`` is corrected by the issued ``cause_id``.

    ``event`` is the automatic transition to take on it (``replace``), or ``None`` to link only.
    """

    doc_id: int
    cause_id: int
    event: str | None


@dataclass
class Outcome:
    """What ``apply`` writes after the effect, per document id, and the other documents it changes."""

    notify: dict[int, list[int]] = field(default_factory=dict)
    text: dict[int, str] = field(default_factory=dict)
    audit: dict[int, dict[str, Any]] = field(default_factory=dict)
    follow_ups: list[FollowUp] = field(default_factory=list)


def _reference(doc: OutgoingDocument) -> str:
    return f"{doc.code_number}/{doc.code_notation}"


class StepsMixin:
    """Effects of the transitions; relies on the helpers of ``OutgoingService``."""

    db: AsyncSession
    settings: Settings
    signing: Callable[[], AbstractAsyncContextManager[SigningClient]]

    if TYPE_CHECKING:
        @property
        def now(self) -> datetime: ...
        @property
        def today(self) -> date: ...
        async def _read(self, file_id: int) -> bytes: ...
        async def _store_bytes(self, data: bytes, filename: str, pages: int, actor: Actor) -> StoredFile: ...
        async def _add_version(self, doc: OutgoingDocument, kind: VersionKind, stored: StoredFile, actor: Actor,
                               note: str = "") -> None: ...

    async def _effect(self, transition: Transition, docs: Sequence[OutgoingDocument], actor: Actor, reason: str,
                      otp: str, upload: AcceptedFile | None) -> Outcome:
        doc = docs[0]
        out = Outcome()
        clerks = await role_holders(self.db, doc.agency_id, Role.CLERK)
        match transition.event:
            case "submit":
                heads = await unit_heads(self.db, doc.agency_id, doc.drafting_unit_id)
                out.notify[doc.id] = heads or await role_holders(self.db, doc.agency_id, Role.LEADER, Role.DEPUTY)
            case "approve":
                out.notify[doc.id] = clerks
            case "format_ok":
                await self._locate(doc)
                out.notify[doc.id] = [doc.signer_id]
            case "return":
                out.notify[doc.id] = [doc.drafter_id]
            case "revise":
                if upload is None:
                    raise InvalidInputError(field_errors={"file": t("doc.file.missing")})
                stored = await create_stored_file(self.db, upload, actor.user_id)
                await self._add_version(doc, VersionKind.DRAFT, stored, actor, reason)
                await self._locate(doc)
                out.notify[doc.id] = [doc.signer_id]
            case "sign":
                await self._sign(docs, actor, otp, out)
                for item in docs:
                    out.notify[item.id] = clerks + [item.drafter_id]
            case "number":
                await self._number(doc, actor, out)
            case "seal":
                await self._seal(doc, actor, otp, out)
            case "issue":
                await self._issue(doc, actor, out)
                await self._corrects(doc, out)
                out.notify[doc.id] = [doc.drafter_id, doc.signer_id]
            case "archive":
                await self._archive(doc, actor, out)
            case "recall":
                await self._recall(doc, reason)
                out.notify[doc.id] = [doc.drafter_id, doc.signer_id] + clerks
        return out

    async def _locate(self, doc: OutgoingDocument) -> None:
        pdf = await self._read(doc.main_file_id)
        keep = DocLayout.from_json(doc.layout)
        doc.layout = (await asyncio.to_thread(find_layout, pdf, doc.signer_name, keep)).to_json()

    async def _sign(self, docs: Sequence[OutgoingDocument], actor: Actor, otp: str, out: Outcome) -> None:
        layouts = [DocLayout.from_json(doc.layout) for doc in docs]
        try:
            async with self.signing() as client:
                # The signer's credential and its certificates are fetched while the database is read.
                async def credential_and_info() -> tuple[str, Any]:  # (id, CSCCredentialInfo)
                    credential = await credential_for(client, username=actor.username)
                    return credential, await client.credential_info(credential)

                lookup = asyncio.ensure_future(credential_and_info())
                try:
                    user = await self.db.get(User, actor.user_id)
                    agency = await self.db.get(Agency, actor.agency_id)
                    assert user is not None and agency is not None
                    image = await signature_for(self.db, self.settings, user)
                    png = image_bytes(self.settings, image) if image is not None else None
                    pdfs = [await self._read(doc.main_file_id) for doc in docs]
                except BaseException:
                    lookup.cancel()
                    await asyncio.gather(lookup, return_exceptions=True)
                    raise
                credential, info = await lookup
                signed = await sign_personal(
                    client, pdfs, credential_id=credential, otp=otp, signature_png=png,
                    placements=[layout.signature for layout in layouts], signer_name=docs[0].signer_name,
                    reason=t("outgoing.sign.reason"), location=agency.place_name,
                    number_areas=[layout.number for layout in layouts], date_areas=[layout.date for layout in layouts],
                    credential_info=info)
        except PdfSigningError as exc:
            index = exc.document_index or 0
            raise SignatureRefusedError(exc, docs[index].id if index < len(docs) else None) from exc
        except SigningServiceError as exc:
            raise SignatureRefusedError(exc) from exc
        for doc, data in zip(docs, signed, strict=True):
            stored = await self._store_bytes(data, f"da-ky-{doc.id}.pdf", doc.page_count, actor)
            await self._add_version(doc, VersionKind.SIGNED, stored, actor)
            doc.signed_at = self.now
            out.audit[doc.id] = {"signature": "personal", "credential_id": credential, "sha256": stored.sha256,
                                 "batch": len(docs)}

    async def _number(self, doc: OutgoingDocument, actor: Actor, out: Outcome) -> None:
        doc_type = await self.db.get(DocumentType, doc.document_type_id)
        agency = await self.db.get(Agency, doc.agency_id)
        unit = await self.db.get(Unit, doc.drafting_unit_id) if doc.drafting_unit_id else None
        assert doc_type is not None and agency is not None
        series = series_for(doc_type, self.settings.outgoing_series_per_type)
        allocated = await allocate_number(self.db, doc.agency_id, series, self.now)
        notation = notation_for(doc_type, agency.abbreviation, unit.abbreviation if unit else None, allocated.year)
        reference = f"{allocated.code_number}/{notation}"
        line = date_line(agency.place_name, self.today)
        pdf = await self._read(doc.main_file_id)
        try:
            numbered = await asyncio.to_thread(fill_number_and_date, pdf, number_symbol=reference, date_line=line)
        except PdfSigningError as exc:
            raise SignatureRefusedError(exc, doc.id) from exc
        stored = await self._store_bytes(numbered, f"{reference.replace('/', '-')}.pdf", doc.page_count, actor)
        await self._add_version(doc, VersionKind.NUMBERED, stored, actor, reference)
        doc.series, doc.number_year, doc.number = series, allocated.year, allocated.number
        doc.code_number, doc.code_notation, doc.issued_on = allocated.code_number, notation, self.today
        doc.document_identifier = f"{agency.organ_id},{self.today:%Y/%m/%d},{reference}"
        doc.registered_at, doc.registered_by_id = self.now, actor.user_id
        out.text[doc.id] = t("outgoing.history.numbered", reference=reference, date=line)
        out.audit[doc.id] = {"number": allocated.number, "year": allocated.year, "series": series,
                             "reference": reference, "sha256": stored.sha256}

    async def _seal(self, doc: OutgoingDocument, actor: Actor, otp: str, out: Outcome) -> None:
        agency = await self.db.get(Agency, doc.agency_id)
        assert agency is not None
        image = await seal_for(self.db, self.settings, agency)
        if image is None:
            raise InvalidInputError(field_errors={"otp": t("outgoing.seal.no_image")})
        appendices = list((await self.db.scalars(sa.select(OutgoingAppendix).where(
            OutgoingAppendix.outgoing_id == doc.id).order_by(OutgoingAppendix.ordinal))).all())
        main = await self._read(doc.main_file_id)
        files = [await self._read(a.file_id) for a in appendices]
        reference = f"{doc.code_number}/{doc.code_notation}"
        try:
            async with self.signing() as client:
                credential = await credential_for(client, organ_id=agency.organ_id)
                sealed, sealed_appendices = await seal_with_appendices(
                    client, main, files, credential_id=credential, otp=otp, seal_png=image_bytes(self.settings, image),
                    seal_size_mm=image.size_mm or self.settings.seal_size_mm, number_symbol=reference,
                    signed_at=self.now, reason=t("outgoing.seal.reason"), location=agency.place_name)
        except (SigningServiceError, PdfSigningError) as exc:
            raise SignatureRefusedError(exc, doc.id) from exc
        stored = await self._store_bytes(sealed, f"{reference.replace('/', '-')}.pdf", doc.page_count, actor)
        await self._add_version(doc, VersionKind.SEALED, stored, actor)
        for appendix, data in zip(appendices, sealed_appendices, strict=True):
            original = await self.db.get(StoredFile, appendix.file_id)
            assert original is not None
            sealed_file = await self._store_bytes(data, original.filename, original.page_count, actor)
            appendix.sealed_file_id = sealed_file.id
        doc.sealed_at = self.now
        out.audit[doc.id] = {"signature": "seal", "credential_id": credential, "sha256": stored.sha256,
                             "appendices": len(appendices)}

    async def _recipients(self, doc: OutgoingDocument) -> list[OutgoingRecipient]:
        return list((await self.db.scalars(sa.select(OutgoingRecipient).where(
            OutgoingRecipient.outgoing_id == doc.id).order_by(OutgoingRecipient.id))).all())

    async def _issue(self, doc: OutgoingDocument, actor: Actor, out: Outcome) -> None:
        doc_type = await self.db.get(DocumentType, doc.document_type_id)
        assert doc_type is not None
        doc.paper_copy_required = paper_copy_required(await active_categories(self.db), doc_type, doc.summary)
        doc.issued_at = self.now
        for recipient in await self._recipients(doc):
            recipient.status_at = self.now
            if recipient.kind is RecipientKind.AGENCY:
                recipient.status = DeliveryStatus.QUEUED
                await enqueue(self.db, DELIVER, Deliver(recipient_id=recipient.id))
            else:
                recipient.status = DeliveryStatus.ARRIVED
                heads = await unit_heads(self.db, doc.agency_id, recipient.recipient_unit_id)
                out.notify.setdefault(doc.id, []).extend(heads)
        await self._link_reply(doc, actor)
        out.audit[doc.id] = {"paper_copy": doc.paper_copy_required}

    async def _link_reply(self, doc: OutgoingDocument, actor: Actor) -> None:
        """Record the reply's number/symbol on the answered incoming document when its handler could."""
        if doc.reply_to_incoming_id is None:
            return
        incoming = await self.db.get(IncomingDocument, doc.reply_to_incoming_id)
        if incoming is None or not can_link_reply(actor, incoming, DocContext()):
            return
        service = IncomingService(self.db, self.settings, links=lambda _doc_id: "")  # link_reply notifies nobody
        await service.link_reply(incoming.id, actor, f"{doc.code_number}/{doc.code_notation}")

    async def _archive(self, doc: OutgoingDocument, actor: Actor, out: Outcome) -> None:
        pending = [r.name for r in await self._recipients(doc) if r.status is DeliveryStatus.QUEUED]
        if pending:
            raise DeliveryPendingError(t("outgoing.archive.pending", names="; ".join(pending)))
        doc.archived_at, doc.archived_by_id = self.now, actor.user_id
        out.audit[doc.id] = {"archived_at": self.now.isoformat()}

    async def _corrects(self, doc: OutgoingDocument, out: Outcome) -> None:
        """On issue: the earlier document this one amends or replaces follows (Đ.18.3)."""
        if doc.replaces_id is None or doc.replace_kind is None:
            return
        earlier = await self.db.get(OutgoingDocument, doc.replaces_id)
        assert earlier is not None
        kind = ReplaceKind(doc.replace_kind)
        out.text[doc.id] = t(f"outgoing.history.issued_{kind.value}", reference=_reference(earlier))
        out.audit.setdefault(doc.id, {}).update(replaces_id=earlier.id, replace_kind=kind.value)
        out.follow_ups.append(FollowUp(earlier.id, doc.id, "replace" if kind is ReplaceKind.REPLACE else None))

    async def _corrected(self, doc: OutgoingDocument, cause: OutgoingDocument, transition: Transition | None,
                         out: Outcome) -> None:
        """The effect on the earlier document: replaced (keeps its number) or only linked."""
        kind = ReplaceKind(cause.replace_kind or ReplaceKind.AMEND)
        reference = _reference(cause)
        if transition is not None:
            doc.replaced_at, doc.replaced_by_id = self.now, cause.id
            out.text[doc.id] = t("outgoing.history.replaced_by", reference=reference)
            out.notify[doc.id] = [doc.drafter_id, doc.signer_id]
        elif kind is ReplaceKind.AMEND:
            out.text[doc.id] = t("outgoing.history.amended_by", reference=reference)
        else:
            out.text[doc.id] = t("outgoing.history.replacement_noted", reference=reference)
        out.audit[doc.id] = {"by_id": cause.id, "by_reference": reference, "kind": kind.value}

    async def _recall(self, doc: OutgoingDocument, reason: str) -> None:
        doc.recalled_at, doc.recall_reason = self.now, reason
        for recipient in await self._recipients(doc):
            recipient.status_at = self.now
            if recipient.kind is RecipientKind.AGENCY:
                recipient.status = DeliveryStatus.RECALL_REQUESTED
                await enqueue(self.db, RECALL, Recall(recipient_id=recipient.id, reason=reason))
            else:
                recipient.status = DeliveryStatus.RECALLED
