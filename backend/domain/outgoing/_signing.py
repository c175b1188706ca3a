"""The two effects that call the signing server: the leader's signature and the agency seal.

Both are registered in :mod:`.workflow` and run inside the engine after every check passed.
Everything that can fail for a reason the user can fix (no credential, wrong or reused OTP, no
seal image, no signature box) happens first; the signing server is called before any row
changes, so a refused signature changes nothing.

* ``sign`` -- the leader's PAdES signature on every document of the batch with one OTP;
* ``seal`` -- the agency seal on the main file and every separate-file appendix, one OTP.

The signing-client factory comes in ``step.inputs["signing"]``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
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
from backend.errors import InvalidInputError
from backend.lib.i18n import t

__all__ = ["seal", "sign"]

SigningFactory = Callable[[], AbstractAsyncContextManager[SigningClient]]


async def sign(step: Step, docs: Sequence[OutgoingDocument]) -> None:
    """The leader's signature on every document of the batch (one OTP), then the signed versions."""
    actor, signing = step.actor, step.inputs["signing"]
    layouts = [DocLayout.from_json(doc.layout) for doc in docs]
    try:
        async with signing() as client:
            # The signer's credential and its certificates are fetched while the database is read.
            async def credential_and_info() -> tuple[str, Any]:  # (id, CSCCredentialInfo)
                credential = await credential_for(client, username=actor.username)
                return credential, await client.credential_info(credential)

            lookup = asyncio.ensure_future(credential_and_info())
            try:
                user = await step.db.get(User, actor.user_id)
                agency = await step.db.get(Agency, actor.agency_id)
                assert user is not None and agency is not None
                image = await signature_for(step.db, step.settings, user)
                png = image_bytes(step.settings, image) if image is not None else None
                pdfs = [await read_file(step.db, step.settings, doc.main_file_id) for doc in docs]
            except BaseException:
                lookup.cancel()
                await asyncio.gather(lookup, return_exceptions=True)
                raise
            credential, info = await lookup
            signed = await sign_personal(
                client, pdfs, credential_id=credential, otp=step.otp, signature_png=png,
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
        stored = await store_bytes(step.db, step.settings, data, f"da-ky-{doc.id}.pdf", doc.page_count, actor)
        await add_version(step.db, doc, VersionKind.SIGNED, stored, actor, step.now)
        doc.signed_at = step.now
        step.outcome.audit[doc.id] = {"signature": "personal", "credential_id": credential,
                                      "sha256": stored.sha256, "batch": len(docs)}


async def seal(step: Step, docs: Sequence[OutgoingDocument]) -> None:
    """The agency seal on the main file and each separate-file appendix (one OTP)."""
    for doc in docs:
        await _seal_one(step, doc)


async def _seal_one(step: Step, doc: OutgoingDocument) -> None:
    agency = await step.db.get(Agency, doc.agency_id)
    assert agency is not None
    image = await seal_for(step.db, step.settings, agency)
    if image is None:
        raise InvalidInputError(field_errors={"otp": t("outgoing.seal.no_image")})
    appendices = list((await step.db.scalars(sa.select(OutgoingAppendix).where(
        OutgoingAppendix.outgoing_id == doc.id).order_by(OutgoingAppendix.ordinal))).all())
    main = await read_file(step.db, step.settings, doc.main_file_id)
    files = [await read_file(step.db, step.settings, a.file_id) for a in appendices]
    reference = f"{doc.code_number}/{doc.code_notation}"
    try:
        async with step.inputs["signing"]() as client:
            credential = await credential_for(client, organ_id=agency.organ_id)
            sealed, sealed_appendices = await seal_with_appendices(
                client, main, files, credential_id=credential, otp=step.otp,
                seal_png=image_bytes(step.settings, image), seal_size_mm=image.size_mm or step.settings.seal_size_mm,
                number_symbol=reference, signed_at=step.now, reason=t("outgoing.seal.reason"),
                location=agency.place_name)
    except (SigningServiceError, PdfSigningError) as exc:
        raise SignatureRefusedError(exc, doc.id) from exc
    stored = await store_bytes(step.db, step.settings, sealed, f"{reference.replace('/', '-')}.pdf", doc.page_count,
                               step.actor)
    await add_version(step.db, doc, VersionKind.SEALED, stored, step.actor, step.now)
    for appendix, data in zip(appendices, sealed_appendices, strict=True):
        original = await step.db.get(StoredFile, appendix.file_id)
        assert original is not None
        sealed_file = await store_bytes(step.db, step.settings, data, original.filename, original.page_count,
                                        step.actor)
        appendix.sealed_file_id = sealed_file.id
    doc.sealed_at = step.now
    step.outcome.audit[doc.id] = {"signature": "seal", "credential_id": credential, "sha256": stored.sha256,
                                  "appendices": len(appendices)}
