"""Jinja rendering of whole pages or of one named block (the HTMX fragment), decided in one place.

``render_page`` returns only the requested block when the request is a plain htmx request
(``HX-Request`` set, not boosted, not a history restore) and the handler allowed that block;
otherwise the full page. It always adds ``Vary: HX-Request``. The client never names a block.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request, Response
from litestar.enums import MediaType
from litestar.utils.scope.state import ScopeState

from backend.lib.clock import format_local
from backend.lib.i18n import t
from backend.lib.inline_style import inline_stylesheet
from backend.lib.text import vn_hours

__all__ = ["WEB_DIR", "environment", "is_fragment_request", "render_page", "render_string", "static_url"]

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
STATIC_DIR = WEB_DIR / "static"


@cache
def _asset_hash(relative: str) -> str:
    return hashlib.sha256((STATIC_DIR / relative).read_bytes()).hexdigest()[:12]


def static_url(relative: str) -> str:
    """URL of a static asset with a content hash, so it can be cached as immutable."""
    return f"/static/{relative}?v={_asset_hash(relative)}"


@cache
def environment() -> Environment:
    """The single Jinja environment (autoescaping on, undefined names are errors)."""
    env = Environment(
        loader=FileSystemLoader(WEB_DIR / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = static_url
    env.globals["inline_stylesheet"] = inline_stylesheet
    env.globals["t"] = t
    env.filters["local_time"] = format_local
    env.filters["vn_hours"] = vn_hours
    return env


def is_fragment_request(request: Request[Any, Any, Any]) -> bool:
    """True for a plain htmx request that should get a fragment rather than a whole page."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def _base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    state = ScopeState.from_scope(request.scope)
    csrf = state.csrf_token if isinstance(getattr(state, "csrf_token", None), str) else ""
    return {
        "request": request,
        "csrf_token": csrf,
        "url_for": request.app.route_reverse,
        "actor": getattr(request.state, "actor", None),
        "unread_count": getattr(request.state, "unread_count", 0),
        "nav_counts": getattr(request.state, "nav_counts", {}),
        "flash": getattr(request.state, "flash", None),
    }


def render_string(request: Request[Any, Any, Any], template: str, context: Mapping[str, Any],
                  block: str | None = None) -> str:
    """Render ``template`` (or only its ``block``) to text with the request's base context."""
    tmpl = environment().get_template(template)
    full_context = {**_base_context(request), **context}
    if block is None:
        return tmpl.render(full_context)
    return "".join(tmpl.blocks[block](tmpl.new_context(full_context)))


def render_page(
    request: Request[Any, Any, Any],
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    blocks: Mapping[str, str] | None = None,
    default_block: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response[str]:
    """Render a page, or one of its blocks for htmx.

    Args:
        blocks: allow-list mapping an ``HX-Target`` id to a block name.
        default_block: block returned to htmx requests whose target is not in ``blocks``
            (``None``: such requests get the full page).
    """
    block = None
    if is_fragment_request(request):
        target = request.headers.get("hx-target", "")
        block = (blocks or {}).get(target, default_block)
    body = render_string(request, template, context or {}, block)
    response_headers = {"Vary": "HX-Request", **(headers or {})}
    return Response(body, status_code=status_code, media_type=MediaType.HTML, headers=response_headers)
