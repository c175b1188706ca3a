"""Which responses the service worker may keep offline, and which user's cache they belong to.

* ``page``: list pages a user returns to (inbox, outgoing, tasks, notifications);
* ``document``: one document's page (``/incoming/<id>``, ``/outgoing/<id>``), kept with LRU eviction;
* ``asset``: images under a document's URL (its page images), kept with the document.

Everything else (account, admin, search, signing, fragments) is never stored by the worker.

A route whose Litestar ``opt`` carries ``needs_otp`` (set from a lifecycle table's ``needs_otp``
column on every route that can apply a transition asking for an OTP) is never queued or replayed:
a signature is a deliberate act of the moment, not a deferred one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["NEEDS_OTP", "OfflineKind", "never_replayed", "offline_kind", "user_cache_id"]

OfflineKind = Literal["page", "document", "asset"]
NEEDS_OTP = "needs_otp"
"""The route ``opt`` key of routes that apply an OTP-guarded transition (signing, sealing)."""

_PAGES = re.compile(r"^/(incoming|outgoing|tasks|notifications)/?$")
_DOCUMENT = re.compile(r"^/(incoming|outgoing|documents)/\d+/?$")
_DOCUMENT_ASSET = re.compile(r"^/(incoming|outgoing|documents)/\d+/.+")
_SIGNING = re.compile(r"/(sign|signing|signature|signatures|seal)(/|$)")


def offline_kind(path: str, content_type: str) -> OfflineKind | None:
    """How the service worker may keep a successful GET response for ``path`` (``None``: not at all)."""
    if content_type.startswith("text/html"):
        if _DOCUMENT.match(path):
            return "document"
        if _PAGES.match(path):
            return "page"
        return None
    if content_type.startswith("image/") and _DOCUMENT_ASSET.match(path) and not _SIGNING.search(path):
        return "asset"
    return None


def never_replayed(route_opt: Mapping[str, Any]) -> bool:
    """Whether a queued (offline) request to the route with ``route_opt`` is refused: it needs an OTP."""
    return bool(route_opt.get(NEEDS_OTP))


def user_cache_id(secret_key: str, user_id: int) -> str:
    """An opaque per-user id for cache names (HMAC of the user id; not reversible without the secret)."""
    return hmac.new(secret_key.encode(), f"cv-offline-cache:{user_id}".encode(), hashlib.sha256).hexdigest()[:20]
