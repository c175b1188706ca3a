"""Which credential of the signing server signs for a person or for an agency's seal.

A person's credential is owned by their username, an agency seal's by the agency identifier code
(mã định danh). Revoked credentials are never chosen.
"""

from __future__ import annotations

from backend.domain.signing.client import SigningClient
from backend.errors import AppError

__all__ = ["NoCredentialError", "credential_for"]


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
