"""Typed request bodies of the CSC API and of the ``/ext/v1`` extension, decoded at the HTTP edge.

Each endpoint's JSON body is decoded straight into one of the frozen :mod:`msgspec` structs below
(CSC 1.0.4.0 member names such as ``credentialID`` or ``numSignatures``; members the server does not
use, like ``description`` or ``clientData``, are ignored). The structs carry the rules that depend on
the body alone: types (no coercion: ``"1"`` is not an integer and ``true`` is not ``1``), required
members, ranges, base64 SHA-256 hashes and a hash count matching ``numSignatures``. Anything
malformed -- not JSON, not an object, a missing or mistyped member, a value out of range -- raises
:class:`~signing_server.errors.InvalidRequestError` (CSC code ``invalid_request``, HTTP 400) whose
description names the member, so the service only ever sees well-formed values. Rules that need the
server's state or settings (the batch limit, credential status, the SAD) stay in the service.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal, TypeVar

import msgspec

from signing_server.errors import InvalidRequestError

__all__ = [
    "AuthorizeBody",
    "CredentialInfoBody",
    "ExtListBody",
    "ListCredentialsBody",
    "RevokeBody",
    "SignHashBody",
    "decode_body",
]

MAX_OWNERS = 10000
"""Most owner ids one ``ext/v1/credentials/list`` call may filter on."""

MAX_REASON = 500
"""Longest revocation reason, in characters."""

MAX_REQUESTED_BY = 100
"""Longest ``requestedBy`` (the backend user name behind a revocation)."""

SHA256_BYTES = 32

NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
Hashes = Annotated[list[str], msgspec.Meta(min_length=1)]
OwnerIds = Annotated[list[str], msgspec.Meta(max_length=MAX_OWNERS)]


def _check_hashes(hashes: list[str]) -> None:
    """Every value is standard base64 of exactly 32 bytes (a SHA-256 digest).

    Raises:
        ValueError: naming the first offending value's position (msgspec turns it into a
            validation error of the body).
    """
    for i, value in enumerate(hashes):
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"hash[{i}] is not base64") from exc
        if len(raw) != SHA256_BYTES:
            raise ValueError(f"hash[{i}] holds {len(raw)} bytes; SHA-256 hashes are {SHA256_BYTES} bytes")


class ListCredentialsBody(msgspec.Struct, frozen=True):
    """``credentials/list``: optionally the credentials of one ``userID``, at most ``maxResults``."""

    user_id: str | None = msgspec.field(default=None, name="userID")
    max_results: Annotated[int, msgspec.Meta(ge=1)] = msgspec.field(default=1000, name="maxResults")


class CredentialInfoBody(msgspec.Struct, frozen=True):
    """``credentials/info``: which credential, how much of its chain, and whether to add certificate details."""

    credential_id: NonEmpty = msgspec.field(name="credentialID")
    certificates: Literal["none", "single", "chain"] = "single"
    cert_info: bool = msgspec.field(default=False, name="certInfo")


class AuthorizeBody(msgspec.Struct, frozen=True):
    """``credentials/authorize``: the OTP and the exact hashes the SAD will be bound to."""

    credential_id: NonEmpty = msgspec.field(name="credentialID")
    num_signatures: Annotated[int, msgspec.Meta(ge=1)] = msgspec.field(name="numSignatures")
    hashes: Hashes = msgspec.field(name="hash")
    otp: str = msgspec.field(default="", name="OTP")
    """Required for every credential except an agency's package seal (``implicit`` authorisation)."""

    def __post_init__(self) -> None:
        _check_hashes(self.hashes)
        if len(self.hashes) != self.num_signatures:
            raise ValueError(f"numSignatures is {self.num_signatures} but {len(self.hashes)} hashes were sent")


class SignHashBody(msgspec.Struct, frozen=True):
    """``signatures/signHash``: the SAD, the hashes to sign and the algorithms (``hashAlgo`` optional)."""

    credential_id: NonEmpty = msgspec.field(name="credentialID")
    sad: NonEmpty = msgspec.field(name="SAD")
    hashes: Hashes = msgspec.field(name="hash")
    sign_algo: NonEmpty = msgspec.field(name="signAlgo")
    hash_algo: str = msgspec.field(default="", name="hashAlgo")

    def __post_init__(self) -> None:
        _check_hashes(self.hashes)


class ExtListBody(msgspec.Struct, frozen=True):
    """``ext/v1/credentials/list``: filters by owners, revocation and expiry (all optional)."""

    user_ids: OwnerIds | None = msgspec.field(default=None, name="userIDs")
    agency_ids: OwnerIds | None = msgspec.field(default=None, name="agencyIDs")
    include_revoked: bool = msgspec.field(default=False, name="includeRevoked")
    expiring_within_days: Annotated[int, msgspec.Meta(ge=0, le=3660)] | None = msgspec.field(
        default=None, name="expiringWithinDays")


class RevokeBody(msgspec.Struct, frozen=True):
    """``ext/v1/credentials/revoke`` and ``reportCompromised``: which credential, why, and who asked."""

    credential_id: NonEmpty = msgspec.field(name="credentialID")
    reason: Annotated[str, msgspec.Meta(max_length=MAX_REASON)]
    requested_by: Annotated[str, msgspec.Meta(max_length=MAX_REQUESTED_BY)] = msgspec.field(
        default="", name="requestedBy")

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("reason must not be empty")


B = TypeVar("B", bound=msgspec.Struct)


def decode_body(raw: bytes, body_type: type[B]) -> B:
    """Decode and validate a JSON request body (an empty body counts as ``{}``).

    Raises:
        InvalidRequestError: the body is not JSON, not an object, or breaks a rule of ``body_type``;
            the description says which member and why (msgspec's message, e.g.
            ``Expected `int`, got `str` - at `$.numSignatures```).
    """
    try:
        return msgspec.json.decode(raw if raw.strip() else b"{}", type=body_type)
    except msgspec.ValidationError as exc:
        raise InvalidRequestError(f"invalid request body: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise InvalidRequestError("the request body is not valid JSON") from exc
