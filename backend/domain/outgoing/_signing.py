"""The two effects that call the signing server: the leader's signature and the agency seal.

Both are registered in :mod:`.workflow` as a ``prepare`` (reads what the call needs and returns the
call) and an effect (stores what the call produced). The engine runs the call with no transaction
open -- no write lock or row lock is held while the signing server and pyHanko work -- and runs
the effect only if no document changed meanwhile. Everything that can fail for a reason the user
can fix (no credential, wrong or reused OTP, no seal image, no signature box) fails in the call,
before any row changes, so a refused signature changes nothing.

* ``sign`` -- the leader's PAdES signature on every document of the batch with one OTP;
* ``seal`` -- the agency seal on the main file and every separate-file appendix, one OTP.

The signing-client factory comes in ``step.inputs["signing"]``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from backend.db.models import Agency, OutgoingAppendix, OutgoingDocument, StoredFile, User, VersionKind
from backend.domain.documents.engine import Step
from backend.domain.outgoing._files import add_version, read_file, store_bytes
from backend.domain.outgoing._pdf import DocLayout, credential_for, seal_with_appendices
from backend.domain.outgoing.errors import SignatureRefusedError
from backend.domain.outgoing.images import image_bytes, seal_for, signature_for
from backend.domain.signing.client import SigningClient
from backend.domain.signing.errors import SigningServiceError
from backend.domain.signing.pdf_errors import PdfSigningError
from backend.domain.signing.stamping import sign_personal
from backend.errors import ConflictError, InvalidInputError
from backend.lib.i18n import t

__all__ = ["prepare_seal", "prepare_sign", "seal", "sign"]

SigningFactory = Callable[[], AbstractAsyncContextManager[SigningClient]]


SlowCall = Callable[[], Awaitable[Any]]


async def prepare_sign(step: Step, docs: Sequence[OutgoingDocument]) -> SlowCall:
    """Read the originals, the signer's image and the layouts; return the signing call (one OTP for all)."""
    actor, signing = step.actor, step.inputs["signing"]
    layouts = [DocLayout.from_json(doc.layout) for doc in docs]
    user = await step.db.get(User, actor.user_id)
    agency = await step.db.get(Agency, actor.agency_id)
    assert user is not None and agency is not None
    image = await signature_for(step.db, step.settings, user)
    png = image_bytes(step.settings, image) if image is not None else None
    pdfs = [await read_file(step.db, step.settings, doc.main_file_id) for doc in docs]
    doc_ids, signer_name, location, otp = [doc.id for doc in docs], docs[0].signer_name, agency.place_name, step.otp

    async def call() -> tuple[str, list[bytes]]:
        try:
            async with signing() as client:
                credential = await credential_for(client, username=actor.username)
                signed = await sign_personal(
                    client, pdfs, credential_id=credential, otp=otp, signature_png=png,
                    placements=[layout.signature for layout in layouts], signer_name=signer_name,
                    reason=t("outgoing.sign.reason"), location=location,
                    number_areas=[layout.number for layout in layouts], date_areas=[layout.date for layout in layouts],
                    credential_info=await client.credential_info(credential))
        except PdfSigningError as exc:
            index = exc.document_index or 0
            raise SignatureRefusedError(exc, doc_ids[index] if index < len(doc_ids) else None) from exc
        except SigningServiceError as exc:
            raise SignatureRefusedError(exc) from exc
        return credential, signed

    return call


async def sign(step: Step, docs: Sequence[OutgoingDocument]) -> None:
    """Store the signed versions the call of :func:`prepare_sign` produced."""
    credential, signed = step.prepared
    for doc, data in zip(docs, signed, strict=True):
        stored = await store_bytes(step.db, step.settings, data, f"da-ky-{doc.id}.pdf", doc.page_count, step.actor)
        await add_version(step.db, doc, VersionKind.SIGNED, stored, step.actor, step.now)
        doc.signed_at = step.now
        step.outcome.audit[doc.id] = {"signature": "personal", "credential_id": credential,
                                      "sha256": stored.sha256, "batch": len(docs)}


@dataclass(frozen=True, slots=True)
class _Sealed:
    """What the seal call produced for one document: the sealed main file and appendices, in order."""

    credential: str
    main: bytes
    appendix_ids: list[int]
    appendices: list[bytes]


async def prepare_seal(step: Step, docs: Sequence[OutgoingDocument]) -> SlowCall:
    """Read each document's files and the agency's seal image; return the sealing call."""
    calls = [await _prepare_seal_one(step, doc) for doc in docs]

    async def call() -> list[_Sealed]:
        return [await one() for one in calls]

    return call


async def _prepare_seal_one(step: Step, doc: OutgoingDocument) -> Callable[[], Awaitable[_Sealed]]:
    agency = await step.db.get(Agency, doc.agency_id)
    assert agency is not None
    image = await seal_for(step.db, step.settings, agency)
    if image is None:
        raise InvalidInputError(field_errors={"otp": t("outgoing.seal.no_image")})
    appendices = list((await step.db.scalars(sa.select(OutgoingAppendix).where(
        OutgoingAppendix.outgoing_id == doc.id).order_by(OutgoingAppendix.ordinal))).all())
    main = await read_file(step.db, step.settings, doc.main_file_id)
    files = [await read_file(step.db, step.settings, a.file_id) for a in appendices]
    png, size_mm = image_bytes(step.settings, image), image.size_mm or step.settings.seal_size_mm
    reference, signed_at, doc_id, otp = f"{doc.code_number}/{doc.code_notation}", step.now, doc.id, step.otp
    organ_id, location, signing = agency.organ_id, agency.place_name, step.inputs["signing"]

    async def call() -> _Sealed:
        try:
            async with signing() as client:
                credential = await credential_for(client, organ_id=organ_id)
                sealed, sealed_appendices = await seal_with_appendices(
                    client, main, files, credential_id=credential, otp=otp, seal_png=png, seal_size_mm=size_mm,
                    number_symbol=reference, signed_at=signed_at, reason=t("outgoing.seal.reason"),
                    location=location)
        except (SigningServiceError, PdfSigningError) as exc:
            raise SignatureRefusedError(exc, doc_id) from exc
        return _Sealed(credential, sealed, [a.id for a in appendices], sealed_appendices)

    return call


async def seal(step: Step, docs: Sequence[OutgoingDocument]) -> None:
    """Store the sealed main file and appendices the call of :func:`prepare_seal` produced."""
    for doc, sealed in zip(docs, step.prepared, strict=True):
        await _store_sealed(step, doc, sealed)


async def _store_sealed(step: Step, doc: OutgoingDocument, sealed: _Sealed) -> None:
    appendices = list((await step.db.scalars(sa.select(OutgoingAppendix).where(
        OutgoingAppendix.outgoing_id == doc.id).order_by(OutgoingAppendix.ordinal))).all())
    if [a.id for a in appendices] != sealed.appendix_ids:
        raise ConflictError(t("outgoing.error.stale"))  # an appendix came or went while the seal was made
    reference = f"{doc.code_number}/{doc.code_notation}"
    stored = await store_bytes(step.db, step.settings, sealed.main, f"{reference.replace('/', '-')}.pdf",
                               doc.page_count, step.actor)
    await add_version(step.db, doc, VersionKind.SEALED, stored, step.actor, step.now)
    for appendix, data in zip(appendices, sealed.appendices, strict=True):
        original = await step.db.get(StoredFile, appendix.file_id)
        assert original is not None
        sealed_file = await store_bytes(step.db, step.settings, data, original.filename, original.page_count,
                                        step.actor)
        appendix.sealed_file_id = sealed_file.id
    doc.sealed_at = step.now
    step.outcome.audit[doc.id] = {"signature": "seal", "credential_id": sealed.credential, "sha256": stored.sha256,
                                  "appendices": len(appendices)}
