"""Exception handlers that complete ``errors.handle_exception`` where Litestar's exception carries more than a status.

* 405: the answer keeps the ``Allow`` header Litestar computed from the route (RFC 9110 §15.5.6), on
  pages and on the API alike.
* 400 under ``/api/``: the problem body names every field that did not parse or broke its bounds, in
  ``errors`` (field → Vietnamese reason) and in ``title``. A body that is not JSON at all is the
  field ``body``.

Both start from ``handle_exception``, so the status, stable code, page and headers stay decided in
one place; these handlers only add what it cannot see. Registered by status code in ``build_app``.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException

from backend.lib.i18n import t
from backend.server.api_schema import API_PREFIX
from backend.server.errors import handle_exception

__all__ = ["field_errors", "handle_bad_request", "handle_method_not_allowed"]

_BODY = "body"
_MISSING = re.compile(r"Object missing required field `([^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `([^`]+)`")
_TYPE = re.compile(r"Expected `([^`]+)`, got `([^`]+)`")
_BOUNDS = re.compile(r"Expected `([^`]+)` (?:of length |with length )?([<>=]+ ?-?\d+)")
_TYPE_NAMES = {"int": "số nguyên", "str": "chuỗi ký tự", "bool": "true hoặc false", "float": "số",
               "array": "danh sách", "object": "đối tượng JSON", "null": "null", "date": "ngày (YYYY-MM-DD)",
               "datetime": "thời điểm ISO 8601"}


def _type_name(spec: str) -> str:
    return " hoặc ".join(_TYPE_NAMES.get(part.strip(), part.strip()) for part in spec.split("|"))


def _reason(message: str) -> str:
    """A Vietnamese reason for one of Litestar's/msgspec's English validation messages."""
    if _MISSING.search(message):
        return t("api.reason.missing")
    if _UNKNOWN.search(message):
        return t("api.reason.unknown")
    if match := _BOUNDS.search(message):
        return t("api.reason.bounds", expected=_type_name(match.group(1)), bound=match.group(2))
    if match := _TYPE.search(message):
        return t("api.reason.type", expected=_type_name(match.group(1)), got=_type_name(match.group(2)))
    if message.startswith("Missing required"):
        return t("api.reason.missing")
    return t("api.reason.invalid")


def _field(entry: dict[str, Any]) -> str:
    message = str(entry.get("message", ""))
    key = str(entry.get("key") or "")
    named = _MISSING.search(message) or _UNKNOWN.search(message)
    if named:
        inner = named.group(1)
        return inner if key in {"", "data"} else f"{key}.{inner}"
    return _BODY if key in {"", "data"} else key


def field_errors(exc: HTTPException) -> dict[str, str]:
    """Field → Vietnamese reason for a 400 (``{"body": …}`` when Litestar names no field)."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors: dict[str, str] = {}
    for entry in extra:
        if isinstance(entry, dict):
            errors.setdefault(_field(entry), _reason(str(entry.get("message", ""))))
    return errors or {_BODY: t("api.reason.body")}


def handle_bad_request(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """``handle_exception``'s answer; under ``/api/`` the problem body also names the fields."""
    response = handle_exception(request, exc)
    body = response.content
    if (request.url.path.startswith(API_PREFIX) and isinstance(exc, HTTPException) and isinstance(body, dict)
            and not body.get("errors")):
        errors = field_errors(exc)
        response.content = {**body, "title": t("api.error.fields", fields=", ".join(errors)), "errors": errors}
    return response


def handle_method_not_allowed(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """``handle_exception``'s answer with the ``Allow`` header of the route."""
    response = handle_exception(request, exc)
    headers = exc.headers if isinstance(exc, HTTPException) and exc.headers else {}
    allow = next((value for name, value in headers.items() if name.lower() == "allow"), None)
    if allow:
        response.headers["Allow"] = allow
    return response
