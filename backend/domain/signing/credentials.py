"""Which credential of the signing server signs for a person or for an agency's seal.

A person's credential is owned by their username, an agency seal's by the agency identifier code
(mã định danh), an agency's package seal (the unattended key that signs its edXML packages) by
:data:`PACKAGE_SEAL_PREFIX` + that code. Revoked credentials are never chosen.
"""

from __future__ import annotations

from backend.domain.signing.client import SigningClient
from backend.errors import AppError

__all__ = ["PACKAGE_SEAL_PREFIX", "NoCredentialError", "credential_for", "package_seal_owner"]

PACKAGE_SEAL_PREFIX = "edxml:"
"""Owner prefix of an agency's package seal on the signing server (``edxml:<agency code>``)."""


def package_seal_owner(organ_id: str) -> str:
    """The signing server's owner of the package seal of agency ``organ_id``."""
    return PACKAGE_SEAL_PREFIX + organ_id


class NoCredentialError(AppError):
    """The signer or the agency has no live credential on the signing server."""

    code = "OUT_NO_CREDENTIAL"
    status_code = 422
    message_key = "outgoing.sign.no_credential"


async def credential_for(client: SigningClient, *, username: str | None = None, organ_id: str | None = None) -> str:
    """The live credential id of a person or an agency seal.

    Raises:
        NoCredentialError: none on the signing server (or only revoked ones).
    """
    records = await client.list_certificates(user_ids=[username] if username else [],
                                             agency_ids=[organ_id] if organ_id else [])
    owner = username or organ_id
    live = [r for r in records if r.owner == owner and r.status != "revoked"]
    if not live:
        raise NoCredentialError()
    return live[0].credential_id
