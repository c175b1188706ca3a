"""Typed CSC / extension request bodies (signing_server.bodies): decoded at the edge, refused as invalid_request."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import msgspec
import pytest

from signing_server.bodies import (
    AuthorizeBody,
    CredentialInfoBody,
    ExtListBody,
    ListCredentialsBody,
    RevokeBody,
    SignHashBody,
    decode_body,
)
from signing_server.errors import InvalidRequestError

H1 = base64.b64encode(hashlib.sha256(b"one").digest()).decode()
H2 = base64.b64encode(hashlib.sha256(b"two").digest()).decode()


def _json(body: Any) -> bytes:
    return json.dumps(body).encode()


def _refused(body: Any, body_type: type[msgspec.Struct]) -> str:
    with pytest.raises(InvalidRequestError) as caught:
        decode_body(_json(body), body_type)
    assert caught.value.code == "invalid_request" and caught.value.http_status == 400
    return caught.value.description


def test_authorize_body_decodes_csc_member_names_and_ignores_unused_members() -> None:
    body = decode_body(_json({"credentialID": "u-1", "numSignatures": 2, "hash": [H1, H2], "OTP": "123456",
                              "description": "Ký văn bản", "clientData": "x"}), AuthorizeBody)
    assert body == AuthorizeBody(credential_id="u-1", num_signatures=2, hashes=[H1, H2], otp="123456")


@pytest.mark.parametrize(("body", "named"), [
    ({"numSignatures": 1, "hash": [H1], "OTP": "1"}, "credentialID"),
    ({"credentialID": "", "numSignatures": 1, "hash": [H1], "OTP": "1"}, "credentialID"),
    ({"credentialID": "u-1", "numSignatures": "1", "hash": [H1], "OTP": "1"}, "numSignatures"),
    ({"credentialID": "u-1", "numSignatures": True, "hash": [H1], "OTP": "1"}, "numSignatures"),
    ({"credentialID": "u-1", "numSignatures": 0, "hash": [H1], "OTP": "1"}, "numSignatures"),
    ({"credentialID": "u-1", "numSignatures": 1, "hash": [], "OTP": "1"}, "hash"),
    ({"credentialID": "u-1", "numSignatures": 1, "hash": "abc", "OTP": "1"}, "hash"),
    ({"credentialID": "u-1", "numSignatures": 1, "hash": [H1], "OTP": 123456}, "OTP"),
])
def test_authorize_body_names_the_missing_or_mistyped_member(body: dict[str, Any], named: str) -> None:
    assert named in _refused(body, AuthorizeBody)


def test_hashes_must_be_base64_sha256_digests_matching_num_signatures() -> None:
    base = {"credentialID": "u-1", "numSignatures": 1, "OTP": "123456"}
    assert "not base64" in _refused({**base, "hash": ["not base64!"]}, AuthorizeBody)
    short = base64.b64encode(b"too short").decode()
    assert "9 bytes" in _refused({**base, "hash": [short]}, AuthorizeBody)
    assert "numSignatures is 1 but 2 hashes" in _refused({**base, "hash": [H1, H2]}, AuthorizeBody)
    assert "not base64" in _refused({"credentialID": "u-1", "SAD": "s", "hash": [H1, "%%"], "signAlgo": "1.2"},
                                    SignHashBody)


def test_sign_hash_body_has_an_optional_hash_algorithm() -> None:
    body = decode_body(_json({"credentialID": "u-1", "SAD": "s", "hash": [H1], "signAlgo": "1.2"}), SignHashBody)
    assert body.hash_algo == "" and body.sign_algo == "1.2" and body.hashes == [H1]
    assert "SAD" in _refused({"credentialID": "u-1", "hash": [H1], "signAlgo": "1.2"}, SignHashBody)


def test_empty_body_means_defaults_and_non_objects_or_bad_json_are_refused() -> None:
    assert decode_body(b"  ", ListCredentialsBody) == ListCredentialsBody(user_id=None, max_results=1000)
    assert decode_body(b"", ExtListBody) == ExtListBody()
    assert "object" in _refused([1, 2], ListCredentialsBody)
    with pytest.raises(InvalidRequestError, match="not valid JSON"):
        decode_body(b"{nope", ListCredentialsBody)
    assert "maxResults" in _refused({"maxResults": 0}, ListCredentialsBody)


def test_credential_info_body_limits_the_certificates_choice() -> None:
    body = decode_body(_json({"credentialID": "u-1", "certificates": "chain", "certInfo": True}), CredentialInfoBody)
    assert (body.certificates, body.cert_info) == ("chain", True)
    assert "certificates" in _refused({"credentialID": "u-1", "certificates": "all"}, CredentialInfoBody)


def test_ext_list_body_checks_types_and_ranges() -> None:
    body = decode_body(_json({"userIDs": ["a"], "includeRevoked": True, "expiringWithinDays": 30}), ExtListBody)
    assert (body.user_ids, body.agency_ids, body.include_revoked, body.expiring_within_days) == (
        ["a"], None, True, 30)
    for bad, named in (({"expiringWithinDays": "30"}, "expiringWithinDays"),
                       ({"expiringWithinDays": 3661}, "expiringWithinDays"),
                       ({"userIDs": "a"}, "userIDs"), ({"agencyIDs": [1]}, "agencyIDs"),
                       ({"includeRevoked": 1}, "includeRevoked"),
                       ({"userIDs": ["u"] * 10001}, "userIDs")):
        assert named in _refused(bad, ExtListBody)


def test_revoke_body_needs_a_real_reason_and_bounds_its_lengths() -> None:
    body = decode_body(_json({"credentialID": "u-1", "reason": "Mất điện thoại", "requestedBy": "vt.xa"}),
                       RevokeBody)
    assert (body.reason, body.requested_by) == ("Mất điện thoại", "vt.xa")
    assert "reason" in _refused({"credentialID": "u-1"}, RevokeBody)
    assert "reason must not be empty" in _refused({"credentialID": "u-1", "reason": "   "}, RevokeBody)
    assert "reason" in _refused({"credentialID": "u-1", "reason": "x" * 501}, RevokeBody)
    assert "requestedBy" in _refused({"credentialID": "u-1", "reason": "r", "requestedBy": "x" * 101}, RevokeBody)
