"""The ``/ext/v1`` vendor extension (certificate lifecycle for the backend) and its backend client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from test_signing_negative import authorize, error_of, new_hashes

from backend.domain.signing import (
    CredentialRevokedError,
    CredentialUnknownError,
    SigningClient,
    SigningServiceConfig,
)


def ext(signing: Any, endpoint: str, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token or signing.token()}"}
    return httpx.post(f"{signing.url}/ext/v1/{endpoint}", json=body, headers=headers, timeout=30)


def _config(signing: Any) -> SigningServiceConfig:
    c = signing.client
    return SigningServiceConfig(url=signing.url, client_id=c["client_id"], client_secret=c["client_secret"])


def test_ext_list_requires_the_backend_bearer_token(signing: Any) -> None:
    r = httpx.post(f"{signing.url}/ext/v1/credentials/list", json={})
    assert error_of(r) == (401, "invalid_token")
    r = ext(signing, "credentials/list", {}, token="forged")
    assert error_of(r) == (401, "invalid_token")


def test_ext_list_gives_owner_status_serial_and_validity(signing: Any) -> None:
    r = ext(signing, "credentials/list", {"userIDs": ["sign.rsa"], "agencyIDs": ["000.00.00.T99"]})
    assert r.status_code == 200, r.text
    rows = {row["owner"]: row for row in r.json()["credentials"]}
    assert set(rows) == {"sign.rsa", "000.00.00.T99"}
    user, seal = rows["sign.rsa"], rows["000.00.00.T99"]
    assert user["ownerKind"] == "user" and seal["ownerKind"] == "agency"
    assert user["credentialID"] == signing.cred("sign.rsa") and user["status"] == "active"
    assert user["certStatus"] == "valid" and user["subjectCN"] == "Người ký sign.rsa"
    assert "UID=sign.rsa" in user["subjectDN"] and "Development CA" in user["issuerDN"]
    not_before, not_after = (dt.datetime.fromisoformat(user[k]) for k in ("notBefore", "notAfter"))
    assert not_before < dt.datetime.now(dt.UTC) < not_after
    info = signing.call("credentials/info", {"credentialID": user["credentialID"], "certInfo": True}).json()
    assert int(user["certSerial"], 16) == int(info["cert"]["serialNumber"])
    for secret_field in ("otp_secret_enc", "secret", "key_label", "cert_chain_pem"):
        assert all(secret_field not in row for row in rows.values())


def test_ext_list_filters_expiring_and_rejects_bad_parameters(signing: Any) -> None:
    r = ext(signing, "credentials/list", {"expiringWithinDays": 45})
    owners = {row["owner"]: row for row in r.json()["credentials"]}
    assert "ext.soon" in owners and "neg.expired" in owners and "sign.rsa" not in owners
    assert owners["neg.expired"]["certStatus"] == "expired"
    assert "ext.soon" not in {row["owner"] for row in ext(signing, "credentials/list",
                                                               {"expiringWithinDays": 30}).json()["credentials"]}
    for bad in ({"expiringWithinDays": "30"}, {"userIDs": "sign.rsa"}, {"includeRevoked": 1}):
        assert error_of(ext(signing, "credentials/list", bad)) == (400, "invalid_request")


def test_ext_report_compromised_revokes_at_once_and_is_journaled(signing: Any) -> None:
    owner = "ext.compromised"
    cred = signing.cred(owner)
    token = signing.token()
    assert error_of(ext(signing, "credentials/reportCompromised", {"credentialID": cred}, token)) == (
        400, "invalid_request")  # a reason is required
    r = ext(signing, "credentials/reportCompromised",
            {"credentialID": cred, "reason": "Mất điện thoại", "requestedBy": "lanhdao.xa"}, token)
    assert r.status_code == 200, r.text
    row = r.json()["credential"]
    assert row["status"] == "revoked" and row["certStatus"] == "revoked" and row["revokedAt"]
    assert row["statusReason"].startswith("key_compromise") and "Mất điện thoại" in row["statusReason"]
    assert error_of(authorize(signing, owner, new_hashes(1), token=token)) == (403, "credential_revoked")
    again = ext(signing, "credentials/reportCompromised", {"credentialID": cred, "reason": "x"}, token)
    assert error_of(again) == (403, "credential_revoked")
    assert error_of(ext(signing, "credentials/reportCompromised",
                        {"credentialID": "u-000000000000", "reason": "x"}, token)) == (400, "invalid_credential")
    live = ext(signing, "credentials/list", {"userIDs": [owner]}, token).json()["credentials"]
    history = ext(signing, "credentials/list", {"userIDs": [owner], "includeRevoked": True}, token).json()
    assert live == [] and [c["status"] for c in history["credentials"]] == ["revoked"]
    journal = signing.cli("journal", "--credential-id", cred).stdout.splitlines()
    revoke = [line for line in journal if " revoke " in line]
    assert len(revoke) == 1 and signing.client["client_id"] in revoke[0] and "key_compromise" in revoke[0]
    assert "lanhdao.xa" in revoke[0]
    assert "chain intact" in signing.cli("verify-journal").stdout


async def test_backend_client_lists_reports_and_revokes(signing: Any) -> None:
    async with SigningClient(_config(signing)) as client:
        mine = await client.list_certificates(user_ids=["sign.rsa"], agency_ids=[])
        assert [c.owner for c in mine] == ["sign.rsa"]
        assert mine[0].not_after.tzinfo is not None and mine[0].cert_status == "valid"
        soon = await client.list_certificates(expiring_within_days=45)
        assert "ext.soon" in {c.owner for c in soon}
        revoked = await client.revoke_credential(signing.cred("ext.revoke"), "Chuyển công tác",
                                                 requested_by="quantri.xa")
        assert revoked.status == "revoked" and "Chuyển công tác" in revoked.status_reason
        assert not revoked.status_reason.startswith("key_compromise")
        with pytest.raises(CredentialRevokedError) as info:
            await client.report_compromised(signing.cred("ext.revoke"), "lộ khóa")
        assert info.value.user_message.startswith("Chứng thư số của bạn đã bị thu hồi")
        with pytest.raises(CredentialUnknownError):
            await client.revoke_credential("u-000000000000", "không có")
