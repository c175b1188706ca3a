"""Runtime protection of the ``state`` column of workflow-driven documents.

Only the workflow engine may move a persisted document to another state. Models call
:func:`guard_state` from a SQLAlchemy ``validates("state")`` hook; it lets a new (transient or
pending) object receive its initial state and otherwise refuses unless the engine has opened
:func:`state_writer` around its write. Loading rows from the database does not pass through
validators, so reads are unaffected.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import inspect

__all__ = ["StateWriteError", "guard_state", "state_writer"]

S = TypeVar("S")

_WRITING: ContextVar[bool] = ContextVar("workflow_state_writer", default=False)


class StateWriteError(RuntimeError):
    """Code outside the workflow engine tried to change a persisted document's state."""


@contextmanager
def state_writer() -> Iterator[None]:
    """The engine's permission to set ``state`` on persisted documents (for the ``with`` block only)."""
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


def guard_state(target: Any, value: S) -> S:
    """Return ``value`` when the write is allowed; raise :class:`StateWriteError` otherwise."""
    status = inspect(target)
    if status.transient or status.pending or _WRITING.get():
        return value
    raise StateWriteError(f"{type(target).__name__}.state may only be changed by the workflow engine")
