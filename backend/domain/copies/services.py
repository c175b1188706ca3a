"""Making a copy: check, sign through the signing server, then number, store and audit in one go.

``CopyService.make`` runs in this order so that nothing is half-stored and no lock is held while
the signing server works:

1. the actor is a clerk (403), the source is visible (404) and copyable (409), the form is valid
   (422: copy type, the page range of a trích sao, the seal OTP; a sao lục needs an earlier sao y);
2. the reads end (:func:`~backend.db.engine.end_reads`), the copy's PDF is built and the agency's
   seal credential signs it (a refused OTP is a 422 and nothing was written);
3. in a fresh transaction the source is checked again, the number is taken from the agency's
   yearly copy series under its row lock, the signed file and the copy row are stored and the
   audit row ``copy.made`` is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.engine import end_reads
from backend.db.models import Agency, CopyKind, DocumentCopy, StoredFile
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta, record
from backend.domain.certificates.services import signing_client
from backend.domain.copies.numbering import allocate_copy_number, copy_symbol
from backend.domain.copies.pdf import PARSE_ERRORS, extract_pages, page_count, prepare_copy, sign_copy
from backend.domain.copies.policies import can_make_copy, visible_copies
from backend.domain.copies.schemas import CopyForm
from backend.domain.copies.sources import Source, load_source
from backend.domain.documents.files import AcceptedFile, blob_store, create_stored_file
from backend.domain.signing.client import SigningClient
from backend.domain.signing.credentials import NoCredentialError, credential_for
from backend.domain.signing.errors import SigningServiceError
from backend.domain.signing.pdf_errors import PdfSigningError
from backend.errors import ConflictError, InvalidInputError, PermissionDeniedError
from backend.lib import clock
from backend.lib.bounds import parse_id
from backend.lib.i18n import t

__all__ = ["CopyRequest", "CopyService", "SigningFactory"]

SigningFactory = Callable[[], AbstractAsyncContextManager[SigningClient]]


class CopyRequest:
    """A validated copy form: the copy type, the page range (trích sao) and the seal OTP."""

    __slots__ = ("first_page", "kind", "last_page", "otp")

    def __init__(self, kind: CopyKind, first_page: int | None, last_page: int | None, otp: str) -> None:
        self.kind, self.first_page, self.last_page, self.otp = kind, first_page, last_page, otp

    @classmethod
    def parse(cls, form: CopyForm, pages: int) -> CopyRequest:
        """The request, or every problem at once.

        Raises:
            InvalidInputError: field errors (``kind``, ``first_page``, ``otp``).
        """
        errors: dict[str, str] = {}
        kind = next((k for k in CopyKind if k.value == form.kind.strip()), None)
        if kind is None:
            errors["kind"] = t("copies.error.kind")
        first = last = None
        if kind is CopyKind.TRICH_SAO:
            raw_first, raw_last = form.first_page.strip(), form.last_page.strip()
            if not raw_first or not raw_last:
                errors["first_page"] = t("copies.error.pages_required")
            elif (first := parse_id(raw_first)) is None or (last := parse_id(raw_last)) is None \
                    or not first <= last <= pages:
                errors["first_page"] = t("copies.error.pages_range", pages=pages)
        otp = form.otp.strip()
        if not (len(otp) == 6 and otp.isdigit()):
            errors["otp"] = t("copies.error.otp_required")
        if errors or kind is None:
            raise InvalidInputError(field_errors=errors)
        return cls(kind, first, last, otp)


class CopyService:
    """Use cases of copies, bound to one request's session.

    Args:
        meta: where the request came from (audit).
        now: the clock (tests pass a fixed instant to cross a year).
        signing: opens a signing-server client (default: from the settings).
    """

    def __init__(self, db: AsyncSession, settings: Settings, *, meta: RequestMeta | None = None,
                 now: datetime | None = None, signing: SigningFactory | None = None) -> None:
        self.db, self.settings, self.meta = db, settings, meta or RequestMeta()
        self.now = now or clock.now()
        self.signing: SigningFactory = signing or (lambda: signing_client(settings))

    async def _copyable(self, actor: Actor, source_kind: str, doc_id: int) -> Source:
        source = await load_source(self.db, actor, source_kind, doc_id)
        if not source.copyable:
            raise ConflictError(t("copies.error.source_not_copyable"))
        return source

    async def make(self, actor: Actor, source_kind: str, doc_id: int, form: CopyForm) -> DocumentCopy:
        """Make, sign, number and store one copy of document ``doc_id``.

        Raises:
            PermissionDeniedError: the actor is not a clerk.
            NotFoundError: the source is not visible (another agency's document is the same).
            ConflictError: the source is a draft / not issued / not registered.
            InvalidInputError: bad copy type, page range or OTP; no sao y to make a sao lục from;
                the signing server refused; the source file cannot take a signature.
        """
        decision = can_make_copy(actor)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        source = await self._copyable(actor, source_kind, doc_id)
        base = await self.db.get(StoredFile, source.file_id)
        assert base is not None
        request = CopyRequest.parse(form, base.page_count or source.page_count)
        based_on: DocumentCopy | None = None
        if request.kind is CopyKind.SAO_LUC:
            based_on = await self._latest_sao_y(actor, source)
            base = await self.db.get(StoredFile, based_on.file_id)
            assert base is not None
        agency = await self.db.get(Agency, actor.agency_id)
        assert agency is not None
        pdf = await blob_store(self.settings).read_bytes(base.sha256)
        await end_reads(self.db)
        signed, credential = await self._sign(pdf, request, source, agency)
        pages = await asyncio.to_thread(page_count, signed)

        source = await self._copyable(actor, source_kind, doc_id)  # it may have been recalled meanwhile
        year, number = await allocate_copy_number(self.db, agency.id, self.now)
        symbol = copy_symbol(number, request.kind, agency.abbreviation)
        blob = await blob_store(self.settings).put_bytes(signed)
        stored = await create_stored_file(
            self.db, AcceptedFile(blob.sha256, blob.size, f"{symbol.replace('/', '-')}.pdf", pages), actor.user_id)
        copy = DocumentCopy(
            agency_id=agency.id, kind=request.kind, year=year, number=number, symbol=symbol,
            incoming_id=doc_id if source.kind == "incoming" else None,
            outgoing_id=doc_id if source.kind == "outgoing" else None,
            based_on_id=based_on.id if based_on else None, first_page=request.first_page,
            last_page=request.last_page, source_reference=source.reference[:60], source_summary=source.summary[:500],
            file_id=stored.id, page_count=pages, credential_id=credential, made_by_id=actor.user_id, made_at=self.now)
        self.db.add(copy)
        await self.db.flush()
        await record(self.db, "copy.made", actor_id=actor.user_id, actor_name=actor.username, agency_id=agency.id,
                     object_type="document_copy", object_id=copy.id, meta=self.meta,
                     detail={"kind": request.kind.value, "symbol": symbol, "source": source.kind,
                             "source_id": doc_id, "based_on": copy.based_on_id, "first_page": request.first_page,
                             "last_page": request.last_page, "sha256": blob.sha256, "credential_id": credential})
        return copy

    async def _latest_sao_y(self, actor: Actor, source: Source) -> DocumentCopy:
        column = DocumentCopy.incoming_id if source.kind == "incoming" else DocumentCopy.outgoing_id
        found = await self.db.scalar(visible_copies(actor).where(column == source.doc_id,
                                                                 DocumentCopy.kind == CopyKind.SAO_Y)
                                     .order_by(DocumentCopy.id.desc()).limit(1))
        if found is None:
            raise InvalidInputError(field_errors={"kind": t("copies.error.no_sao_y")})
        return found

    async def _sign(self, pdf: bytes, request: CopyRequest, source: Source, agency: Agency) -> tuple[bytes, str]:
        """The copy's PDF with the agency's organisation signature, and the credential that made it."""
        try:
            if request.kind is CopyKind.TRICH_SAO:
                assert request.first_page is not None and request.last_page is not None
                pdf = await asyncio.to_thread(extract_pages, pdf, request.first_page, request.last_page)
            prepared = await asyncio.to_thread(prepare_copy, pdf, request.kind.label, agency.name, self.now)
            async with self.signing() as client:
                credential = await credential_for(client, organ_id=agency.organ_id)
                signed = await sign_copy(
                    client, pdf, prepared, credential_id=credential, otp=request.otp, location=agency.place_name,
                    reason=t("copies.sign.reason", form=request.kind.label.capitalize(), reference=source.reference))
        except NoCredentialError as exc:
            raise InvalidInputError(field_errors={"otp": exc.message}) from exc
        except SigningServiceError as exc:
            raise InvalidInputError(field_errors={"otp": exc.user_message}) from exc
        except (PdfSigningError, *PARSE_ERRORS) as exc:
            raise InvalidInputError(field_errors={"form": t("copies.error.pdf_unusable")}) from exc
        return signed, credential

