"""Maps every exception to a response in one place: full page, htmx fragment or problem+json.

* 401 on a page → 303 to the login form (htmx: ``HX-Redirect``); on ``/api`` → problem+json.
* 403/404/4xx → the Vietnamese error page (``errors/<status>.html`` or the generic one); for htmx,
  the error fragment is retargeted into the toast region.
* Litestar's validation errors (a JSON body or a typed parameter of the wrong shape) → 400 naming
  the field and saying what was expected, in Vietnamese (:mod:`backend.server.field_messages`);
* a database integrity error (a unique or foreign-key constraint refused a write that the
  services' own checks let through, usually a concurrent change) → 409 "reload and retry"; the
  transaction has been rolled back, so nothing was half-stored;
* an outage of the environment (Redis or PostgreSQL unreachable or restarted mid-request, the blob
  store's disk full; :mod:`backend.server.outages`) → one warning line naming the cause, then 503 with
  ``Retry-After`` or 507;
* anything unexpected → logged with the request id, then the 500 page (no details leaked).

Problem bodies carry ``errors`` (field → message) when the error names fields.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.exceptions import HTTPException, PermissionDeniedException, ValidationException
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy.exc import IntegrityError

from backend.errors import AppError, InvalidInputError
from backend.lib.i18n import t
from backend.lib.templates import is_fragment_request, render_string
from backend.server.field_messages import validation_messages
from backend.server.outages import OUTAGE_CODES, RETRY_AFTER_SECONDS, classify_outage, outage_cause

__all__ = ["handle_exception"]

log = logging.getLogger("congvan.errors")

_TEMPLATES = {401: "errors/401.html", 403: "errors/403.html", 404: "errors/404.html", 500: "errors/500.html"}


def _field_errors(exc: Exception) -> dict[str, str]:
    """Field → Vietnamese message, for the errors that name fields."""
    if isinstance(exc, InvalidInputError):
        return dict(exc.field_errors)
    if isinstance(exc, ValidationException):
        return validation_messages(exc.extra)
    return {}


def _classify(exc: Exception) -> tuple[int, str, str]:
    """(status, stable code, Vietnamese message) for any exception."""
    if isinstance(exc, AppError):
        return exc.status_code, exc.code, exc.message
    if outage := classify_outage(exc):
        return outage
    if isinstance(exc, IntegrityError):
        return 409, "CONFLICT", t("edge.conflict")
    if isinstance(exc, ValidationException) and (named := validation_messages(exc.extra)):
        return 400, "INVALID_INPUT", " ".join(named.values())
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        return 403, "CSRF_FAILED", t("error.csrf")
    if isinstance(exc, HTTPException):
        status = exc.status_code
        known = {401: "AUTH_REQUIRED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
                 413: "PAYLOAD_TOO_LARGE", 429: "TOO_MANY_REQUESTS"}
        code = known.get(status, "BAD_REQUEST" if status < 500 else "SERVER_ERROR")
        key = f"error.http_{status}" if status in {401, 403, 404, 405, 413, 429} else (
            "error.bad_request" if status < 500 else "error.server")
        return status, code, t(key)
    return 500, "SERVER_ERROR", t("error.server")


def _redirect(request: Request[Any, Any, Any], location: str, headers: dict[str, str]) -> Response[Any]:
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=200, headers={**headers, "HX-Redirect": location})
    return Response("", status_code=HTTP_303_SEE_OTHER, headers={**headers, "Location": location})


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The app-wide exception handler."""
    status, code, message = _classify(exc)
    if code in OUTAGE_CODES:  # the environment, not the code: one line, not a traceback per request
        log.warning("%s on %s %s: %s", code, request.method, request.url.path, outage_cause(exc))
    elif status >= 500:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    elif isinstance(exc, IntegrityError):
        log.warning("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
    headers = {"Vary": "HX-Request", "Cache-Control": "no-store"}
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)

    if request.url.path.startswith("/api"):
        body: dict[str, Any] = {"type": f"urn:congvan:error:{code}", "title": message, "status": status, "code": code}
        if fields := _field_errors(exc):
            body["errors"] = fields
        return Response(body, status_code=status, media_type="application/problem+json", headers=headers)

    if code == "PASSWORD_CHANGE_REQUIRED":
        return _redirect(request, "/account/password", headers)

    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return _redirect(request, f"/login?next={quote(target, safe='')}", headers)

    template = _TEMPLATES.get(status, "errors/error.html")
    context = {"status": status, "code": code, "message": message}
    try:
        if is_fragment_request(request):
            html = render_string(request, "components/_toast.html", {"message": message, "kind": "error"})
            headers.update({"HX-Retarget": "#toast", "HX-Reswap": "innerHTML"})
        else:
            html = render_string(request, template, context)
    except Exception:  # noqa: BLE001 - the error page itself must never fail the response
        log.exception("error page rendering failed")
        html = f"<!doctype html><html lang=vi><meta charset=utf-8><title>{status}</title><p>{message}</p>"
    return Response(html, status_code=status, media_type=MediaType.HTML, headers=headers)
