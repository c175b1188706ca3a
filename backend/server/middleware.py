"""Security headers, request id and HTML cache rules, added to every HTTP response.

The Content-Security-Policy allows no inline script, no inline style but the application's own style sheet
(by its hash, see ``backend.lib.inline_style``) and no third-party origin; authenticated HTML is
``no-store`` so shared caches and the back button never keep a document page.
"""

from __future__ import annotations

import secrets

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend.lib.inline_style import stylesheet_hash

__all__ = ["SecurityHeadersMiddleware", "CONTENT_SECURITY_POLICY"]

CONTENT_SECURITY_POLICY = (  # the hash: the style sheet inlined into incoming document pages (lib.inline_style)
    "default-src 'self'; script-src 'self'; style-src 'self' "
    f"{stylesheet_hash()}; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; manifest-src 'self'; worker-src 'self'"
)


class SecurityHeadersMiddleware:
    """Adds the fixed security headers; ``hsts`` only when served over HTTPS."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                headers["X-Request-ID"] = request_id
                if self.hsts:
                    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
                content_type = headers.get("content-type") or ""
                if content_type.startswith("text/html") and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_wrapper)
