"""The PDF side of an outgoing document, end to end with the REAL signing server and SoftHSM.

Draft (fpdf2, ND 30 layout) -> leader's visible signature (blue image in box 7c, number/date fields
reserved) -> clerk fills number and date (form filling) -> agency seal signature (red seal over the
left third of the signature) -> verification in plain words; plus batch signing with one OTP, the
separate-file appendix seal, a tampered file, an untrusted root and a revoked certificate.

This module starts its own signing server (own data dir and credentials), so its OTP time steps
never collide with the other signing tests.
"""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from backend.domain.signing.appearance import Placement, locate_signature_box, read_text_layer
from backend.domain.signing.assets import seal_png, signature_png
from backend.domain.signing.client import SigningClient, SigningServiceConfig
from backend.domain.signing.formfill import DATE_FIELD, NUMBER_FIELD, fill_number_and_date, reserved_fields
from backend.domain.signing.pdf_errors import SignatureBoxNotFoundError
from backend.domain.signing.samples import DraftSpec, outgoing_draft_pdf
from backend.domain.signing.stamping import (
    find_signature_widget,
    sign_appendix_seal,
    sign_personal,
    sign_seal,
)
from backend.domain.signing.verification import verify_pdf
from tests.support.signing import DemoOwner, SigningEnv, nss_trusting, running_signing_server

AGENCY = "Ủy ban nhân dân xã Nghi Phong"
SEAL_CODE, APPENDIX_CODE = "000.00.31.H41", "000.00.32.H41"
OWNERS = {"pdf.leader": ("user", "p256", "Nguyễn Văn A"), "pdf.batch": ("user", "rsa2048", "Trần Thị Bình"),
          SEAL_CODE: ("agency", "p256", AGENCY), APPENDIX_CODE: ("agency", "p256", AGENCY)}
NUMBER, DATE_LINE = "12/UBND-VX", "Nghi Phong, ngày 05 tháng 01 năm 2027"


@pytest.fixture(scope="module")
def pdf_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    """A signing server of this module's own, with a personal and two agency credentials."""
    owners = [DemoOwner(owner, kind, name, AGENCY, algo) for owner, (kind, algo, name) in OWNERS.items()]
    with running_signing_server(tmp_path_factory.mktemp("pdfsign"), owners) as senv:
        yield senv


@pytest.fixture(scope="module")
def nss(tmp_path_factory: pytest.TempPathFactory, pdf_env: SigningEnv) -> str:
    """A private NSS database trusting this server's dev CA, for poppler's pdfsig."""
    return nss_trusting(tmp_path_factory.mktemp("pdfnss"), pdf_env.ca_pem)


def _config(senv: SigningEnv) -> SigningServiceConfig:
    return SigningServiceConfig(url=senv.url, client_id=senv.client["client_id"],
                                client_secret=senv.client["client_secret"])


@dataclass
class Flow:
    draft: bytes
    signed: bytes
    numbered: bytes
    issued: bytes


@pytest.fixture(scope="module")
def flow(pdf_env: SigningEnv) -> Flow:
    """The main path once: sign (leader), number and date (clerk), seal (clerk)."""
    draft = outgoing_draft_pdf()

    async def run() -> Flow:
        async with SigningClient(_config(pdf_env)) as client:
            [signed] = await sign_personal(client, [draft], credential_id=pdf_env.cred("pdf.leader"),
                                           otp=pdf_env.otp("pdf.leader"), signature_png=signature_png("pdf.leader"),
                                           placements=[None], signer_name="Nguyễn Văn A", reason="Ký ban hành")
            numbered = fill_number_and_date(signed, number_symbol=NUMBER, date_line=DATE_LINE)
            issued = await sign_seal(client, numbered, credential_id=pdf_env.cred(SEAL_CODE),
                                     otp=pdf_env.otp(SEAL_CODE), seal_png=seal_png(AGENCY, "Huyện Nghi Lộc"))
        return Flow(draft, signed, numbered, issued)

    return asyncio.run(run())


def _roots(senv: SigningEnv) -> list[x509.Certificate]:
    return [x509.Certificate.load(der) for _, _, der in pem.unarmor(senv.ca_pem, multiple=True)]


async def _statuses(pdf: bytes, senv: SigningEnv) -> list[Any]:
    sigs = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return [await async_validate_pdf_signature(s, ValidationContext(trust_roots=_roots(senv))) for s in sigs]


def _pdftotext(pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-q", *args, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _pdfsig(pdf: bytes, tmp_path: Path, nss_db: str) -> str:
    path = tmp_path / "s.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", "-nssdir", nss_db, str(path)], capture_output=True, text=True,
                          check=False).stdout


def _line(words: Any, text: str) -> Placement:
    hits = [w for w in words if w.text == text]
    assert hits, text
    return Placement(0, min(w.x0 for w in hits), min(w.y0 for w in hits), max(w.x1 for w in hits),
                     max(w.y1 for w in hits))


async def test_personal_signature_sits_between_title_and_name(flow: Flow, pdf_env: SigningEnv) -> None:
    widget = find_signature_widget(flow.signed)
    assert widget is not None
    words = read_text_layer(flow.draft, [-1])[0].words
    title = _line([w for w in words if w.text in ("CHỦ", "TỊCH") and w.y0 < 500], "TỊCH")
    name = _line(words, "Nguyễn")
    assert name.y1 < widget.y0 < widget.y1 < title.y0, (widget, title, name)
    assert widget.height > 40
    block_centre = (locate_signature_box(flow.draft, signer_name="Nguyễn Văn A").x0  # type: ignore[union-attr]
                    + locate_signature_box(flow.draft, signer_name="Nguyễn Văn A").x1) / 2  # type: ignore[union-attr]
    assert abs((widget.x0 + widget.x1) / 2 - block_centre) < 0.5
    [status] = await _statuses(flow.signed, pdf_env)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert set(reserved_fields(flow.signed)) == {NUMBER_FIELD, DATE_FIELD}


async def test_number_and_date_keep_the_signature_valid(flow: Flow, pdf_env: SigningEnv, tmp_path: Path) -> None:
    text = " ".join(_pdftotext(flow.numbered, tmp_path, "-f", "1", "-l", "1").split())
    assert f"Số: {NUMBER}" in text and DATE_LINE in text, text
    [status] = await _statuses(flow.numbered, pdf_env)
    assert status.intact and status.valid and status.trusted
    assert status.modification_level == ModificationLevel.FORM_FILLING and status.docmdp_ok
    assert status.bottom_line


async def test_seal_overlaps_left_third_and_both_signatures_hold(flow: Flow, pdf_env: SigningEnv, nss: str,
                                                                 tmp_path: Path) -> None:
    sig = find_signature_widget(flow.issued, "chu_ky_ca_nhan")
    seal = find_signature_widget(flow.issued, "chu_ky_co_quan")
    assert sig is not None and seal is not None and sig.page == seal.page
    assert seal.x0 < sig.x0 < seal.x1 <= sig.x0 + sig.width / 3 + 0.5
    assert abs(seal.x1 - (sig.x0 + sig.width / 3)) < 0.5
    assert seal.y0 < sig.y1 and seal.y1 > sig.y0
    assert abs(seal.width - 36 * 72 / 25.4) < 0.1
    statuses = await _statuses(flow.issued, pdf_env)
    assert len(statuses) == 2
    for status in statuses:
        assert status.intact and status.valid and status.trusted and status.bottom_line, status.pretty_print_details()
    assert statuses[0].modification_level == ModificationLevel.FORM_FILLING
    report = _pdfsig(flow.issued, tmp_path, nss)
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    assert report.count("Certificate Validation: Certificate is Trusted.") == 2, report
    text = _pdftotext(flow.issued, tmp_path)
    assert NUMBER in text and "ngày 05 tháng 01 năm 2027" in text


async def test_verification_report_in_plain_words(flow: Flow, pdf_env: SigningEnv) -> None:
    report = await verify_pdf(flow.issued, [pdf_env.ca_pem])
    assert report.all_valid, report
    leader, seal = report.signatures
    assert (leader.signer_name, seal.signer_name) == ("Nguyễn Văn A", AGENCY)
    assert leader.message == seal.message == "Hợp lệ"
    assert leader.coverage == "ENTIRE_REVISION" and seal.coverage == "ENTIRE_FILE"
    assert leader.modification_level == "FORM_FILLING" and leader.trusted and not leader.expired
    assert re.fullmatch(r"[0-9a-f]+", leader.certificate_serial) and leader.signing_time is not None
    assert "2" in report.summary and "hợp lệ" in report.summary

    at = flow.issued.index(b"/MediaBox [0 0 595.28") + len(b"/MediaBox [0 0 595.2")  # inside the signed range
    tampered = flow.issued[:at] + b"9" + flow.issued[at + 1:]
    assert len(tampered) == len(flow.issued)
    bad = await verify_pdf(tampered, [pdf_env.ca_pem])
    assert [s.verdict for s in bad.signatures] == ["modified", "modified"]
    assert bad.signatures[0].message == "Văn bản đã bị sửa sau khi ký" and not bad.all_valid

    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = cx509.Name([cx509.NameAttribute(cx509.NameOID.COMMON_NAME, "Other CA")])
    import datetime as dt
    now = dt.datetime.now(dt.UTC)
    other = (cx509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
             .serial_number(7).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
             .add_extension(cx509.BasicConstraints(ca=True, path_length=None), critical=True)
             .sign(key, hashes.SHA256()))
    untrusted = await verify_pdf(flow.issued, [other.public_bytes(serialization.Encoding.PEM)])
    assert {s.verdict for s in untrusted.signatures} == {"untrusted"}
    assert untrusted.signatures[0].message == "Chứng thư số không được tin cậy"

    revoked = await verify_pdf(flow.issued, [pdf_env.ca_pem],
                               revoked_serials={leader.certificate_serial: now - dt.timedelta(hours=1)})
    assert revoked.signatures[0].verdict == "revoked" and revoked.signatures[1].verdict == "valid"
    assert revoked.signatures[0].message == "Chứng thư số đã bị thu hồi"


async def test_batch_of_three_with_one_otp(pdf_env: SigningEnv) -> None:
    specs = [DraftSpec(signer_name="Trần Thị Bình", authority="KT. CHỦ TỊCH", position="PHÓ CHỦ TỊCH"),
             DraftSpec(signer_name="Trần Thị Bình", extra_body_pages=1, authority="KT. CHỦ TỊCH",
                       position="PHÓ CHỦ TỊCH", summary="V/v báo cáo kết quả"),
             DraftSpec(signer_name="Trần Thị Bình", authority="", position="PHÓ CHỦ TỊCH", symbol="UBND-VP")]
    drafts = [outgoing_draft_pdf(s) for s in specs]
    async with SigningClient(_config(pdf_env)) as client:
        signed = await sign_personal(client, drafts, credential_id=pdf_env.cred("pdf.batch"),
                                     otp=pdf_env.otp("pdf.batch"), signature_png=signature_png("pdf.batch"),
                                     placements=[None, None, None], signer_name="Trần Thị Bình")
    assert len(signed) == 3
    for draft, pdf in zip(drafts, signed, strict=True):
        box = locate_signature_box(draft, signer_name="Trần Thị Bình")
        widget = find_signature_widget(pdf)
        assert box is not None and widget is not None and widget.page == box.page
        assert box.y0 <= widget.y0 < widget.y1 <= box.y1
        report = await verify_pdf(pdf, [pdf_env.ca_pem])
        assert report.all_valid and report.signatures[0].signer_name == "Trần Thị Bình"
    assert find_signature_widget(signed[1]).page == 2  # type: ignore[union-attr]


async def test_appendix_seal_text_top_right(pdf_env: SigningEnv, tmp_path: Path) -> None:
    from fpdf import FPDF

    doc = FPDF()
    doc.add_font("FreeSerif", fname="/usr/share/fonts/opentype/freefont/FreeSerif.otf")
    doc.add_page()
    doc.set_font("FreeSerif", size=14)
    doc.multi_cell(0, 8, "Phụ lục\nDANH MỤC HỒ SƠ CÔNG VIỆC NĂM 2027\n(Kèm theo văn bản số …/…-… ngày … tháng … năm …)")
    appendix = bytes(doc.output())
    async with SigningClient(_config(pdf_env)) as client:
        sealed = await sign_appendix_seal(client, appendix, credential_id=pdf_env.cred(APPENDIX_CODE),
                                          otp=pdf_env.otp(APPENDIX_CODE), number_symbol=NUMBER)
    text = _pdftotext(sealed, tmp_path, "-f", "1", "-l", "1")
    assert NUMBER in text
    assert re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", text), text
    widget = find_signature_widget(sealed)
    assert widget is not None and widget.page == 0
    assert widget.x1 > 595 - 60 and widget.y1 > 842 - 40 and widget.height < 40
    reader = PdfFileReader(io.BytesIO(sealed))
    ap = reader.embedded_signatures[0].sig_field["/AP"]["/N"]
    assert "/XObject" not in ap.get("/Resources", {}) or not any(
        x.get_object().get("/Subtype") == "/Image" for x in ap["/Resources"]["/XObject"].values())
    report = await verify_pdf(sealed, [pdf_env.ca_pem])
    assert report.all_valid and report.signatures[0].signer_name == AGENCY


async def test_missing_signature_box_fails_before_the_otp_is_spent(pdf_env: SigningEnv) -> None:
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("Helvetica", size=12)
    doc.cell(0, 10, "No signer block here")
    bare = bytes(doc.output())
    async with SigningClient(_config(pdf_env)) as client:
        with pytest.raises(SignatureBoxNotFoundError) as info:
            await sign_personal(client, [outgoing_draft_pdf(), bare], credential_id=pdf_env.cred("pdf.batch"),
                                otp="000000", signature_png=signature_png("x"), placements=[None, None])
    assert info.value.document_index == 1 and "chạm" in info.value.user_message
