"""The backend's signing client against the real server: typed errors with Vietnamese messages."""

from __future__ import annotations

import io
from typing import Any

import pytest
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from backend.domain.signing import (
    ClientNotAuthorizedError,
    CredentialDisabledError,
    CredentialLockedError,
    CredentialUnknownError,
    OtpInvalidError,
    OtpReusedError,
    SigningClient,
    SigningServerUnavailableError,
    SigningServiceConfig,
    SigningServiceError,
    sign_pdf,
)
from tests.support.signing import MAX_FAILURES, free_port


def _config(signing: Any, **overrides: str) -> SigningServiceConfig:
    c = signing.client
    return SigningServiceConfig(url=overrides.get("url", signing.url), client_id=c["client_id"],
                                client_secret=overrides.get("client_secret", c["client_secret"]))


def _assert_typed(exc: SigningServiceError, cls: type[SigningServiceError], code: str, message_start: str) -> None:
    assert type(exc) is cls
    assert exc.code == code
    assert exc.user_message.startswith(message_start)
    assert "No signing results available" not in str(exc)


async def test_client_signs_batch_of_pdfs_with_one_otp(signing: Any, sample_pdf: bytes) -> None:
    owner = "batch.pdf"
    async with SigningClient(_config(signing)) as client:
        signed = await client.sign_pdfs([sample_pdf] * 3, credential_id=signing.cred(owner), otp=signing.otp(owner),
                                        reason="Phê duyệt")
    _, _, der = pem.unarmor(signing.ca_pem)
    vc = ValidationContext(trust_roots=[x509.Certificate.load(der)])
    for pdf in signed:
        status = await async_validate_pdf_signature(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0], vc)
        assert status.bottom_line, status.pretty_print_details()
    journal = signing.cli("journal", "--credential-id", signing.cred(owner)).stdout.splitlines()
    ok = [line for line in journal if " ok " in line and ("authorize" in line or "signHash" in line)]
    assert len(ok) == 2 and all("3 hash(es)" in line for line in ok)


async def test_client_wrong_otp_raises_otp_invalid(signing: Any, sample_pdf: bytes) -> None:
    owner = "client.wrong"
    with pytest.raises(OtpInvalidError) as info:
        await sign_pdf(_config(signing), sample_pdf, credential_id=signing.cred(owner),
                       otp=signing.wrong_otp(owner))
    _assert_typed(info.value, OtpInvalidError, "SIGN_OTP_INVALID", "Mã OTP không đúng")
    assert info.value.server_code == "invalid_otp" and info.value.http_status == 400


async def test_client_reused_otp_raises_otp_reused(signing: Any, sample_pdf: bytes) -> None:
    owner = "client.reuse"
    otp = signing.otp(owner)
    async with SigningClient(_config(signing)) as client:
        await client.sign_pdf(sample_pdf, credential_id=signing.cred(owner), otp=otp)
        with pytest.raises(OtpReusedError) as info:
            await client.sign_pdf(sample_pdf, credential_id=signing.cred(owner), otp=otp)
    _assert_typed(info.value, OtpReusedError, "SIGN_OTP_REUSED", "Mã OTP này đã được dùng")


async def test_client_locked_credential_raises_credential_locked(signing: Any, sample_pdf: bytes) -> None:
    owner = "client.locked"
    async with SigningClient(_config(signing)) as client:
        for _ in range(MAX_FAILURES):
            with pytest.raises(OtpInvalidError):
                await client.sign_pdf(sample_pdf, credential_id=signing.cred(owner), otp=signing.wrong_otp(owner))
        with pytest.raises(CredentialLockedError) as info:
            await client.sign_pdf(sample_pdf, credential_id=signing.cred(owner), otp=signing.otp(owner))
    _assert_typed(info.value, CredentialLockedError, "SIGN_CREDENTIAL_LOCKED", "Khóa ký số của bạn đã bị tạm khóa")


async def test_client_disabled_and_unknown_credentials_raise_typed_errors(signing: Any, sample_pdf: bytes) -> None:
    owner = "client.disabled"
    signing.cli("disable", signing.cred(owner))
    async with SigningClient(_config(signing)) as client:
        with pytest.raises(CredentialDisabledError) as info:
            await client.sign_pdf(sample_pdf, credential_id=signing.cred(owner), otp=signing.otp(owner))
        _assert_typed(info.value, CredentialDisabledError, "SIGN_CREDENTIAL_DISABLED", "Khóa ký số của bạn đang bị")
        with pytest.raises(CredentialUnknownError):
            await client.sign_pdf(sample_pdf, credential_id="u-000000000000", otp="123456")


async def test_client_unreachable_server_raises_server_unavailable(signing: Any, sample_pdf: bytes) -> None:
    config = _config(signing, url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(SigningServerUnavailableError) as info:
        await sign_pdf(config, sample_pdf, credential_id=signing.cred("client.wrong"), otp="123456")
    _assert_typed(info.value, SigningServerUnavailableError, "SIGN_SERVER_UNAVAILABLE",
                  "Không kết nối được máy chủ ký số")


async def test_client_wrong_client_secret_raises_client_rejected(signing: Any, sample_pdf: bytes) -> None:
    with pytest.raises(ClientNotAuthorizedError) as info:
        await sign_pdf(_config(signing, client_secret="nope"), sample_pdf,
                       credential_id=signing.cred("client.wrong"), otp="123456")
    assert info.value.code == "SIGN_CLIENT_REJECTED" and info.value.server_code == "invalid_client"
