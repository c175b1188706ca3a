"""Error tree of the signing server, with stable CSC-style error codes.

Every refusal the server can produce is a subclass of :class:`SigningServerError`. Each class fixes
two things that clients rely on and that must therefore never change once released:

* ``code`` -- the value of the ``error`` member of the CSC JSON error body
  (``{"error": code, "error_description": text}``, CSC API v1 §10);
* ``http_status`` -- the HTTP status the error is sent with.

The description is free English text for operators; it states what was expected and what was found.
It never contains an OTP, a SAD, an access token or a PIN.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "ERROR_CODES",
    "AccessTokenError",
    "AlgorithmNotSupportedError",
    "CertificateExpiredError",
    "CertificateNotYetValidError",
    "ClientAuthenticationError",
    "ConfigurationError",
    "CredentialDisabledError",
    "CredentialLockedError",
    "CredentialRevokedError",
    "HashMismatchError",
    "HsmError",
    "InvalidRequestError",
    "OtpInvalidError",
    "OtpReusedError",
    "SadExpiredError",
    "SadInvalidError",
    "SadUsedError",
    "SigningServerError",
    "TooManyHashesError",
    "UnknownCredentialError",
]


class SigningServerError(Exception):
    """Base of every error the signing server reports to a caller or an operator."""

    code: ClassVar[str] = "server_error"
    http_status: ClassVar[int] = 500

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description

    def to_json(self) -> dict[str, Any]:
        """Return the CSC error body for this error."""
        return {"error": self.code, "error_description": self.description}


class ConfigurationError(SigningServerError):
    """Settings are missing or inconsistent; raised at startup with a hint on how to fix them."""

    code = "configuration_error"


class InvalidRequestError(SigningServerError):
    """The request body is malformed: a parameter is missing, of the wrong type or out of range."""

    code = "invalid_request"
    http_status = 400


class ClientAuthenticationError(SigningServerError):
    """``auth/login`` got a wrong or missing client id / secret."""

    code = "invalid_client"
    http_status = 401


class AccessTokenError(SigningServerError):
    """The bearer access token is missing, unknown or expired."""

    code = "invalid_token"
    http_status = 401


class UnknownCredentialError(SigningServerError):
    """No credential has the requested ``credentialID``."""

    code = "invalid_credential"
    http_status = 400


class CredentialDisabledError(SigningServerError):
    """An administrator disabled the credential (or the key was reported compromised)."""

    code = "credential_disabled"
    http_status = 403


class CredentialLockedError(SigningServerError):
    """Too many consecutive wrong OTPs; only an administrator can unlock the credential."""

    code = "credential_locked"
    http_status = 403


class CredentialRevokedError(SigningServerError):
    """The credential's certificate was revoked; the credential can never sign again."""

    code = "credential_revoked"
    http_status = 403


class CertificateExpiredError(SigningServerError):
    """The credential's certificate is past its ``notAfter``."""

    code = "certificate_expired"
    http_status = 403


class CertificateNotYetValidError(SigningServerError):
    """The credential's certificate is before its ``notBefore``."""

    code = "certificate_not_yet_valid"
    http_status = 403


class OtpInvalidError(SigningServerError):
    """The OTP does not match any acceptable time step.

    The body also carries ``remaining_attempts`` (wrong codes left before the credential locks), so
    the signer can be told how careful to be; it is a CSC-compatible extension of the error body.
    """

    code = "invalid_otp"
    http_status = 400

    def __init__(self, description: str, remaining_attempts: int | None = None) -> None:
        super().__init__(description)
        self.remaining_attempts = remaining_attempts

    def to_json(self) -> dict[str, Any]:
        body = super().to_json()
        if self.remaining_attempts is not None:
            body["remaining_attempts"] = self.remaining_attempts
        return body


class OtpReusedError(SigningServerError):
    """The OTP matches a time step that was already used for this credential (replay)."""

    code = "otp_reused"
    http_status = 400


class SadInvalidError(SigningServerError):
    """The SAD is unknown, malformed, or belongs to another credential or caller."""

    code = "invalid_sad"
    http_status = 400


class SadExpiredError(SigningServerError):
    """The SAD was valid but its lifetime is over."""

    code = "expired_sad"
    http_status = 400


class SadUsedError(SigningServerError):
    """The SAD was already consumed by an earlier ``signatures/signHash`` call."""

    code = "sad_already_used"
    http_status = 400


class HashMismatchError(SigningServerError):
    """A hash sent to ``signHash`` is not one the SAD was authorised for."""

    code = "hash_mismatch"
    http_status = 400


class TooManyHashesError(SigningServerError):
    """More hashes were sent (or requested) than authorised / allowed."""

    code = "too_many_hashes"
    http_status = 400


class AlgorithmNotSupportedError(SigningServerError):
    """``hashAlgo`` / ``signAlgo`` do not fit the credential's key."""

    code = "unsupported_algorithm"
    http_status = 400


class HsmError(SigningServerError):
    """The PKCS#11 token failed or is unreachable."""

    code = "hsm_unavailable"
    http_status = 503


def _all_codes() -> dict[str, type[SigningServerError]]:
    found: dict[str, type[SigningServerError]] = {}
    pending: list[type[SigningServerError]] = [SigningServerError]
    while pending:
        cls = pending.pop()
        found[cls.code] = cls
        pending.extend(cls.__subclasses__())
    return found


ERROR_CODES: dict[str, type[SigningServerError]] = _all_codes()
"""Every stable error code mapped to its class (used by docs and tests)."""
