"""Every refusal of the CSC API, each asserted by its exact error code and HTTP status."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from tests.support.signing import ServerProcess, free_port


def new_hashes(n: int) -> list[str]:
    return [base64.b64encode(hashlib.sha256(os.urandom(16)).digest()).decode() for _ in range(n)]


def error_of(resp: httpx.Response) -> tuple[int, str]:
    body = resp.json()
    extension = {"remaining_attempts"} if body.get("error") == "invalid_otp" else set()  # tries left
    assert set(body) == {"error", "error_description"} | extension, body
    return resp.status_code, body["error"]


def authorize(signing: Any, owner: str, hashes_: list[str], otp: str | None = None,
              token: str | None = None, url: str | None = None) -> httpx.Response:
    body = {"credentialID": signing.cred(owner), "numSignatures": len(hashes_), "hash": hashes_,
            "OTP": otp or signing.otp(owner)}
    return signing.call("credentials/authorize", body, token=token, url=url)


def sign_hash(signing: Any, owner: str, sad: str, hashes_: list[str], algo: str = "1.2.840.10045.4.3.2",
              token: str | None = None, url: str | None = None) -> httpx.Response:
    body = {"credentialID": signing.cred(owner), "SAD": sad, "hash": hashes_,
            "hashAlgo": "2.16.840.1.101.3.4.2.1", "signAlgo": algo}
    return signing.call("signatures/signHash", body, token=token, url=url)


def test_csc_wrong_otp_is_refused_with_invalid_otp(signing: Any) -> None:
    r = authorize(signing, "neg.wrong", new_hashes(1), otp=signing.wrong_otp("neg.wrong"))
    assert error_of(r) == (400, "invalid_otp")
    assert "1 of 3 failures" in r.json()["error_description"]
    assert r.json()["remaining_attempts"] == 2


def test_csc_reused_otp_is_refused_with_otp_reused(signing: Any) -> None:
    otp = signing.otp("neg.reuse")
    assert authorize(signing, "neg.reuse", new_hashes(1), otp=otp).status_code == 200
    assert error_of(authorize(signing, "neg.reuse", new_hashes(1), otp=otp)) == (400, "otp_reused")


@pytest.fixture
def short_ttl_server(signing: Any) -> Iterator[ServerProcess]:
    """A second server process on the same data dir with SIGNING_SAD_TTL_SECONDS=1."""
    env = dict(signing.env, SIGNING_SAD_TTL_SECONDS="1", SIGNING_PORT=str(free_port()),
               SIGNING_CLOCK_OFFSET_FILE=str(signing.data_dir.parent / "clock-offset-ttl"))
    server = ServerProcess(env=env, log_path=signing.data_dir.parent / "server-ttl.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_csc_expired_sad_is_refused_with_expired_sad(signing: Any, short_ttl_server: ServerProcess) -> None:
    url = short_ttl_server.url
    token = signing.token(url)
    h = new_hashes(1)
    r = authorize(signing, "neg.sadttl", h, token=token, url=url)
    assert r.status_code == 200 and r.json()["expiresIn"] == 1
    (signing.data_dir.parent / "clock-offset-ttl").write_text("2\n")  # the server's clock, 2 s later
    assert error_of(sign_hash(signing, "neg.sadttl", r.json()["SAD"], h, token=token, url=url)) == (
        400, "expired_sad")


def test_csc_sad_used_twice_is_refused_with_sad_already_used(signing: Any) -> None:
    h = new_hashes(1)
    token = signing.token()
    sad = authorize(signing, "neg.sadtwice", h, token=token).json()["SAD"]
    assert sign_hash(signing, "neg.sadtwice", sad, h, token=token).status_code == 200
    assert error_of(sign_hash(signing, "neg.sadtwice", sad, h, token=token)) == (400, "sad_already_used")


def test_csc_sad_for_other_hashes_is_refused_with_hash_mismatch(signing: Any) -> None:
    token = signing.token()
    sad = authorize(signing, "neg.otherhash", new_hashes(1), token=token).json()["SAD"]
    assert error_of(sign_hash(signing, "neg.otherhash", sad, new_hashes(1), token=token)) == (400, "hash_mismatch")


def test_csc_more_hashes_than_authorised_is_refused_with_too_many_hashes(signing: Any) -> None:
    token = signing.token()
    h = new_hashes(2)
    sad = authorize(signing, "neg.toomany", h, token=token).json()["SAD"]
    r = sign_hash(signing, "neg.toomany", sad, h + new_hashes(1), token=token)
    assert error_of(r) == (400, "too_many_hashes")


def test_csc_sad_of_another_credential_is_refused_with_invalid_sad(signing: Any) -> None:
    token = signing.token()
    h = new_hashes(1)
    sad = authorize(signing, "neg.algo", h, token=token).json()["SAD"]
    assert error_of(sign_hash(signing, "neg.toomany", sad, h, token=token)) == (400, "invalid_sad")
    assert error_of(sign_hash(signing, "neg.toomany", "not-a-sad", h, token=token)) == (400, "invalid_sad")


def test_csc_wrong_sign_algorithm_is_refused_with_unsupported_algorithm(signing: Any) -> None:
    token = signing.token()
    h = new_hashes(1)
    sad = authorize(signing, "neg.algo", h, token=token).json()["SAD"]
    r = sign_hash(signing, "neg.algo", sad, h, algo="1.2.840.10045.4.3.2", token=token)  # EC algo, RSA key
    assert error_of(r) == (400, "unsupported_algorithm")


def test_csc_bad_bearer_token_is_refused_with_invalid_token(signing: Any) -> None:
    r = signing.call("credentials/list", {}, token="forged-token")
    assert error_of(r) == (401, "invalid_token")
    r = httpx.post(f"{signing.url}/csc/v1/credentials/info", json={"credentialID": signing.cred("sign.rsa")})
    assert error_of(r) == (401, "invalid_token")
    r = httpx.post(f"{signing.url}/csc/v1/auth/login", auth=(signing.client["client_id"], "wrong-secret"))
    assert error_of(r) == (401, "invalid_client")


def test_csc_unknown_credential_is_refused_with_invalid_credential(signing: Any) -> None:
    token = signing.token()
    r = signing.call("credentials/info", {"credentialID": "u-000000000000"}, token=token)
    assert error_of(r) == (400, "invalid_credential")
    h = new_hashes(1)
    r = signing.call("credentials/authorize", {"credentialID": "u-000000000000", "numSignatures": 1, "hash": h,
                                               "OTP": "123456"}, token=token)
    assert error_of(r) == (400, "invalid_credential")


def test_csc_malformed_requests_are_refused_with_invalid_request(signing: Any) -> None:
    token = signing.token()
    cred = signing.cred("neg.wrong")
    bad = [{"credentialID": cred, "numSignatures": 2, "hash": new_hashes(1), "OTP": "123456"},
           {"credentialID": cred, "numSignatures": 1, "hash": ["bm90LWEtaGFzaA=="], "OTP": "123456"},
           {"credentialID": cred, "numSignatures": 1, "hash": new_hashes(1)}]
    for body in bad:
        assert error_of(signing.call("credentials/authorize", body, token=token)) == (400, "invalid_request")
    r = httpx.post(f"{signing.url}/csc/v1/credentials/list", content=b"{nope",
                   headers={"Authorization": f"Bearer {token}"})
    assert error_of(r) == (400, "invalid_request")


def test_csc_batch_one_otp_signs_n_hashes_in_one_signhash(signing: Any) -> None:
    token = signing.token()
    h = new_hashes(5)
    r = authorize(signing, "batch.raw", h, token=token)
    assert r.status_code == 200
    sigs = sign_hash(signing, "batch.raw", r.json()["SAD"], h, token=token).json()["signatures"]
    assert len(sigs) == 5
    info = signing.call("credentials/info", {"credentialID": signing.cred("batch.raw")}, token=token).json()
    cert = x509.load_der_x509_certificate(base64.b64decode(info["cert"]["certificates"][0]))
    pub = cert.public_key()
    assert isinstance(pub, ec.EllipticCurvePublicKey)
    for digest, sig in zip(h, sigs, strict=True):
        pub.verify(base64.b64decode(sig), base64.b64decode(digest), ec.ECDSA(utils.Prehashed(hashes.SHA256())))
