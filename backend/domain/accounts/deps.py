"""The ``actor`` dependency name: the logged-in actor (provided by :mod:`backend.server.deps`)."""

from __future__ import annotations

from litestar.di import NamedDependency

from backend.domain.accounts.actor import Actor

__all__ = ["CurrentActor"]

CurrentActor = NamedDependency[Actor]
"""The logged-in actor; anonymous requests are redirected to the login form."""
