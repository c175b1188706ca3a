"""The typed job bus: job kinds with their payload types, the context a handler runs with, the registry.

A context declares each job it owns once, as a :class:`JobKind` naming the outbox ``kind`` and the
payload type (a frozen ``msgspec.Struct``); :func:`backend.tasks.outbox.enqueue` takes the kind and a
payload instance, and the worker decodes the stored JSON back into that type before calling the
handler, so encoding and decoding live here and nowhere else. A context exports its handlers as
:class:`Handles` pairs; the worker's composition root (:mod:`backend.worker_app`) gathers them into
one :class:`Registry`. Handlers receive an explicit :class:`JobContext` (session, settings, clock,
URL builder, the claimed job) instead of reading ambient state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.lib.urls import UrlBuilder

__all__ = ["ClaimedJob", "Handles", "JobContext", "JobKind", "Registry", "UnknownJobKindError"]

P = TypeVar("P", bound=msgspec.Struct)


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job this worker holds the lease on (payload still in its stored JSON form)."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    claimed_by: str


@dataclass(frozen=True, slots=True)
class JobKind(Generic[P]):
    """One kind of outbox job: its stored name and the type of its payload."""

    name: str
    payload_type: type[P]
    max_attempts: int = 8

    def encode(self, payload: P) -> dict[str, Any]:
        """The JSON-ready form stored in the outbox (refuses a payload of another type)."""
        if not isinstance(payload, self.payload_type):
            raise TypeError(f"job {self.name!r} takes {self.payload_type.__name__}, not {type(payload).__name__}")
        encoded: dict[str, Any] = msgspec.to_builtins(payload)
        return encoded

    def decode(self, stored: Mapping[str, Any]) -> P:
        """The typed payload of a stored job (``msgspec.ValidationError`` when it does not fit)."""
        return msgspec.convert(stored, self.payload_type)


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler may use: the job's transaction, the worker's settings, its clock and URL builder."""

    db: AsyncSession
    settings: Settings
    now: Callable[[], datetime]
    urls: UrlBuilder
    job: ClaimedJob


@dataclass(frozen=True, slots=True)
class Handles(Generic[P]):
    """A context's handler for one of its job kinds."""

    kind: JobKind[P]
    handler: Callable[[JobContext, P], Awaitable[None]]

    async def run(self, ctx: JobContext) -> None:
        await self.handler(ctx, self.kind.decode(ctx.job.payload))


class UnknownJobKindError(LookupError):
    """A claimed job names a kind no context registered."""


class Registry:
    """Every handler the worker runs, by job kind name (a kind registered twice is a wiring error)."""

    def __init__(self, entries: Iterable[Handles[Any]]) -> None:
        self._entries: dict[str, Handles[Any]] = {}
        for entry in entries:
            if entry.kind.name in self._entries:
                raise ValueError(f"job kind {entry.kind.name!r} registered twice")
            self._entries[entry.kind.name] = entry

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def kinds(self) -> list[str]:
        return sorted(self._entries)

    def entry(self, name: str) -> Handles[Any]:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownJobKindError(f"no handler for job kind {name!r}") from None
