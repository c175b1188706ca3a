"""The signing use cases behind the CSC endpoints: login, credential info, authorize, signHash.

Blocking (SQLite, PKCS#11) -- the HTTP layer runs these methods in worker threads. Bearer tokens and
SADs live only in this process's memory, stored under their SHA-256 (the values themselves are never
kept, logged or journaled); a restart invalidates them, which only forces a new login / OTP.

SAD rules (SCAL 2): a SAD is bound to the calling client, one credential, the exact multiset of
hashes given at authorize time and their count; it expires after ``SIGNING_SAD_TTL_SECONDS`` (<= 300)
and is consumed by the first ``signHash`` that presents it, whatever the outcome of that call.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from signing_server.bodies import AuthorizeBody, CredentialInfoBody, ListCredentialsBody, SignHashBody
from signing_server.ca import load_pem_chain
from signing_server.clock import Clock
from signing_server.errors import (
    AccessTokenError,
    AlgorithmNotSupportedError,
    CertificateExpiredError,
    CertificateNotYetValidError,
    ClientAuthenticationError,
    CredentialDisabledError,
    CredentialLockedError,
    CredentialRevokedError,
    HashMismatchError,
    InvalidRequestError,
    OtpInvalidError,
    OtpReusedError,
    SadExpiredError,
    SadInvalidError,
    SadUsedError,
    SigningServerError,
    TooManyHashesError,
    UnknownCredentialError,
)
from signing_server.hsm import Hsm
from signing_server.journal import Journal
from signing_server.otp import OtpCipher, OtpOutcome, verify_totp
from signing_server.settings import Settings
from signing_server.store import Credential, Store

__all__ = ["ALGORITHMS", "SHA256_OID", "SigningService"]

SHA256_OID = "2.16.840.1.101.3.4.2.1"

OTP_PROMPT = {"label": "Mã OTP", "description": "Mã 6 chữ số trong ứng dụng xác thực"}
"""What a CSC client shows next to the OTP field (``credentials/info`` ``OTP.label`` / ``description``).

Protocol data in the service's declared language (``lang`` ``vi-VN``), kept here because the signing
server shares no code with the backend (so it cannot read the backend's message catalogue)."""


@dataclass(frozen=True, slots=True)
class _AlgoInfo:
    sign_oids: tuple[str, ...]  # what CSC signAlgo may be; the first one is advertised in key.algo
    key_len: int
    curve: str | None


ALGORITHMS: dict[str, _AlgoInfo] = {
    # sha256WithRSAEncryption first (pyHanko needs it), rsaEncryption + hashAlgo also accepted
    "rsa2048": _AlgoInfo(("1.2.840.113549.1.1.11", "1.2.840.113549.1.1.1"), 2048, None),
    # ecdsa-with-SHA256 first, id-ecPublicKey + hashAlgo also accepted; curve prime256v1
    "p256": _AlgoInfo(("1.2.840.10045.4.3.2", "1.2.840.10045.2.1"), 256, "1.2.840.10045.3.1.7"),
}


@dataclass(slots=True)
class _Sad:
    client_id: str
    credential_id: str
    hashes: Counter[str]
    count: int
    expires_at: float
    used: bool = False


@dataclass(slots=True)
class _Grants:
    lock: threading.Lock = field(default_factory=threading.Lock)
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    sads: dict[str, _Sad] = field(default_factory=dict)


def _digest(secret_value: str) -> str:
    return hashlib.sha256(secret_value.encode()).hexdigest()


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class SigningService:
    """Stateful (tokens, SADs in memory) front of the registry, the OTP policy and the HSM."""

    def __init__(self, settings: Settings, store: Store, hsm: Hsm, journal: Journal) -> None:
        self.settings = settings
        self.store = store
        self.hsm = hsm
        self.journal = journal
        self.cipher = OtpCipher(settings.otp_key)
        self.clock = Clock(settings.clock_offset_file)
        self._grants = _Grants()

    # -- client authentication --------------------------------------------------------------

    def login(self, authorization: str | None) -> dict[str, Any]:
        """``auth/login`` with HTTP Basic client id/secret -> short-lived bearer token."""
        if not authorization or not authorization.lower().startswith("basic "):
            raise ClientAuthenticationError("auth/login expects HTTP Basic authentication with the client id")
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
            client_id, _, secret = decoded.partition(":")
        except (binascii.Error, ValueError) as exc:
            raise ClientAuthenticationError("malformed Basic credentials") from exc
        ok_id = hmac.compare_digest(client_id.encode(), self.settings.client_id.encode())
        ok_secret = hmac.compare_digest(secret.encode(), self.settings.client_secret.encode())
        if not (ok_id and ok_secret):
            raise ClientAuthenticationError("unknown client id or wrong client secret")
        token = secrets.token_urlsafe(32)
        ttl = self.settings.access_token_ttl_seconds
        with self._grants.lock:
            self._purge()
            self._grants.tokens[_digest(token)] = (client_id, self.clock() + ttl)
        return {"access_token": token, "expires_in": ttl}

    def authenticate(self, authorization: str | None) -> str:
        """Return the client id behind a ``Bearer`` header, or raise :class:`AccessTokenError`."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise AccessTokenError("missing bearer access token; call auth/login first")
        entry = self._grants.tokens.get(_digest(authorization[7:].strip()))
        if entry is None or entry[1] < self.clock():
            raise AccessTokenError("the access token is invalid or expired")
        return entry[0]

    def _purge(self) -> None:
        now = self.clock()
        for key in [k for k, (_c, exp) in self._grants.tokens.items() if exp < now]:
            del self._grants.tokens[key]
        for key in [k for k, s in self._grants.sads.items() if s.expires_at + 3600 < now]:
            del self._grants.sads[key]

    # -- credentials --------------------------------------------------------------------------

    def _credential(self, credential_id: str) -> Credential:
        cred = self.store.get(credential_id)
        if cred is None:
            raise UnknownCredentialError(f"invalid parameter credentialID: no credential {credential_id!r}")
        return cred

    @staticmethod
    def check_usable(cred: Credential) -> None:
        """Raise the right error if *cred* may not sign now (status, certificate validity)."""
        if cred.status == "revoked":
            raise CredentialRevokedError(f"credential {cred.id} was revoked ({cred.status_reason or 'no reason'})")
        if cred.status == "disabled":
            raise CredentialDisabledError(f"credential {cred.id} is disabled by an administrator")
        if cred.status == "locked":
            raise CredentialLockedError(f"credential {cred.id} is locked after repeated wrong OTPs; "
                                        "an administrator must unlock it")
        now = _now_iso()
        if now > cred.not_after:
            raise CertificateExpiredError(f"the certificate of credential {cred.id} expired at {cred.not_after}")
        if now < cred.not_before:
            raise CertificateNotYetValidError(
                f"the certificate of credential {cred.id} is valid only from {cred.not_before}")

    def list_credentials(self, body: ListCredentialsBody) -> dict[str, Any]:
        """``credentials/list``: ids of non-revoked credentials, optionally of one ``userID``."""
        creds = self.store.list(owner=body.user_id, include_revoked=False)
        return {"credentialIDs": [c.id for c in creds[:body.max_results]]}

    def credential_info(self, body: CredentialInfoBody) -> dict[str, Any]:
        """``credentials/info`` in CSC 1.0.4.0 shape (key, cert, authMode, SCAL, OTP, multisign)."""
        cred = self._credential(body.credential_id)
        chain = load_pem_chain(cred.cert_chain_pem)
        certs = {"none": [], "single": chain[:1], "chain": chain}[body.certificates]
        algo = ALGORITHMS[cred.algo]
        now = _now_iso()
        cert_status = ("revoked" if cred.status == "revoked" else "expired" if now > cred.not_after
                       else "valid")
        key: dict[str, Any] = {"status": "enabled" if cred.status == "active" else "disabled",
                               "algo": [algo.sign_oids[0]], "len": algo.key_len}
        if algo.curve:
            key["curve"] = algo.curve
        cert: dict[str, Any] = {
            "status": cert_status,
            "certificates": [base64.b64encode(c.public_bytes(Encoding.DER)).decode("ascii") for c in certs]}
        if body.cert_info:
            leaf = chain[0]
            cert.update(issuerDN=leaf.issuer.rfc4514_string(), subjectDN=leaf.subject.rfc4514_string(),
                        serialNumber=str(leaf.serial_number),
                        validFrom=leaf.not_valid_before_utc.strftime("%Y%m%d%H%M%SZ"),
                        validTo=leaf.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ"))
        return {
            "description": f"{cred.display_name} ({'seal' if cred.owner_kind == 'agency' else 'signer'})",
            "key": key, "cert": cert, "authMode": "implicit" if cred.unattended else "explicit", "SCAL": "2",
            "PIN": {"presence": "false"},
            "OTP": {"presence": "false"} if cred.unattended else {
                "presence": "true", "type": "offline", "format": "N", "ID": "totp",
                "provider": self.settings.otp_issuer, **OTP_PROMPT},
            "multisign": self.settings.max_batch, "lang": "vi-VN",
        }

    # -- authorize -------------------------------------------------------------------------------

    def authorize(self, client_id: str, body: AuthorizeBody) -> dict[str, Any]:
        """``credentials/authorize``: check the OTP, return a SAD bound to the given hashes.

        An agency's package seal (:attr:`~signing_server.store.Credential.unattended`) is authorised
        without an OTP (CSC ``authMode`` ``implicit``); the SAD rules and the journal are the same.
        """
        cred_id, num, hashes, otp = body.credential_id, body.num_signatures, body.hashes, body.otp
        if num > self.settings.max_batch:
            raise TooManyHashesError(f"numSignatures {num} exceeds multisign {self.settings.max_batch}")
        cert_serial = ""
        try:
            cred = self._credential(cred_id)
            cert_serial = cred.cert_serial
            self.check_usable(cred)
            if cred.unattended:
                self._mark_used(cred)
            elif not otp:
                raise InvalidRequestError("OTP is required for this credential")
            else:
                self._check_otp(cred, otp)
        except SigningServerError as exc:
            self.journal.append(caller=client_id, action="authorize", credential_id=cred_id, hashes=hashes,
                                cert_serial=cert_serial, result=exc.code,
                                detail=exc.description)
            raise
        sad = secrets.token_urlsafe(32)
        ttl = self.settings.sad_ttl_seconds
        with self._grants.lock:
            self._purge()
            self._grants.sads[_digest(sad)] = _Sad(client_id, cred.id, Counter(hashes), num, self.clock() + ttl)
        self.journal.append(caller=client_id, action="authorize", credential_id=cred.id, hashes=hashes,
                            cert_serial=cred.cert_serial, result="ok",
                            detail=f"{num} signature(s)" + (", unattended package seal" if cred.unattended else ""))
        return {"SAD": sad, "expiresIn": ttl}

    def _mark_used(self, cred: Credential) -> None:
        with self.store.transaction() as conn:
            self.store.update(cred.id, conn, last_used_at=_now_iso())

    def _check_otp(self, cred: Credential, otp: str) -> None:
        """Verify the OTP and update the failure counter / last step atomically."""
        with self.store.transaction() as conn:
            fresh = self.store.get(cred.id, conn)
            if fresh is None:
                raise UnknownCredentialError(f"credential {cred.id!r} vanished")
            self.check_usable(fresh)
            secret = self.cipher.decrypt(fresh.id, fresh.otp_secret_enc)
            check = verify_totp(secret, otp, self.clock(), fresh.last_otp_step, self.settings.otp_step_seconds)
            now = _now_iso()
            if check.outcome is OtpOutcome.ACCEPTED:
                self.store.update(fresh.id, conn, failures=0, last_otp_step=check.step, last_used_at=now)
                return
            if check.outcome is OtpOutcome.REUSED:
                error: SigningServerError = OtpReusedError(
                    "this OTP's time step was already used; wait for the next code")
            else:
                failures = fresh.failures + 1
                locked = failures >= self.settings.otp_max_failures
                values: dict[str, Any] = {"failures": failures, "updated_at": now}
                if locked:
                    values.update(status="locked", status_reason=f"{failures} consecutive wrong OTPs")
                self.store.update(fresh.id, conn, **values)
                error = OtpInvalidError(
                    f"the OTP is invalid ({failures} of {self.settings.otp_max_failures} failures"
                    + ("; the credential is now locked)" if locked else ")"),
                    remaining_attempts=max(self.settings.otp_max_failures - failures, 0))
        raise error

    # -- signHash --------------------------------------------------------------------------------

    def _consume_sad(self, client_id: str, cred_id: str, sad: str) -> _Sad:
        with self._grants.lock:
            grant = self._grants.sads.get(_digest(sad))
            if grant is None or grant.client_id != client_id or grant.credential_id != cred_id:
                raise SadInvalidError("the SAD is unknown or was issued for another credential")
            if grant.used:
                raise SadUsedError("the SAD was already used; authorise again with a new OTP")
            grant.used = True
            if grant.expires_at < self.clock():
                raise SadExpiredError("the SAD expired; authorise again with a new OTP")
            return grant

    def sign_hash(self, client_id: str, body: SignHashBody) -> dict[str, Any]:
        """``signatures/signHash``: check SAD, hashes, count and algorithm, then sign on the HSM."""
        cred_id, sad, hashes = body.credential_id, body.sad, body.hashes
        sign_algo, hash_algo = body.sign_algo, body.hash_algo
        cert_serial = ""
        try:
            cred = self._credential(cred_id)
            cert_serial = cred.cert_serial
            grant = self._consume_sad(client_id, cred_id, sad)
            self._check_hashes(grant, hashes)
            self.check_usable(cred)
            self._check_algorithm(cred, sign_algo, hash_algo)
            signatures = self.hsm.sign_digests(cred.key_label, cred.algo, [base64.b64decode(h) for h in hashes])
        except SigningServerError as exc:
            self.journal.append(caller=client_id, action="signHash", credential_id=cred_id, hashes=hashes,
                                cert_serial=cert_serial, result=exc.code, detail=exc.description)
            raise
        self.journal.append(caller=client_id, action="signHash", credential_id=cred.id, hashes=hashes,
                            cert_serial=cert_serial, result="ok", detail=f"{len(hashes)} signature(s)")
        return {"signatures": [base64.b64encode(s).decode("ascii") for s in signatures]}

    @staticmethod
    def _check_hashes(grant: _Sad, hashes: Sequence[str]) -> None:
        if len(hashes) > grant.count:
            raise TooManyHashesError(f"{len(hashes)} hashes sent but the SAD authorises {grant.count}")
        if Counter(hashes) - grant.hashes:
            raise HashMismatchError("a hash sent was not among the hashes the SAD was authorised for")

    @staticmethod
    def _check_algorithm(cred: Credential, sign_algo: str, hash_algo: str) -> None:
        allowed = ALGORITHMS[cred.algo].sign_oids
        if sign_algo not in allowed:
            raise AlgorithmNotSupportedError(
                f"signAlgo {sign_algo} does not fit a {cred.algo} key (expected {allowed[0]})")
        if sign_algo == allowed[1] and hash_algo != SHA256_OID:
            raise AlgorithmNotSupportedError(f"hashAlgo must be {SHA256_OID} (SHA-256) with signAlgo {sign_algo}")
        if hash_algo and hash_algo != SHA256_OID:
            raise AlgorithmNotSupportedError(f"hashAlgo {hash_algo} is not supported; use {SHA256_OID}")
