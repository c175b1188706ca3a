"""Typed errors of the signing client, with stable codes and Vietnamese messages for users.

Every failure of a remote signature surfaces as a :class:`SigningServiceError` subclass (never as
pyHanko's generic "No signing results available"). Each class fixes:

* ``code`` -- stable identifier for logs, tests and the backend's error mapping (``SIGN_*``);
* ``message_key`` -- the catalogue key of what the signer reads (``backend/locale/vi/signing.json``),
  available as the ``user_message`` property;
* the instance's ``detail`` -- English context for logs (server error code and description, HTTP
  status); it never contains the OTP, the SAD or the access token.

The classes derive from :class:`pyhanko.sign.general.SigningError`, so raising one inside pyHanko's
signing pipeline (the authorization manager) keeps pyHanko's own error contract.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pyhanko.sign.general import SigningError

from backend.lib.i18n import t

__all__ = [
    "AuthorizationRejectedError",
    "CertificateExpiredError",
    "ClientNotAuthorizedError",
    "CredentialDisabledError",
    "CredentialLockedError",
    "CredentialRevokedError",
    "CredentialUnknownError",
    "OtpInvalidError",
    "OtpReusedError",
    "SigningFailedError",
    "SigningServerUnavailableError",
    "SigningServiceError",
    "error_for_server_code",
    "error_from_body",
]


class SigningServiceError(SigningError):
    """Base class: a signature through the signing server did not happen."""

    code: ClassVar[str] = "SIGN_FAILED"
    message_key: ClassVar[str] = "signing.failed"
    user_mistake: ClassVar[bool] = False
    """An ordinary mistake of the signer (a mistyped code): logged at INFO, never as an error."""

    def __init__(self, detail: str, *, server_code: str | None = None, http_status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.server_code = server_code
        self.http_status = http_status

    @property
    def user_message(self) -> str:
        """The Vietnamese message for the signer."""
        return t(self.message_key)

    def __str__(self) -> str:
        extra = f" [server: {self.server_code}, HTTP {self.http_status}]" if self.server_code else ""
        return f"{self.code}: {self.detail}{extra}"


class SigningFailedError(SigningServiceError):
    """Unexpected answer or failure (protocol error, HSM failure, unsupported algorithm)."""


class OtpInvalidError(SigningServiceError):
    """The OTP the user typed is wrong (server code ``invalid_otp``).

    ``remaining_attempts`` is what the signing server reports (wrong codes left before the credential
    locks); the message then says how many tries remain.
    """

    code = "SIGN_OTP_INVALID"
    message_key = "signing.otp_invalid"
    user_mistake = True
    remaining_attempts: int | None = None

    @property
    def user_message(self) -> str:
        if self.remaining_attempts is None:
            return t(self.message_key)
        if self.remaining_attempts <= 0:
            return t("signing.otp_invalid_locked")
        return t("signing.otp_invalid_remaining", remaining=self.remaining_attempts)


class OtpReusedError(SigningServiceError):
    """The OTP was already used for an earlier signature (server code ``otp_reused``)."""

    code = "SIGN_OTP_REUSED"
    message_key = "signing.otp_reused"
    user_mistake = True


class CredentialLockedError(SigningServiceError):
    """Too many wrong OTPs; an administrator must unlock (server code ``credential_locked``)."""

    code = "SIGN_CREDENTIAL_LOCKED"
    message_key = "signing.credential_locked"


class CredentialDisabledError(SigningServiceError):
    """The credential was disabled by an administrator (server code ``credential_disabled``)."""

    code = "SIGN_CREDENTIAL_DISABLED"
    message_key = "signing.credential_disabled"


class CredentialRevokedError(SigningServiceError):
    """The certificate was revoked, e.g. after a reported compromise (``credential_revoked``)."""

    code = "SIGN_CREDENTIAL_REVOKED"
    message_key = "signing.credential_revoked"


class CertificateExpiredError(SigningServiceError):
    """The certificate is expired or not yet valid (``certificate_expired`` / ``..._not_yet_valid``)."""

    code = "SIGN_CERTIFICATE_EXPIRED"
    message_key = "signing.certificate_expired"


class CredentialUnknownError(SigningServiceError):
    """The signing server has no such credential (server code ``invalid_credential``)."""

    code = "SIGN_CREDENTIAL_UNKNOWN"
    message_key = "signing.credential_unknown"


class AuthorizationRejectedError(SigningServiceError):
    """The SAD was refused at signHash (expired, reused, other hashes, too many hashes)."""

    code = "SIGN_AUTHORIZATION_REJECTED"
    message_key = "signing.authorization_rejected"


class ClientNotAuthorizedError(SigningServiceError):
    """The backend's client id/secret or access token was refused (``invalid_client``/``invalid_token``)."""

    code = "SIGN_CLIENT_REJECTED"
    message_key = "signing.client_rejected"


class SigningServerUnavailableError(SigningServiceError):
    """The signing server could not be reached (connection refused, timeout, 5xx)."""

    code = "SIGN_SERVER_UNAVAILABLE"
    message_key = "signing.server_unavailable"


_BY_SERVER_CODE: dict[str, type[SigningServiceError]] = {
    "invalid_otp": OtpInvalidError,
    "otp_reused": OtpReusedError,
    "credential_locked": CredentialLockedError,
    "credential_disabled": CredentialDisabledError,
    "credential_revoked": CredentialRevokedError,
    "certificate_expired": CertificateExpiredError,
    "certificate_not_yet_valid": CertificateExpiredError,
    "invalid_credential": CredentialUnknownError,
    "invalid_sad": AuthorizationRejectedError,
    "expired_sad": AuthorizationRejectedError,
    "sad_already_used": AuthorizationRejectedError,
    "hash_mismatch": AuthorizationRejectedError,
    "too_many_hashes": AuthorizationRejectedError,
    "invalid_client": ClientNotAuthorizedError,
    "invalid_token": ClientNotAuthorizedError,
    "hsm_unavailable": SigningServerUnavailableError,
}


def error_for_server_code(server_code: str, description: str, http_status: int) -> SigningServiceError:
    """Build the typed error for a CSC error body ``{"error": server_code, "error_description": ...}``."""
    cls = _BY_SERVER_CODE.get(server_code)
    if cls is None:
        cls = SigningServerUnavailableError if http_status >= 500 else SigningFailedError
    return cls(description or server_code, server_code=server_code, http_status=http_status)


def error_from_body(body: Any, http_status: int) -> SigningServiceError:
    """The typed error for a parsed CSC error body (with the ``remaining_attempts`` extension of a wrong OTP).

    Raises:
        AttributeError: when ``body`` is not a JSON object.
    """
    error = error_for_server_code(str(body.get("error", "")), str(body.get("error_description", "")), http_status)
    remaining = body.get("remaining_attempts")
    if isinstance(error, OtpInvalidError) and isinstance(remaining, int) and not isinstance(remaining, bool):
        error.remaining_attempts = remaining
    return error
