"""An agency's package seal (owner ``edxml:<agency code>``) signs the worker's edXML packages without an OTP --
``authMode`` ``implicit`` -- under every other rule of the CSC API (the SAD bound to the hashes, used once,
journaled; a disabled credential refuses), while the agency's PDF seal still refuses to authorise without a code,
and that refusal costs no OTP attempt."""

from __future__ import annotations

import base64
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from tests.signing.test_signing_negative import error_of, new_hashes, sign_hash

RSA_SHA256 = "1.2.840.113549.1.1.11"


def _authorize_without_otp(signing: Any, owner: str, hashes_: list[str]) -> Any:
    body = {"credentialID": signing.cred(owner), "numSignatures": len(hashes_), "hash": hashes_}
    return signing.call("credentials/authorize", body)


def test_package_seal_signs_without_an_otp_under_the_sad_rules(signing: Any) -> None:
    owner = "edxml:000.00.00.T98"
    info = signing.call("credentials/info", {"credentialID": signing.cred(owner), "certificates": "single"}).json()
    assert info["authMode"] == "implicit" and info["OTP"] == {"presence": "false"}
    hashes_ = new_hashes(1)
    granted = _authorize_without_otp(signing, owner, hashes_)
    assert granted.status_code == 200, granted.text
    sad = granted.json()["SAD"]
    assert error_of(sign_hash(signing, owner, sad, new_hashes(1), algo=RSA_SHA256)) == (400, "hash_mismatch")
    assert error_of(sign_hash(signing, owner, sad, hashes_, algo=RSA_SHA256)) == (400, "sad_already_used")

    sad = _authorize_without_otp(signing, owner, hashes_).json()["SAD"]
    signed = sign_hash(signing, owner, sad, hashes_, algo=RSA_SHA256)
    assert signed.status_code == 200, signed.text
    cert = x509.load_der_x509_certificate(base64.b64decode(info["cert"]["certificates"][0]))
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(base64.b64decode(signed.json()["signatures"][0]), base64.b64decode(hashes_[0]), padding.PKCS1v15(),
               Prehashed(hashes.SHA256()))
    journal = signing.cli("journal", "--credential-id", signing.cred(owner)).stdout
    assert "unattended package seal" in journal


def test_pdf_seal_still_needs_the_clerks_code_and_a_missing_one_costs_no_attempt(signing: Any) -> None:
    owner = "000.00.00.T98"
    for _ in range(4):  # more than SIGNING_OTP_MAX_FAILURES (3): none of them counts
        missing = _authorize_without_otp(signing, owner, new_hashes(1))
        assert error_of(missing) == (400, "invalid_request") and "OTP" in missing.json()["error_description"]
    info = signing.call("credentials/info", {"credentialID": signing.cred(owner)}).json()
    assert info["authMode"] == "explicit" and info["OTP"]["presence"] == "true"
    wrong = signing.call("credentials/authorize", {"credentialID": signing.cred(owner), "numSignatures": 1,
                                                    "hash": new_hashes(1), "OTP": signing.wrong_otp(owner)})
    assert error_of(wrong) == (400, "invalid_otp") and "1 of 3 failures" in wrong.json()["error_description"]


def test_a_disabled_package_seal_refuses(signing: Any) -> None:
    owner = "edxml:000.00.00.T97"
    signing.cli("disable", signing.cred(owner), "--reason", "thay khóa")
    assert error_of(_authorize_without_otp(signing, owner, new_hashes(1))) == (403, "credential_disabled")
