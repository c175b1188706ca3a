"""Client of the signing server: sign PDFs through pyHanko's stock ``CSCSigner`` with a typed OTP.

Flow of :meth:`SigningClient.sign_pdfs` (and :meth:`SigningClient.sign_pdf` for one file):

1. ``auth/login`` with the backend's client id / secret (HTTP Basic) -> bearer token, cached
   until 30 s before it expires and shared by every client of the process with the same server
   and client credentials (a token the server no longer knows is renewed once transparently);
2. ``credentials/info`` through pyHanko's ``fetch_certs_in_csc_credential`` -> certificate chain
   (or the :class:`CSCCredentialInfo` the caller fetched moments before, e.g. while it prepared the PDFs);
3. pyHanko prepares every PDF and asks :class:`OtpAuthorizationManager` for a SAD covering the
   exact hashes (``credentials/authorize`` with the OTP the user typed, SCAL 2 hash pinning);
4. ``CSCSigner`` sends all hashes in one ``signatures/signHash``; pyHanko embeds the CMS.

The space reserved in each PDF for the CMS is pyHanko's own estimate (a dry-run CMS with the
credential's certificates and a placeholder signature, plus pyHanko's margin). It depends only
on the certificates, the digest and the PAdES flag, so it is computed once per certificate
chain and process instead of once per PDF (the dry run is a third of pyHanko's signing time).

Only pyHanko's async API is used (``async_sign_pdf``), so this is safe inside request handlers.

Errors: pyHanko swallows exceptions raised during its batch commit and reports a generic "No signing
results available". This client therefore records every CSC error body it receives (an aiohttp
client middleware writing into a per-call box) and re-raises the precise
:class:`~backend.domain.signing.errors.SigningServiceError` subclass.

Certificate lifecycle (the signing server's ``/ext/v1`` vendor extension, not CSC):
:meth:`SigningClient.list_certificates`, :meth:`SigningClient.report_compromised` and
:meth:`SigningClient.revoke_credential` return :class:`CertificateRecord` values.

This module is self-contained (no imports from other backend packages): configuration is passed in.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import datetime as dt
import hashlib
import io
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import aiohttp
from cryptography.hazmat.primitives import hashes
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from backend.domain.signing.errors import (
    AuthorizationRejectedError,
    SigningFailedError,
    SigningServerUnavailableError,
    SigningServiceError,
    error_from_body,
)

__all__ = ["CertificateRecord", "OtpAuthorizationManager", "SigningClient", "SigningServiceConfig", "sign_pdf"]

log = logging.getLogger(__name__)


class _UserMistakesAreNotErrors(logging.Filter):
    """Drop pyHanko's ERROR-with-traceback about a signer's ordinary mistake (a mistyped OTP).

    :meth:`SigningClient` logs the same failure itself, at INFO and without a traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (isinstance(exc, SigningServiceError) and exc.user_mistake)


logging.getLogger("pyhanko.sign.signers.csc_signer").addFilter(_UserMistakesAreNotErrors())

_TOKENS: dict[tuple[str, str, str], tuple[str, float]] = {}
"""Bearer tokens of this process per (server URL, client id, secret digest): (token, monotonic expiry)."""
_RESERVED: dict[tuple[str, str, bool, bool], int] = {}
"""CMS space (hex digits) per (certificate chain digest, digest algorithm, PAdES, tight)."""
_RESERVED_MAX = 4096
_KEEPALIVE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class SigningServiceConfig:
    """Where the signing server is and how the backend authenticates to it."""

    url: str
    """``SIGNING_URL``: base URL, e.g. ``http://127.0.0.1:8701`` (without ``/csc/v1``)."""
    client_id: str
    client_secret: str = field(repr=False)
    timeout_seconds: float = 30.0

    @classmethod
    def from_client_file(cls, path: Path, url: str | None = None) -> SigningServiceConfig:
        """Read ``<SIGNING_DATA_DIR>/client.json`` written by the signing server in demo mode."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(url=url or data["url"], client_id=data["client_id"], client_secret=data["client_secret"])


def _utc(raw: object) -> dt.datetime | None:
    """An ISO 8601 time from the signing server as an aware UTC datetime (``None`` stays ``None``)."""
    if not raw:
        return None
    when = dt.datetime.fromisoformat(str(raw))
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """One credential of the signing server with its certificate (``/ext/v1/credentials/*`` answers)."""

    credential_id: str
    owner_kind: str
    """``user`` (personal key, owner = username) or ``agency`` (seal, owner = agency identifier code)."""
    owner: str
    display_name: str
    agency: str
    algo: str
    status: str
    """Credential status: ``active``, ``disabled``, ``locked`` or ``revoked``."""
    status_reason: str
    cert_serial: str
    """Certificate serial number, lower-case hex."""
    cert_status: str
    """``valid``, ``expired``, ``not_yet_valid`` or ``revoked`` (as seen by the server's clock)."""
    subject_dn: str
    subject_cn: str
    issuer_dn: str
    not_before: dt.datetime
    not_after: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CertificateRecord:
        """Parse one record of the extension's JSON answers."""
        not_before, not_after = _utc(data["notBefore"]), _utc(data["notAfter"])
        if not_before is None or not_after is None:
            raise SigningFailedError("a credential record without certificate validity")
        return cls(
            credential_id=str(data["credentialID"]), owner_kind=str(data["ownerKind"]), owner=str(data["owner"]),
            display_name=str(data.get("displayName", "")), agency=str(data.get("agency", "")),
            algo=str(data.get("algo", "")), status=str(data["status"]),
            status_reason=str(data.get("statusReason", "")), cert_serial=str(data["certSerial"]),
            cert_status=str(data.get("certStatus", "")), subject_dn=str(data.get("subjectDN", "")),
            subject_cn=str(data.get("subjectCN", "")), issuer_dn=str(data.get("issuerDN", "")),
            not_before=not_before, not_after=not_after, revoked_at=_utc(data.get("revokedAt")),
            last_used_at=_utc(data.get("lastUsedAt")))


@dataclass(slots=True)
class _ErrorBox:
    """The last CSC error body seen during one signing call."""

    error: SigningServiceError | None = None


_current_box: contextvars.ContextVar[_ErrorBox | None] = contextvars.ContextVar("signing_error_box", default=None)


async def _capture_errors(req: aiohttp.ClientRequest, handler: Any) -> aiohttp.ClientResponse:
    """aiohttp middleware: turn every 4xx/5xx CSC body into a typed error stored in the call's box."""
    resp: aiohttp.ClientResponse = await handler(req)
    box = _current_box.get()
    if resp.status >= 400 and box is not None:
        try:
            body = json.loads(await resp.read())
            err = error_from_body(body, resp.status)
        except (ValueError, AttributeError):
            err = (SigningServerUnavailableError if resp.status >= 500 else SigningFailedError)(
                f"{req.url.path} answered HTTP {resp.status} without a CSC error body", http_status=resp.status)
        box.error = err
    return resp


def _unwrap(exc: BaseException, box: _ErrorBox) -> SigningServiceError:
    """The precise error behind *exc* (pyHanko wrapping, aiohttp connection errors)."""
    if isinstance(exc, SigningServiceError):
        return exc
    if box.error is not None:
        return box.error
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, SigningServiceError):
            return cause
        if isinstance(cause, (aiohttp.ClientConnectionError, asyncio.TimeoutError)):
            return SigningServerUnavailableError(f"cannot reach the signing server: {cause!r}")
        cause = cause.__cause__ or cause.__context__
    return SigningFailedError(f"signing failed: {exc}")


class OtpAuthorizationManager(CSCAuthorizationManager):
    """Obtains a SAD for exactly the hashes pyHanko is about to sign, using the user's OTP once."""

    def __init__(self, session_info: CSCServiceSessionInfo, credential_info: CSCCredentialInfo,
                 http: aiohttp.ClientSession, otp: str, description: str | None = None) -> None:
        super().__init__(session_info, credential_info)
        self._http = http
        self._otp = otp
        self._description = description
        self._used = False
        self.error: SigningServiceError | None = None
        """The typed error of the last failed authorization (pyHanko hides it behind its own)."""

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        """``credentials/authorize`` with the OTP, pinned to *hash_b64s*; one call per OTP."""
        if self._used:
            self.error = AuthorizationRejectedError("this OTP was already spent on an earlier batch")
            raise self.error
        self._used = True
        request = self.format_csc_auth_request(otp=self._otp, hash_b64s=hash_b64s,
                                               description=self._description)
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        try:
            async with self._http.post(url, json=request, headers=self.auth_headers) as resp:
                raw = await resp.read()
                status = resp.status
        except (TimeoutError, aiohttp.ClientConnectionError) as exc:
            self.error = SigningServerUnavailableError(f"authorize failed: {exc!r}")
            log.warning("authorize for %s failed: %s", self.csc_session_info.credential_id, self.error)
            raise self.error from exc
        try:
            body = json.loads(raw)
        except ValueError as exc:
            self.error = SigningFailedError(f"authorize answered HTTP {status} with a non-JSON body")
            raise self.error from exc
        if status != 200:
            self.error = error_from_body(body, status)
            log.info("authorize for %s refused: %s", self.csc_session_info.credential_id, self.error)
            raise self.error
        return self.parse_csc_auth_response(body)


class SigningClient:
    """One connection pool to the signing server; reuse it across requests (keep-alive).

    Use as ``async with SigningClient(config) as client: await client.sign_pdf(...)``.
    """

    def __init__(self, config: SigningServiceConfig) -> None:
        self.config = config
        self._http: aiohttp.ClientSession | None = None
        self._token: tuple[str, float] | None = None
        self._login_lock = asyncio.Lock()
        secret = hashlib.sha256(config.client_secret.encode()).hexdigest()
        self._token_key = (config.url.rstrip("/"), config.client_id, secret)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            # Idle connections are dropped after 2 s, well before the server's keep-alive ends
            # (uvicorn: 5 s; aiohttp would keep them 15 s): a request written on a connection the
            # server is closing fails with "Server disconnected" -- seen between two steps of one
            # signature on a loaded machine.
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.config.timeout_seconds),
                connector=aiohttp.TCPConnector(keepalive_timeout=_KEEPALIVE_SECONDS),
                middlewares=(_capture_errors,))
        return self._http

    async def close(self) -> None:
        """Close the connection pool."""
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _post(self, endpoint: str, body: dict[str, Any], headers: dict[str, str], *,
                    prefix: str = "csc/v1") -> dict[str, Any]:
        url = f"{self.config.url.rstrip('/')}/{prefix}/{endpoint}"
        try:
            async with self._session().post(url, json=body, headers=headers) as resp:
                raw, status = await resp.read(), resp.status
        except (TimeoutError, aiohttp.ClientConnectionError) as exc:
            raise SigningServerUnavailableError(f"{endpoint}: cannot reach {self.config.url}: {exc!r}") from exc
        try:
            data: dict[str, Any] = json.loads(raw)
        except ValueError as exc:
            raise SigningFailedError(f"{endpoint} answered HTTP {status} with a non-JSON body") from exc
        if status != 200:
            raise error_from_body(data, status)
        return data

    async def access_token(self, *, refresh: bool = False) -> str:
        """Bearer token from ``auth/login``, cached until 30 s before it expires.

        The cache is shared by the clients of this process that use the same server URL, client id
        and secret; ``refresh`` logs in again (the server restarted and forgot the token).
        """
        async with self._login_lock:
            shared, now = _TOKENS.get(self._token_key), time.monotonic()
            if not refresh:
                for cached in (self._token, shared):
                    if cached is not None and cached[1] > now:
                        self._token = cached
                        return cached[0]
            elif self._token is not None and shared is not None and shared != self._token and shared[1] > now:
                self._token = shared  # another client renewed it since this one's token went stale
                return shared[0]
            basic = base64.b64encode(f"{self.config.client_id}:{self.config.client_secret}".encode()).decode()
            data = await self._post("auth/login", {}, {"Authorization": f"Basic {basic}"})
            token = str(data["access_token"])
            self._token = (token, time.monotonic() + int(data.get("expires_in", 300)) - 30)
            _TOKENS[self._token_key] = self._token
            return token

    async def list_credentials(self, user_id: str | None = None) -> list[str]:
        """``credentials/list``: credential ids (of one owner when *user_id* is given)."""
        body: dict[str, Any] = {} if user_id is None else {"userID": user_id}
        for attempt in (1, 2):
            token = await self.access_token(refresh=attempt == 2)
            try:
                data = await self._post("credentials/list", body, {"Authorization": f"Bearer {token}"})
            except SigningServiceError as exc:
                if attempt == 1 and exc.server_code == "invalid_token":
                    continue
                raise
            return [str(x) for x in data.get("credentialIDs", [])]
        raise AssertionError("unreachable")

    async def credential_info(self, credential_id: str) -> CSCCredentialInfo:
        """Certificates and capabilities of a credential (pyHanko's ``fetch_certs_in_csc_credential``).

        A token the server no longer knows (it restarted) is renewed once transparently.
        """
        for attempt in (1, 2):
            box = _ErrorBox()
            reset = _current_box.set(box)
            try:
                info = await self._session_info(credential_id)
                return await fetch_certs_in_csc_credential(self._session(), info)
            except SigningError as exc:
                error = _unwrap(exc, box)
                if attempt == 1 and error.server_code == "invalid_token":
                    await self.access_token(refresh=True)
                    continue
                raise error from exc
            finally:
                _current_box.reset(reset)
        raise AssertionError("unreachable")

    async def _ext(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST to the ``/ext/v1`` vendor extension with the bearer token (renewed once if stale)."""
        for attempt in (1, 2):
            token = await self.access_token(refresh=attempt == 2)
            try:
                return await self._post(endpoint, body, {"Authorization": f"Bearer {token}"}, prefix="ext/v1")
            except SigningServiceError as exc:
                if attempt == 1 and exc.server_code == "invalid_token":
                    continue
                raise
        raise AssertionError("unreachable")

    async def list_certificates(self, *, user_ids: Sequence[str] | None = None,
                                agency_ids: Sequence[str] | None = None, include_revoked: bool = False,
                                expiring_within_days: int | None = None) -> list[CertificateRecord]:
        """Credentials and their certificates (``/ext/v1/credentials/list``).

        :param user_ids: only personal credentials of these usernames (with *agency_ids*: either);
            both ``None`` means every owner.
        :param agency_ids: only seal credentials of these agency identifier codes.
        :param include_revoked: also revoked credentials (their history).
        :param expiring_within_days: only live credentials whose certificate ends within this many
            days (already expired ones included).
        """
        body: dict[str, Any] = {"includeRevoked": include_revoked}
        if user_ids is not None or agency_ids is not None:
            body.update(userIDs=list(user_ids or []), agencyIDs=list(agency_ids or []))
        if expiring_within_days is not None:
            body["expiringWithinDays"] = expiring_within_days
        data = await self._ext("credentials/list", body)
        return [CertificateRecord.from_json(item) for item in data.get("credentials", [])]

    async def report_compromised(self, credential_id: str, reason: str, *, requested_by: str = ""
                                 ) -> CertificateRecord:
        """Suspected key compromise: the server revokes the credential at once (``key_compromise``).

        :raises CredentialRevokedError: it was already revoked.
        :raises CredentialUnknownError: no such credential.
        """
        data = await self._ext("credentials/reportCompromised",
                               {"credentialID": credential_id, "reason": reason, "requestedBy": requested_by})
        return CertificateRecord.from_json(data["credential"])

    async def revoke_credential(self, credential_id: str, reason: str, *, requested_by: str = ""
                                ) -> CertificateRecord:
        """Administrator revocation (the HSM key is destroyed; the credential never signs again)."""
        data = await self._ext("credentials/revoke",
                               {"credentialID": credential_id, "reason": reason, "requestedBy": requested_by})
        return CertificateRecord.from_json(data["credential"])

    async def sign_digests(self, credential_id: str, digests: Sequence[bytes], *, sign_algo: str,
                           otp: str = "") -> list[bytes]:
        """Sign SHA-256 *digests* as they are: ``credentials/authorize`` pinned to them, then one ``signHash``.

        For signatures that are not PDFs (the edXML package's XML signature). *otp* is the signer's
        code; an agency's package seal (CSC ``authMode`` ``implicit``) is authorised without one.

        :param sign_algo: the CSC ``signAlgo`` OID (``1.2.840.113549.1.1.11`` RSA, ``1.2.840.10045.4.3.2`` P-256).
        :returns: the raw signatures in input order (PKCS#1 v1.5 for RSA, DER ``ECDSA-Sig-Value`` for P-256).
        :raises SigningServiceError: a typed subclass telling why the signature did not happen.
        """
        hashes = [base64.b64encode(d).decode("ascii") for d in digests]
        authorize: dict[str, Any] = {"credentialID": credential_id, "numSignatures": len(hashes), "hash": hashes}
        if otp:
            authorize["OTP"] = otp
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {await self.access_token(refresh=attempt == 2)}"}
            try:
                sad = (await self._post("credentials/authorize", authorize, headers))["SAD"]
            except SigningServiceError as exc:
                if attempt == 1 and exc.server_code == "invalid_token":
                    continue
                raise
            body = {"credentialID": credential_id, "SAD": sad, "hash": hashes, "signAlgo": sign_algo,
                    "hashAlgo": "2.16.840.1.101.3.4.2.1"}
            signed = await self._post("signatures/signHash", body, headers)
            return [base64.b64decode(value) for value in signed["signatures"]]
        raise AssertionError("unreachable")

    async def _session_info(self, credential_id: str) -> CSCServiceSessionInfo:
        return CSCServiceSessionInfo(service_url=self.config.url.rstrip("/"), credential_id=credential_id,
                                     oauth_token=await self.access_token())

    async def sign_pdfs(self, pdfs: Sequence[bytes | IncrementalPdfFileWriter], *, credential_id: str, otp: str,
                        field_name: str = "Signature1", reason: str | None = None, location: str | None = None,
                        meta: signers.PdfSignatureMetadata | None = None, stamp_style: Any = None,
                        new_field_spec: fields.SigFieldSpec | None = None,
                        appearance_text_params: dict[str, Any] | None = None,
                        credential_info: CSCCredentialInfo | None = None) -> list[bytes]:
        """Sign every PDF with one OTP: one ``authorize`` for all hashes and one ``signHash``.

        :param pdfs: the PDFs, or writers over them whose pending changes (e.g. reserved form fields)
            go into the signed revision.
        :param otp: the 6-digit code the signer typed; used once, never logged.
        :param meta: full pyHanko signature metadata (overrides *field_name*, *reason*, *location*).
        :param credential_info: :meth:`credential_info` of *credential_id* fetched by the caller for
            this very call (e.g. while it prepared the PDFs); fetched here when ``None``.
        :returns: the signed PDFs (incremental updates of the inputs), in input order.
        :raises SigningServiceError: a typed subclass telling why the signature did not happen.
        """
        if not pdfs:
            return []
        cred_info = credential_info or await self.credential_info(credential_id)
        box = _ErrorBox()
        reset = _current_box.set(box)
        manager: OtpAuthorizationManager | None = None
        try:
            session_info = await self._session_info(credential_id)
            http = self._session()
            manager = OtpAuthorizationManager(session_info, cred_info, http, otp,
                                              description=f"{len(pdfs)} document(s)")
            signer = CSCSigner(http, auth_manager=manager, batch_size=len(pdfs))
            meta = meta or signers.PdfSignatureMetadata(
                field_name=field_name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
                reason=reason, location=location)
            pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=stamp_style,
                                           new_field_spec=new_field_spec)
            reserved = await _reserved_size(signer, cred_info, meta)

            async def one(pdf: bytes | IncrementalPdfFileWriter) -> bytes:
                writer = pdf if isinstance(pdf, IncrementalPdfFileWriter) else IncrementalPdfFileWriter(io.BytesIO(pdf))
                out = await pdf_signer.async_sign_pdf(writer, bytes_reserved=reserved,
                                                      appearance_text_params=appearance_text_params)
                signed: bytes = out.getvalue()
                return signed

            results = await asyncio.wait_for(asyncio.gather(*(one(p) for p in pdfs)),
                                             timeout=self.config.timeout_seconds * 2)
            return list(results)
        except (TimeoutError, SigningError, aiohttp.ClientError) as exc:
            error = manager.error if manager is not None and manager.error is not None else _unwrap(exc, box)
            log.log(logging.INFO if error.user_mistake else logging.WARNING, "signing with %s failed: %s",
                    credential_id, error)
            raise error from exc
        finally:
            _current_box.reset(reset)

    async def sign_pdf(self, pdf: bytes, *, credential_id: str, otp: str, **options: Any) -> bytes:
        """Sign one PDF (see :meth:`sign_pdfs` for the options and errors)."""
        return (await self.sign_pdfs([pdf], credential_id=credential_id, otp=otp, **options))[0]


async def _reserved_size(signer: CSCSigner, info: CSCCredentialInfo, meta: signers.PdfSignatureMetadata) -> int | None:
    """pyHanko's estimate of the CMS space (``PdfSigningSession.estimate_signature_container_size``), cached.

    The dry-run CMS holds the credential's certificates, the signed attributes (fixed size) and
    ``CSCSigner``'s fixed placeholder signature, so for given certificates, digest and PAdES flag
    the estimate never changes. ``None`` (pyHanko estimates per PDF as usual) when the metadata
    asks for anything that varies: embedded validation info, CAdES attributes, no digest.
    """
    if meta.md_algorithm is None or meta.embed_validation_info or meta.validation_context is not None \
            or meta.cades_signed_attr_spec is not None:
        return None
    chain = hashlib.sha256(b"".join(c.dump() for c in (info.signing_cert, *info.chain))).hexdigest()
    pades, tight = meta.subfilter == fields.SigSeedSubFilter.PADES, bool(meta.tight_size_estimates)
    key = (chain, meta.md_algorithm, pades, tight)
    if key not in _RESERVED:
        digest = hashes.Hash(get_pyca_cryptography_hash(meta.md_algorithm)).finalize()
        attrs = PdfCMSSignedAttributes(signing_time=dt.datetime.now(dt.UTC))
        cms = await signer.async_sign(digest, meta.md_algorithm, use_pades=pades, dry_run=True,
                                      signed_attr_settings=attrs)
        size = len(cms.dump()) * 2  # hex in the PDF
        if len(_RESERVED) >= _RESERVED_MAX:
            _RESERVED.clear()
        _RESERVED[key] = size if tight else size + 2 * (size // 4)
    return _RESERVED[key]


async def sign_pdf(config: SigningServiceConfig, pdf: bytes, *, credential_id: str, otp: str,
                   **options: Any) -> bytes:
    """One-shot helper: open a client, sign one PDF, close the client."""
    async with SigningClient(config) as client:
        return await client.sign_pdf(pdf, credential_id=credential_id, otp=otp, **options)
