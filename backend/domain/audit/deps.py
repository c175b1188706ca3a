"""The ``meta`` dependency name: the client address and user agent for audit rows."""

from __future__ import annotations

from litestar.di import NamedDependency

from backend.domain.audit.services import RequestMeta

__all__ = ["Meta"]

Meta = NamedDependency[RequestMeta]
"""Client address and user agent of the request (provided by :mod:`backend.server.deps`)."""
