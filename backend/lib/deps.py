"""Dependency names a controller may ask for that need no domain: the request's session and the settings.

Controllers annotate parameters with these aliases; :mod:`backend.server.deps` registers the
providers under the same names (``db``, ``settings``). The actor and the audit metadata have their
aliases in their own contexts (:mod:`backend.domain.accounts.deps`, :mod:`backend.domain.audit.deps`).
"""

from __future__ import annotations

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings

__all__ = ["DB", "AppSettings"]

DB = NamedDependency[AsyncSession]
"""The request's database session (commits on success, rolls back on error)."""
AppSettings = NamedDependency[Settings]
"""The application's settings."""
