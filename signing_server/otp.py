"""TOTP enrolment and verification for credentials (RFC 6238 via pyotp).

Policy enforced here and in :mod:`signing_server.service`:

* secrets come from ``pyotp.random_base32()`` (160 bits) and are stored encrypted with AES-256-GCM,
  the credential id being the associated data (a ciphertext cannot be moved to another credential);
* 30-second steps by default (``SIGNING_OTP_STEP_SECONDS``; RFC 6238's X), 6 digits, one step of
  clock drift either way;
* every time step is usable once per credential: a code is accepted only for a step strictly after
  the last accepted one (a match on an older step is reported as a replay);
* codes are compared in constant time (``hmac.compare_digest``) against every candidate step.

The failure counter and lockout live in the registry (SoftHSM never locks); this module is pure.
"""

from __future__ import annotations

import enum
import hmac
import io
import os
from dataclasses import dataclass

import pyotp
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "STEP_SECONDS",
    "OtpCheck",
    "OtpCipher",
    "OtpOutcome",
    "new_secret",
    "provisioning_uri",
    "qr_code",
    "verify_totp",
]

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1


class OtpOutcome(enum.StrEnum):
    """Result of checking one OTP."""

    ACCEPTED = "accepted"
    INVALID = "invalid"
    REUSED = "reused"


@dataclass(frozen=True, slots=True)
class OtpCheck:
    """Outcome plus the matched time step (0 when nothing matched)."""

    outcome: OtpOutcome
    step: int


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32()


def verify_totp(secret: str, code: str, now: float, last_step: int, step_seconds: int = STEP_SECONDS) -> OtpCheck:
    """Check *code* against the steps around *now*; refuse steps at or before *last_step*.

    All candidate steps are compared, whatever matched first, so timing does not reveal which one.
    """
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=step_seconds)
    current = int(now // step_seconds)
    supplied = code.strip().encode("ascii", "replace")
    matched = 0
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        expected = totp.generate_otp(step).encode("ascii")
        if hmac.compare_digest(expected, supplied) and matched == 0:
            matched = step
    if matched == 0:
        return OtpCheck(OtpOutcome.INVALID, 0)
    if matched <= last_step:
        return OtpCheck(OtpOutcome.REUSED, matched)
    return OtpCheck(OtpOutcome.ACCEPTED, matched)


def provisioning_uri(secret: str, account: str, issuer: str, step_seconds: int = STEP_SECONDS) -> str:
    """``otpauth://totp/...`` URI for authenticator apps (with ``period`` when the step is not 30 s)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=step_seconds).provisioning_uri(
        name=account, issuer_name=issuer)


def qr_code(uri: str, fmt: str = "svg") -> bytes:
    """Render *uri* as a QR code, ``svg`` (no dependencies) or ``png`` (Pillow)."""
    import qrcode
    import qrcode.image.svg

    buf = io.BytesIO()
    if fmt == "svg":
        qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    elif fmt == "png":
        qrcode.make(uri).save(buf)
    else:
        raise ValueError(f"QR format must be 'svg' or 'png', found {fmt!r}")
    return buf.getvalue()


class OtpCipher:
    """AES-256-GCM encryption of OTP secrets at rest, bound to the credential id."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def encrypt(self, credential_id: str, secret: str) -> bytes:
        """Return ``nonce || ciphertext`` of *secret*."""
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, secret.encode("ascii"), credential_id.encode())

    def decrypt(self, credential_id: str, blob: bytes) -> str:
        """Inverse of :meth:`encrypt`; raises ``cryptography.exceptions.InvalidTag`` if tampered."""
        return self._aead.decrypt(blob[:12], blob[12:], credential_id.encode()).decode("ascii")
