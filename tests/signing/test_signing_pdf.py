"""Sign → verify round trips through the running server with pyHanko's stock CSCSigner."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from asn1crypto import pem, x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


class _TestOtpManager(CSCAuthorizationManager):
    """The smallest authorization manager: one OTP, hashes pinned (SCAL 2)."""

    def __init__(self, info, cred, http: aiohttp.ClientSession, otp: str) -> None:
        super().__init__(info, cred)
        self.http, self.otp = http, otp

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        req = self.format_csc_auth_request(otp=self.otp, hash_b64s=hash_b64s)
        async with self.http.post(self.csc_session_info.endpoint_url("credentials/authorize"), json=req,
                                  headers=self.auth_headers) as r:
            body = await r.json()
            assert r.status == 200, body
        return self.parse_csc_auth_response(body)


async def _validate(signed: bytes, ca_pem: bytes) -> None:
    _, _, der = pem.unarmor(ca_pem)
    vc = ValidationContext(trust_roots=[x509.Certificate.load(der)])
    sig = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    status = await async_validate_pdf_signature(sig, vc)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.bottom_line


def _pdfsig(path: Path, nss_db: str) -> str:
    out = subprocess.run(["pdfsig", "-nssdir", nss_db, str(path)], capture_output=True, text=True, check=False)
    return out.stdout + out.stderr


@pytest.mark.parametrize("owner", ["sign.rsa", "000.00.00.T99"], ids=["rsa2048", "p256-agency-seal"])
async def test_stock_csc_signer_pdf_is_valid_in_pyhanko_and_pdfsig(
        signing: Any, nss_db: str, sample_pdf: bytes, owner: str, tmp_path: Path) -> None:
    info = CSCServiceSessionInfo(service_url=signing.url, credential_id=signing.cred(owner),
                                 oauth_token=signing.token())
    async with aiohttp.ClientSession() as http:
        cred_info = await fetch_certs_in_csc_credential(http, info)
        assert cred_info.hash_pinning_required and cred_info.max_batch_size >= 1
        signer = CSCSigner(http, auth_manager=_TestOtpManager(info, cred_info, http, signing.otp(owner)))
        meta = signers.PdfSignatureMetadata(field_name="Signature1", md_algorithm="sha256",
                                            subfilter=fields.SigSeedSubFilter.PADES, reason="Phê duyệt",
                                            location="Thử Nghiệm")
        out = await signers.PdfSigner(meta, signer=signer).async_sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(sample_pdf)))
    signed = out.getvalue()
    await _validate(signed, signing.ca_pem)
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    report = _pdfsig(path, nss_db)
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Certificate Validation: Certificate is Trusted." in report, report
    assert "ETSI.CAdES.detached" in report

    tampered = bytearray(signed)
    pos = tampered.find(b"/Producer")
    tampered[pos + 1] = ord("p")  # an edit inside the signed byte range
    path.write_bytes(bytes(tampered))
    assert "Signature is Valid." not in _pdfsig(path, nss_db)


async def test_credentials_info_has_csc_fields(signing: Any) -> None:
    rsa = signing.call("credentials/info", {"credentialID": signing.cred("sign.rsa"), "certificates": "chain",
                                            "certInfo": True}).json()
    assert rsa["key"]["algo"] == ["1.2.840.113549.1.1.11"] and rsa["key"]["len"] == 2048
    assert rsa["SCAL"] == "2" and rsa["authMode"] == "explicit" and isinstance(rsa["multisign"], int)
    assert rsa["OTP"]["presence"] == "true" and rsa["OTP"]["format"] == "N"
    assert len(rsa["cert"]["certificates"]) == 2 and rsa["cert"]["status"] == "valid"
    assert rsa["cert"]["validTo"].endswith("Z")
    ec = signing.call("credentials/info", {"credentialID": signing.cred("000.00.00.T99")}).json()
    assert ec["key"]["algo"] == ["1.2.840.10045.4.3.2"] and len(ec["cert"]["certificates"]) == 1
    listed = signing.call("credentials/list", {"userID": "000.00.00.T99"}).json()
    assert listed == {"credentialIDs": [signing.cred("000.00.00.T99")]}
