"""Which responses the service worker may keep offline, and which user's cache they belong to.

* ``page``: list pages a user returns to (inbox, outgoing, tasks, notifications);
* ``document``: one document's page (``/incoming/<id>``, ``/outgoing/<id>``), kept with LRU eviction;
* ``asset``: images under a document's URL (its page images), kept with the document.

Everything else (account, admin, search, signing, fragments) is never stored by the worker.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Literal

__all__ = ["OfflineKind", "is_signing_path", "offline_kind", "user_cache_id"]

OfflineKind = Literal["page", "document", "asset"]

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


def is_signing_path(path: str) -> bool:
    """Signing is never queued or replayed."""
    return bool(_SIGNING.search(path))


def user_cache_id(secret_key: str, user_id: int) -> str:
    """An opaque per-user id for cache names (HMAC of the user id; not reversible without the secret)."""
    return hmac.new(secret_key.encode(), f"cv-offline-cache:{user_id}".encode(), hashlib.sha256).hexdigest()[:20]
