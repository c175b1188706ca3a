"""PDF side of remote signing: pyHanko ``CSCSigner`` against the CongVan signing server.

Public API::

    config = SigningServiceConfig(url=SIGNING_URL, client_id=..., client_secret=...)
    async with SigningClient(config) as client:
        signed = await client.sign_pdf(pdf_bytes, credential_id=cred_id, otp=typed_code, reason="...")

Failures raise a :class:`SigningServiceError` subclass with a stable ``code`` and a Vietnamese
``user_message`` (see :mod:`backend.domain.signing.errors`).
"""

from backend.domain.signing.client import (
    CertificateRecord,
    OtpAuthorizationManager,
    SigningClient,
    SigningServiceConfig,
    sign_pdf,
)
from backend.domain.signing.errors import (
    AuthorizationRejectedError,
    CertificateExpiredError,
    ClientNotAuthorizedError,
    CredentialDisabledError,
    CredentialLockedError,
    CredentialRevokedError,
    CredentialUnknownError,
    OtpInvalidError,
    OtpReusedError,
    SigningFailedError,
    SigningServerUnavailableError,
    SigningServiceError,
    error_for_server_code,
)

__all__ = [
    "AuthorizationRejectedError",
    "CertificateExpiredError",
    "CertificateRecord",
    "ClientNotAuthorizedError",
    "CredentialDisabledError",
    "CredentialLockedError",
    "CredentialRevokedError",
    "CredentialUnknownError",
    "OtpAuthorizationManager",
    "OtpInvalidError",
    "OtpReusedError",
    "SigningClient",
    "SigningFailedError",
    "SigningServerUnavailableError",
    "SigningServiceConfig",
    "SigningServiceError",
    "error_for_server_code",
    "sign_pdf",
]
