"""The settings the running worker was started with, for job handlers that need configuration.

Handlers receive ``(db, job)`` only; the worker binds its ``Settings`` here before running a batch
so that handlers (push delivery, live publishing) read the same configuration as the worker, not
whatever the process environment says.
"""

from __future__ import annotations

from contextvars import ContextVar

from backend.config.settings import Settings, load_settings

__all__ = ["bind_settings", "current_settings"]

_settings: ContextVar[Settings | None] = ContextVar("congvan_worker_settings", default=None)


def bind_settings(settings: Settings) -> None:
    """Make ``settings`` the configuration of the jobs run from this context."""
    _settings.set(settings)


def current_settings() -> Settings:
    """The bound settings, or (outside a worker) the settings read from the environment."""
    bound = _settings.get()
    return bound if bound is not None else load_settings()
