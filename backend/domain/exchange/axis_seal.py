"""Seal what we send over the axis: the package signature made with the agency's package seal (domain.md §16).

:func:`seal_package` signs an unsigned .edxml package with the sending agency's **package seal** on
the signing server -- the credential of owner ``edxml:<agency code>``. The key never leaves the HSM:
the signing server signs the SHA-256 digest of the canonical ``SignedInfo`` (CSC
``credentials/authorize`` + ``signatures/signHash``), and :mod:`.edxml.signature` builds the
enveloped XML-DSig around it. The package seal is authorised without an OTP (CSC ``authMode``
``implicit``) because the worker signs unattended and retries; it is a key of its own, so the
agency's seal on PDFs (owner = the bare agency code) still needs the clerk's code.

It runs in the outbox job that sends the package, after that job has ended its reads
(:meth:`~.axis_delivery.AxisDelivery.deliver`): no database lock is held while the signing server answers.
"""

from __future__ import annotations

from backend.config.settings import Settings
from backend.domain.certificates.services import signing_client
from backend.domain.exchange.axis_client import AxisTransientError
from backend.domain.exchange.edxml.signature import PendingSignature, prepare
from backend.domain.exchange.edxml.xmlsafe import read_root
from backend.domain.signing.credentials import credential_for, package_seal_owner
from backend.domain.signing.errors import SigningServerUnavailableError

__all__ = ["SealUnavailableError", "seal_package"]

RSA_SHA256_OID, ECDSA_SHA256_OID = "1.2.840.113549.1.1.11", "1.2.840.10045.4.3.2"


class SealUnavailableError(AxisTransientError):
    """The signing server could not be reached: the delivery is retried like an unreachable axis."""


async def seal_package(settings: Settings, organ_id: str, unsigned: bytes) -> bytes:
    """``unsigned`` (from :func:`~.edxml.build.build`) signed with the package seal of agency ``organ_id``.

    Raises:
        SealUnavailableError: the signing server could not be reached (try again later).
        NoCredentialError: the agency has no live package seal.
        SigningServiceError: the signing server refused (seal disabled, revoked, expired certificate …).
        SigningNotConfiguredError: the backend has no signing-server credentials.
    """
    try:
        async with signing_client(settings) as client:
            credential = await credential_for(client, organ_id=package_seal_owner(organ_id))
            info = await client.credential_info(credential)
            chain = [info.signing_cert.dump(), *(c.dump() for c in info.chain)]
            pending: PendingSignature = prepare(read_root(unsigned), chain)
            [value] = await client.sign_digests(credential, [pending.digest],
                                                sign_algo=ECDSA_SHA256_OID if pending.ecdsa else RSA_SHA256_OID)
    except SigningServerUnavailableError as exc:
        raise SealUnavailableError("signHash", str(exc)) from exc
    return pending.finish(value)
