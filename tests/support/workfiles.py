"""Helpers for the work-file tests: signed PDFs (pyHanko, a throwaway CA), documents in the database,
and a JSON API client with the CSRF header.

Documents are arranged directly in the database (the intake and drafting flows have their own
tests); their PDFs go into the app's real blob store.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from backend.config.settings import Settings
from backend.db.models import (
    Assignment,
    AssignmentRole,
    DocumentSource,
    DocumentType,
    IncomingDocument,
    OutgoingDocument,
    StoredFile,
    User,
    WorkFile,
    WorkFileDocument,
    WorkFileState,
)
from backend.domain.documents.files import blob_store
from tests.support.incoming import make_pdf

__all__ = ["Api", "Signer", "arrange_incoming", "arrange_large_file", "arrange_outgoing", "signer"]


@dataclass(frozen=True)
class Signer:
    """A key and a self-signed certificate: enough to sign PDFs and validate them against that root."""

    key: Any
    cert: Any

    async def sign(self, pdf: bytes) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        simple = signers.SimpleSigner(signing_cert=self.cert, signing_key=self.key,
                                      cert_registry=SimpleCertificateStore.from_certs([self.cert]))
        meta = signers.PdfSignatureMetadata(field_name="chu_ky", md_algorithm="sha256")
        out = await signers.async_sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=simple)
        return out.getvalue()


@functools.cache
def signer() -> Signer:
    from asn1crypto import keys
    from asn1crypto import x509 as ax509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ủy ban nhân dân tỉnh (thử)")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return Signer(keys.PrivateKeyInfo.load(der_key),
                  ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)))


async def _stored(db: Any, settings: Settings, pdf: bytes, name: str) -> StoredFile:
    blob = await blob_store(settings).put_bytes(pdf)
    row = StoredFile(sha256=blob.sha256, size=len(pdf), content_type="application/pdf", filename=name, page_count=1)
    db.add(row)
    await db.flush()
    return row


async def _type_id(db: Any) -> int:
    return int((await db.scalars(sa.select(DocumentType.id).where(DocumentType.code == "cong_van"))).one())


async def arrange_incoming(sessions: Any, settings: Settings, agency_id: int, *, number: int, summary: str,
                           issued_on: dt.date, pdf: bytes | None = None, assign_to: int | None = None,
                           assigned_by: int | None = None) -> int:
    """An incoming document (assigned to ``assign_to`` as lead handler when given); returns its id."""
    async with sessions() as db:
        stored = await _stored(db, settings, pdf or make_pdf(1, summary), f"vb-den-{number}.pdf")
        doc = IncomingDocument(
            agency_id=agency_id, source=DocumentSource.ELECTRONIC, document_type_id=await _type_id(db),
            code_number=str(number), code_notation="UBND-VP", issuer_name="Ủy ban nhân dân xã Thử",
            issued_on=issued_on, summary=summary, signer_name="Nguyễn Văn A", signer_position="Chủ tịch",
            page_count=1, file_id=stored.id, arrival_year=issued_on.year, arrival_number=number)
        db.add(doc)
        await db.flush()
        if assign_to is not None:
            db.add(Assignment(incoming_id=doc.id, role=AssignmentRole.LEAD, assignee_user_id=assign_to,
                              assigned_by_id=assigned_by or assign_to))
        await db.commit()
        return doc.id


async def arrange_outgoing(sessions: Any, settings: Settings, agency_id: int, *, drafter: int, summary: str,
                           pdf: bytes | None = None) -> int:
    """An outgoing draft of ``drafter`` (who also signs it); returns its id."""
    async with sessions() as db:
        stored = await _stored(db, settings, pdf or make_pdf(1, summary), "vb-di.pdf")
        doc = OutgoingDocument(agency_id=agency_id, document_type_id=await _type_id(db), summary=summary,
                               drafter_id=drafter, signer_id=drafter, main_file_id=stored.id, page_count=1,
                               code_notation="UBND-TH")
        db.add(doc)
        await db.commit()
        return doc.id


async def arrange_large_file(sessions: Any, settings: Settings, agency_id: int, owner_id: int, *, documents: int,
                             pdf: bytes, note_every: int = 0) -> int:
    """An open file of ``owner_id`` holding ``documents`` incoming documents that share one stored ``pdf`` (and a
    note after every ``note_every``-th one), inserted in bulk; returns the file's id."""
    async with sessions() as db:
        stored = await _stored(db, settings, pdf, "vb-chung.pdf")
        type_id, day = await _type_id(db), dt.date(2026, 1, 1)
        await db.execute(sa.insert(IncomingDocument), [dict(
            agency_id=agency_id, source=DocumentSource.ELECTRONIC, document_type_id=type_id, code_number=str(n),
            code_notation="UBND-VP", issuer_name="Ủy ban nhân dân xã Thử", issued_on=day + dt.timedelta(days=n % 300),
            summary=f"Văn bản thử số {n} về việc xuất hồ sơ lớn: " + "nội dung trích yếu dài " * 18,
            signer_name="Nguyễn Văn A",
            signer_position="Chủ tịch", page_count=1, file_id=stored.id, arrival_year=1990,
            arrival_number=n) for n in range(1, documents + 1)])
        ids = (await db.scalars(sa.select(IncomingDocument.id).where(
            IncomingDocument.agency_id == agency_id, IncomingDocument.arrival_year == 1990)
            .order_by(IncomingDocument.arrival_number))).all()
        work_file = WorkFile(agency_id=agency_id, state=WorkFileState.OPEN, year=2026, file_notation="99.TH",
                             title=f"Hồ sơ thử {documents} văn bản", retention="Vĩnh viễn", rights="Hạn chế",
                             owner_user_id=owner_id, start_date=day)
        db.add(work_file)
        await db.flush()
        links: list[dict[str, Any]] = []
        for n, doc_id in enumerate(ids, start=1):
            links.append({"work_file_id": work_file.id, "incoming_id": doc_id, "position": len(links) + 1})
            if note_every and n % note_every == 0:
                links.append({"work_file_id": work_file.id, "note": f"Ghi chú sau văn bản thứ {n}",
                              "position": len(links) + 1})
        await db.execute(sa.insert(WorkFileDocument), links)
        await db.commit()
        return int(work_file.id)


class Api:
    """One logged-in user's JSON calls, with the CSRF header from ``GET /api/v1/session``."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.token = ""

    async def user(self) -> dict[str, Any]:
        data = (await self.client.get("/api/v1/session")).json()
        self.token = data["csrf_token"]
        return dict(data)

    async def call(self, method: str, url: str, body: Any = None) -> Any:
        if not self.token:
            await self.user()
        return await self.client.request(method, url, json=body, headers={"X-CSRFToken": self.token})

    async def user_id(self, sessions: Any, username: str) -> int:
        async with sessions() as db:
            return int((await db.scalars(sa.select(User.id).where(User.username == username))).one())
