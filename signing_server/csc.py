"""CSC API v1 HTTP handlers (Cloud Signature Consortium API 1.0.4.0 field names).

Routes, all ``POST`` with JSON bodies and answering ``200`` on success:

* ``/csc/v1/info`` -- service description (also ``GET``); no authentication;
* ``/csc/v1/auth/login`` -- HTTP Basic client id / secret -> ``{"access_token", "expires_in"}``;
* ``/csc/v1/credentials/list``, ``/credentials/info``, ``/credentials/authorize``,
  ``/signatures/signHash`` -- require ``Authorization: Bearer <access_token>``.

Handlers only decode the body into its typed struct (:mod:`signing_server.bodies`) and delegate
to :class:`~signing_server.service.SigningService` in a worker thread (SQLite and PKCS#11 calls
block). Errors become ``{"error", "error_description"}``
with the status fixed by the error class (:mod:`signing_server.errors`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException

from signing_server.bodies import (
    AuthorizeBody,
    CredentialInfoBody,
    ListCredentialsBody,
    SignHashBody,
    decode_body,
)
from signing_server.errors import SigningServerError
from signing_server.service import SigningService

__all__ = ["CscController", "authed", "csc_error_handlers", "health"]

log = logging.getLogger("signing_server.csc")

_SPECS_INFO = {
    "specs": "1.0.4.0",
    "name": "CongVan signing server",
    "logo": "",
    "region": "VN",
    "lang": "vi-VN",
    "description": "Remote signing for CongVan: HSM-held keys, activated per signature by the signer's OTP",
    "authType": ["basic"],
    "methods": ["auth/login", "credentials/list", "credentials/info", "credentials/authorize",
                "signatures/signHash"],
}


def _service(request: Request[Any, Any, Any]) -> SigningService:
    service: SigningService = request.app.state.service
    return service


B = TypeVar("B", bound=msgspec.Struct)


async def authed(request: Request[Any, Any, Any], body_type: type[B],
                 call: Callable[[SigningService, str, B], dict[str, Any]]) -> dict[str, Any]:
    """Authenticate the bearer token, decode the body as ``body_type``, run ``call`` in a worker thread.

    The token is checked before the body is read, so an unauthenticated caller learns nothing about
    the body rules.
    """
    service = _service(request)
    client_id = service.authenticate(request.headers.get("authorization"))
    body = decode_body(await request.body(), body_type)
    return await anyio.to_thread.run_sync(call, service, client_id, body)


class CscController(Controller):
    """The CSC API v1 endpoints."""

    path = "/csc/v1"

    @get("/info", sync_to_thread=False)
    def info_get(self) -> dict[str, Any]:
        """Service description (``GET`` variant for humans and health checks)."""
        return _SPECS_INFO

    @post("/info", status_code=200, sync_to_thread=False)
    def info(self) -> dict[str, Any]:
        """Service description."""
        return _SPECS_INFO

    @post("/auth/login", status_code=200)
    async def login(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """Authenticate the calling system; return a short-lived bearer token."""
        return _service(request).login(request.headers.get("authorization"))

    @post("/credentials/list", status_code=200)
    async def credentials_list(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """Identifiers of the usable credentials (optionally of one ``userID``)."""
        return await authed(request, ListCredentialsBody, lambda s, _c, b: s.list_credentials(b))

    @post("/credentials/info", status_code=200)
    async def credentials_info(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """Certificate chain, key algorithms, SCAL, OTP and batch limits of a credential."""
        return await authed(request, CredentialInfoBody, lambda s, _c, b: s.credential_info(b))

    @post("/credentials/authorize", status_code=200)
    async def credentials_authorize(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """OTP -> SAD bound to the given hashes."""
        return await authed(request, AuthorizeBody, lambda s, c, b: s.authorize(c, b))

    @post("/signatures/signHash", status_code=200)
    async def sign_hash(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """Sign hashes with a credential, under a SAD."""
        return await authed(request, SignHashBody, lambda s, c, b: s.sign_hash(c, b))


@get("/healthz", sync_to_thread=False)
def health() -> dict[str, str]:
    """Liveness probe for ``make run`` and the backend's startup checks."""
    return {"status": "ok"}


def _signing_error(_request: Request[Any, Any, Any], exc: SigningServerError) -> Response[dict[str, Any]]:
    if exc.http_status >= 500:
        log.error("signing server error %s: %s", exc.code, exc.description)
    else:
        log.info("refused with %s: %s", exc.code, exc.description)
    return Response(exc.to_json(), status_code=exc.http_status)


def _http_error(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, str]]:
    code = "invalid_request" if exc.status_code < 500 else "server_error"
    return Response({"error": code, "error_description": str(exc.detail)}, status_code=exc.status_code)


def _unexpected(_request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, str]]:
    log.exception("unexpected error", exc_info=exc)
    return Response({"error": "server_error", "error_description": "internal error; see the server log"},
                    status_code=500)


csc_error_handlers: dict[type[Exception], Callable[..., Response[dict[str, str]]]] = {
    SigningServerError: _signing_error,
    HTTPException: _http_error,
    Exception: _unexpected,
}
