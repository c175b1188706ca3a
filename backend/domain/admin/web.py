"""Plumbing shared by the admin controllers: the ``admin`` dependency, query ids, one-time secrets.

``admin`` resolves the logged-in actor (anonymous → login redirect) and refuses non-administrators
with 403 before any handler code runs. Secrets (generated passwords, the import report) travel
from the POST to the page after the 303 through the server-side session and are removed when
shown, so they appear exactly once and never in a URL.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.organizations.policies import require_admin
from backend.lib.bounds import parse_id
from backend.lib.sessions import get_session

__all__ = ["ADMIN_DEPENDENCIES", "AdminActor", "int_or_none", "pop_once", "stash_once"]

AdminActor = NamedDependency[Actor]
"""The logged-in actor, guaranteed to hold the ``admin`` role in the active agency."""


async def provide_admin(actor: CurrentActor) -> Actor:
    require_admin(actor)
    return actor


ADMIN_DEPENDENCIES = {"admin": Provide(provide_admin)}


def int_or_none(raw: str) -> int | None:
    """A query-string id (``""`` or garbage from a filter form means "none")."""
    return parse_id(raw)


def stash_once(request: Request[Any, Any, Any], key: str, value: Any) -> None:
    """Keep ``value`` in the session until :func:`pop_once` shows it."""
    get_session(request).set(key, value)


def pop_once(request: Request[Any, Any, Any], key: str) -> Any:
    """The stashed value (removed from the session), or ``None``."""
    session = get_session(request)
    value = session.get(key)
    if value is not None:
        session.set(key, None)
    return value
