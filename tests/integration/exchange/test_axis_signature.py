"""Package signatures over the axis: what Nghi Phong sends carries an enveloped XML signature made with its package
seal on the signing server, which the ministry verifies against the development CA; what the ministry sends is
verified before anything is stored -- a package changed after signing (a field, an attachment), signed by a
certificate nobody trusts, or not signed at all, and a PDF whose signature does not hold, are answered with a
status 02 naming the reason, acknowledged ``fail``, kept only as the raw blob, and create nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import sqlalchemy as sa
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from asn1crypto.keys import PrivateKeyInfo
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID
from litestar import Litestar
from litestar.testing import AsyncTestClient
from lxml import etree
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.models import AuditEvent, AxisArrival, IncomingDocument
from backend.domain.documents.files import blob_store
from backend.domain.exchange.axis_client import AxisClient
from backend.domain.exchange.axis_poller import poll_axis
from backend.domain.exchange.edxml.model import Package
from backend.domain.exchange.edxml.parse import parse
from backend.domain.exchange.edxml.signature import (
    DSIG_NS,
    RSA_SHA256,
    SignatureState,
    prepare,
    verify,
)
from backend.domain.exchange.edxml.xmlsafe import NS, read_root
from backend.lib.urls import RouteUrls
from tests.integration.exchange.test_axis_receive import ministry
from tests.integration.exchange.test_axis_send import BO_NOI_VU, NGHI_PHONG, _issued_to_ministry
from tests.support.axis import StandIn, edoc_package, sealed_package, statuses_back
from tests.support.incoming import make_pdf
from tests.support.outgoing import run_jobs
from tests.support.signing import SigningEnv

Client = AsyncTestClient[Litestar]
Sessions = async_sessionmaker[AsyncSession]


def _outsider() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A key and a self-signed certificate claiming to be Bộ Nội vụ, issued by nobody we trust."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bộ Nội vụ"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bộ Nội vụ")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    return key, cert


def _signed_by_outsider(unsigned: bytes) -> bytes:
    key, cert = _outsider()
    pending = prepare(read_root(unsigned), [cert.public_bytes(serialization.Encoding.DER)])
    return pending.finish(key.sign(pending.digest, padding.PKCS1v15(), Prehashed(hashes.SHA256())))


async def _pdf_signed_by_outsider() -> bytes:
    key, cert = _outsider()
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs([]))
    out = await signers.async_sign_pdf(IncrementalPdfFileWriter(io.BytesIO(make_pdf(1))),
                                       signers.PdfSignatureMetadata(field_name="Signature1"), signer=signer)
    return out.getvalue()


async def test_our_package_carries_a_signature_the_recipient_verifies(
        client: Client, db_sessionmaker: Sessions, settings: Settings, axis: StandIn,
        axis_signing: SigningEnv) -> None:
    await _issued_to_ministry(client, db_sessionmaker, settings)
    await run_jobs(settings)
    async with AxisClient(axis.url, "bo-b", "s3cret-B-never-logged") as bo:
        [waiting] = await bo.getReceivedEdocList("edoc")
        raw = await bo.getEdoc(waiting.doc_id)
    roots = [asn1_x509.Certificate.load(der) for der in _pem_ders(axis_signing.ca_pem)]
    report = await verify(raw, roots)
    assert report.state is SignatureState.VALID, report.reason
    assert report.signer == "Ủy ban nhân dân xã Nghi Phong" and report.signature_method == RSA_SHA256

    root = etree.fromstring(raw)
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    assert header is not None and header[-1].tag == f"{{{DSIG_NS}}}Signature", "last child of edXMLHeader"
    assert isinstance(parse(raw), Package), "a signed package parses as before"
    assert (await verify(raw, [])).state is SignatureState.UNTRUSTED, "only our trust store makes it trusted"

    # the seal was made on the signing server without an OTP, and journaled there
    journal = axis_signing.cli("journal", "--limit", "5").stdout
    assert "unattended package seal" in journal

    changed_subject = raw.replace("chuyển đổi số".encode(), b"chuyen doi so", 1)
    assert (await verify(changed_subject, roots)).state is SignatureState.MODIFIED
    assert (await verify(_flip_attachment(raw), roots)).state is SignatureState.MODIFIED


def _pem_ders(pem_bytes: bytes) -> list[bytes]:
    return [der for _, _, der in pem.unarmor(pem_bytes, multiple=True)]


def _flip_attachment(raw: bytes) -> bytes:
    """The package with one base64 character of its attachment changed (still valid base64, other bytes)."""
    match = re.search(rb"ContentTransferEncoded[^>]*>([A-Za-z0-9+/]{40})", raw)
    assert match is not None
    start = match.start(1) + 20
    swapped = b"B" if raw[start:start + 1] != b"B" else b"C"
    return raw[:start] + swapped + raw[start + 1:]


async def test_packages_that_do_not_verify_are_refused_with_02_and_nothing_is_stored(
        db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    good = await sealed_package(settings, BO_NOI_VU, [NGHI_PHONG], number="20", pdf=make_pdf(1))
    sent = {
        "21": (await sealed_package(settings, BO_NOI_VU, [NGHI_PHONG], number="21", pdf=make_pdf(1)))
        .replace("Công văn thử".encode(), "Công văn sửa".encode(), 1),
        "22": _flip_attachment(await sealed_package(settings, BO_NOI_VU, [NGHI_PHONG], number="22",
                                                    pdf=make_pdf(1))),
        "23": _signed_by_outsider(edoc_package(BO_NOI_VU, [NGHI_PHONG], number="23", pdf=make_pdf(1))),
        "24": edoc_package(BO_NOI_VU, [NGHI_PHONG], number="24", pdf=make_pdf(1)),
        "25": await sealed_package(settings, BO_NOI_VU, [NGHI_PHONG], number="25",
                                   pdf=await _pdf_signed_by_outsider()),
    }
    async with ministry(axis) as bo:
        for raw in sent.values():
            await bo.sendEdoc(BO_NOI_VU, raw)
        await bo.sendEdoc(BO_NOI_VU, good)
    assert await poll_axis(db_sessionmaker, settings, RouteUrls()) == 6
    async with db_sessionmaker() as db:
        arrived = (await db.scalars(sa.select(IncomingDocument.code_number))).all()
        assert arrived == ["20"], "only the package that verifies becomes a document"
        assert await db.scalar(sa.select(sa.func.count()).select_from(AxisArrival)) == 1
        assert await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "exchange.axis_refused")) == 5
        refused = (await db.scalars(sa.select(AuditEvent.detail).where(AuditEvent.action == "exchange.axis_refused"))
                   ).all()
    store = blob_store(settings)
    for raw in sent.values():  # not stored (no blob without its row); the audit names it by hash and size
        digest = hashlib.sha256(raw).hexdigest()
        assert not await store.exists(digest)
        assert any(digest in str(detail) and str(len(raw)) in str(detail) for detail in refused)
    acks = {p.content: p.acks.get(NGHI_PHONG) for p in axis.state.packages.values() if p.message_type == "edoc"}
    assert [acks[raw] for raw in sent.values()] == ["fail"] * 5 and acks[good] == "done"

    reasons = {s.response_for.document_id.rsplit(",", 1)[1].split("/")[0]: s.description
               for s in await statuses_back(axis, settings) if s.status_code == "02"}
    assert set(reasons) == set(sent)
    assert "đã bị thay đổi sau khi ký" in reasons["21"] and "đã bị thay đổi sau khi ký" in reasons["22"]
    assert "không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp" in reasons["23"]
    assert "không có chữ ký số" in reasons["24"]
    assert "cong-van.pdf" in reasons["25"] and "không được tin cậy" in reasons["25"].lower(), reasons["25"]
