"""Security headers, request id and cache rules, added to every HTTP response the application sends.

They are a ``before_send`` hook of the application rather than a middleware: Litestar runs route
middleware only for a matched route, so a middleware missed the router's own answers (404 for an
unknown path, 405 for a wrong method) and anything sent around it. The hook sees every
``http.response.start``: pages, error pages (403/404/405/413/429/500), static files, redirects.

The Content-Security-Policy allows no inline script, no inline style but the application's own style sheet
(by its hash, see ``backend.lib.inline_style``) and no third-party origin. Caching is denied by default:
a response that does not say otherwise is ``no-store`` (authenticated HTML, JSON, redirects, errors), so
shared caches and the back button never keep a document page; only ``/static/`` answers may go without
(hashed assets are marked immutable by ``backend.web.offline.middleware``).
"""

from __future__ import annotations

import secrets

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

from backend.lib.inline_style import stylesheet_hash

__all__ = ["CONTENT_SECURITY_POLICY", "security_headers"]

CONTENT_SECURITY_POLICY = (  # the hash: the style sheet inlined into incoming document pages (lib.inline_style)
    "default-src 'self'; script-src 'self'; style-src 'self' "
    f"{stylesheet_hash()}; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; manifest-src 'self'; worker-src 'self'"
)

_FIXED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def security_headers(*, hsts: bool) -> BeforeMessageSendHookHandler:
    """The hook adding the fixed headers (HSTS only when ``hsts``: served over HTTPS) to every HTTP response."""

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in _FIXED.items():
            headers[name] = value
        headers["X-Request-ID"] = secrets.token_hex(8)
        if hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if "cache-control" not in headers and not str(scope.get("path", "")).startswith("/static/"):
            headers["Cache-Control"] = "no-store"

    return add_headers
