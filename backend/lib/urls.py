"""Page URLs by route name, usable outside a request (the worker, notification jobs).

The web app names its route handlers (``name="incoming.detail"``) and reverses them per request;
jobs have no request, so the paths they link to are listed here under the same names. A test
checks that every entry reverses to the same path in the running app's route table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

__all__ = ["ROUTE_PATHS", "RouteUrls", "UrlBuilder"]

ROUTE_PATHS: Mapping[str, str] = {
    "incoming.detail": "/incoming/{doc_id}",
    "outgoing.detail": "/outgoing/{doc_id}",
    "certificates.mine": "/account/certificates",
    "certificates.admin": "/admin/certificates",
    "shell.leader_home": "/home",
    "workfiles.detail": "/work-files/{file_id}",
}
"""Route name → path template (``str.format`` fields are the route's path parameters)."""


class UrlBuilder(Protocol):
    """``urls("incoming.detail", doc_id=5)`` → ``"/incoming/5"``."""

    def __call__(self, name: str, /, **params: object) -> str: ...


class RouteUrls:
    """A :class:`UrlBuilder` over a route table (by default :data:`ROUTE_PATHS`)."""

    def __init__(self, paths: Mapping[str, str] = ROUTE_PATHS) -> None:
        self._paths = paths

    def __call__(self, name: str, /, **params: object) -> str:
        try:
            template = self._paths[name]
        except KeyError:
            raise LookupError(f"no path for route {name!r}") from None
        return template.format(**params)
