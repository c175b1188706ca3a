"""Vendor extension of the signing server for the CongVan backend (NOT part of the CSC API).

The CSC API has no certificate-lifecycle methods, yet the Điện Biên regulation (domain.md §22) wants
each person's and agency's certificates visible with their expiry, a reminder before expiry,
revocation, and a "report compromised key" action that disables the key at once. These routes give
the backend exactly that, under ``/ext/v1`` so they can never be mistaken for CSC methods:

* ``POST /ext/v1/credentials/list`` -- registry rows with owner, status, certificate serial and
  validity; filters ``userIDs`` / ``agencyIDs`` (owners), ``includeRevoked``, ``expiringWithinDays``;
* ``POST /ext/v1/credentials/reportCompromised`` -- ``credentialID`` + ``reason`` (+ ``requestedBy``):
  revoked at once with reason ``key_compromise``, the HSM key destroyed;
* ``POST /ext/v1/credentials/revoke`` -- same body: revoked by an administrator.

Authentication is the backend's CSC bearer token (``auth/login``); errors use the CSC JSON shape and
codes of :mod:`signing_server.errors`. State changes are journaled with the calling client id as
``caller`` and the person the backend names in ``requestedBy`` in the detail; listing is not
journaled (it reveals no secret and is called on every page view).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography.x509.oid import NameOID
from litestar import Controller, Request, post

from signing_server.bodies import ExtListBody, RevokeBody
from signing_server.ca import load_pem_chain
from signing_server.credentials import CredentialManager
from signing_server.csc import authed
from signing_server.errors import CredentialRevokedError, UnknownCredentialError
from signing_server.service import SigningService
from signing_server.store import Credential

__all__ = ["ExtController", "credential_record", "list_credentials", "revoke_credential"]

def _cert_status(cred: Credential, now: str) -> str:
    if cred.status == "revoked":
        return "revoked"
    if now > cred.not_after:
        return "expired"
    if now < cred.not_before:
        return "not_yet_valid"
    return "valid"


def credential_record(cred: Credential, now: str | None = None) -> dict[str, Any]:
    """The JSON shape of one credential in the extension's answers (no key material, no OTP data)."""
    now = now or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    leaf = load_pem_chain(cred.cert_chain_pem)[0]
    cns = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return {
        "credentialID": cred.id, "ownerKind": cred.owner_kind, "owner": cred.owner,
        "displayName": cred.display_name, "agency": cred.agency, "algo": cred.algo,
        "status": cred.status, "statusReason": cred.status_reason,
        "certSerial": cred.cert_serial, "certStatus": _cert_status(cred, now),
        "subjectDN": leaf.subject.rfc4514_string(), "subjectCN": str(cns[0].value) if cns else cred.display_name,
        "issuerDN": leaf.issuer.rfc4514_string(),
        "notBefore": cred.not_before, "notAfter": cred.not_after,
        "revokedAt": cred.revoked_at, "lastUsedAt": cred.last_used_at,
    }


def list_credentials(service: SigningService, body: ExtListBody) -> dict[str, Any]:
    """``ext/v1/credentials/list``: registry rows, filtered by owners, revocation and expiry."""
    users, agencies, within = body.user_ids, body.agency_ids, body.expiring_within_days
    now = dt.datetime.now(dt.UTC)
    limit = (now + dt.timedelta(days=within)).isoformat(timespec="seconds") if within is not None else None
    wanted: set[tuple[str, str]] | None = None
    if users is not None or agencies is not None:
        wanted = {("user", u) for u in users or []} | {("agency", a) for a in agencies or []}
    now_iso = now.isoformat(timespec="seconds")
    rows = []
    for cred in service.store.list(include_revoked=body.include_revoked):
        if wanted is not None and (cred.owner_kind, cred.owner) not in wanted:
            continue
        if limit is not None and (cred.status == "revoked" or cred.not_after > limit):
            continue
        rows.append(credential_record(cred, now_iso))
    return {"credentials": rows}


def revoke_credential(service: SigningService, client_id: str, body: RevokeBody,
                      compromised: bool) -> dict[str, Any]:
    """Revoke at once (``reportCompromised``: reason ``key_compromise``); journaled as *client_id*."""
    cred_id, reason, requested_by = body.credential_id, body.reason, body.requested_by
    cred = service.store.get(cred_id)
    if cred is None:
        raise UnknownCredentialError(f"invalid parameter credentialID: no credential {cred_id!r}")
    if cred.status == "revoked":
        raise CredentialRevokedError(f"credential {cred.id} is already revoked ({cred.status_reason})")
    note = " ".join(reason.split()) + (f" (by {requested_by})" if requested_by else "")
    manager = CredentialManager(service.settings, service.store, service.hsm, service.journal)
    if compromised:
        fresh = manager.report_compromised(cred_id, note, caller=client_id)
    else:
        fresh = manager.revoke(cred_id, f"revoked: {note}", caller=client_id)
    return {"credential": credential_record(fresh)}


class ExtController(Controller):
    """The ``/ext/v1`` vendor extension (bearer token of ``/csc/v1/auth/login``)."""

    path = "/ext/v1"

    @post("/credentials/list", status_code=200)
    async def credentials_list(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """Credentials with owner, status, certificate serial and validity."""
        return await authed(request, ExtListBody, lambda s, _c, b: list_credentials(s, b))

    @post("/credentials/reportCompromised", status_code=200)
    async def report_compromised(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """Suspected key compromise: revoke at once (reason ``key_compromise``)."""
        return await authed(request, RevokeBody, lambda s, c, b: revoke_credential(s, c, b, compromised=True))

    @post("/credentials/revoke", status_code=200)
    async def revoke(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """Administrator revocation."""
        return await authed(request, RevokeBody, lambda s, c, b: revoke_credential(s, c, b, compromised=False))
