"""The deactivate/reactivate buttons of every admin page, declared once per kind of record.

An admin page that lists or shows records offers two one-button POSTs,
``/<id>/deactivate`` (route ``admin.<name>_deactivate``) and ``/<id>/reactivate``
(``admin.<name>_reactivate``). :func:`activation_routes` builds both handlers from one
:class:`Activation`: call the use case (which audits through
:meth:`backend.domain.admin.records.AuditedRecords.set_active`), then flash the message and 303
to ``route`` (or ``respond``, for htmx pages); a refusal (:class:`InvalidInputError`, e.g.
deactivating one's own account) is flashed and the browser goes to ``route`` as well. Other
errors (403, 404) reach the central error handler. Assign the pair in a controller body:
``deactivate, reactivate = activation_routes(...)``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler
from sqlalchemy.ext.asyncio import AsyncSession

from backend.domain.accounts.actor import Actor
from backend.domain.admin.web import AdminActor
from backend.domain.audit.deps import Meta
from backend.domain.audit.services import RequestMeta
from backend.errors import InvalidInputError
from backend.lib.deps import DB
from backend.lib.forms import redirect_with_flash, see_other
from backend.lib.i18n import t
from backend.lib.sessions import flash

__all__ = ["Activation", "Respond", "activation_routes"]

T = TypeVar("T")


Respond = Callable[[Request[Any, Any, Any], AsyncSession, Actor, str], Awaitable[Response[Any]]]
"""A custom answer after a change, given the flash message (e.g. an htmx fragment with a toast)."""


@dataclass(frozen=True)
class Activation(Generic[T]):
    """How the admin pages of one kind of record deactivate and reactivate it."""

    name: str
    """Route-name stem: ``admin.<name>_deactivate`` and ``admin.<name>_reactivate``."""
    key: str
    """The path parameter holding the record's id."""
    switch: Callable[[AsyncSession, Actor, int, bool, RequestMeta], Awaitable[T]]
    """The use case: ``switch(db, admin, id, active, meta)``."""
    route: str
    """Where the browser goes afterwards (and after a refusal), with ``{key: id}`` unless ``route_params``."""
    message_params: Callable[[T], dict[str, Any]]
    """The flash message's parameters, from the use case's result."""
    message: str = ""
    """Catalogue key of the message, ``{past}`` standing for ``deactivated``/``reactivated``
    (default ``admin.flash.<name>_{past}``)."""
    route_params: Callable[[T], dict[str, Any]] | None = None
    """The route's parameters after a change, from the use case's result."""
    respond: Respond | None = None
    """Instead of flash and 303, answer with this (it receives the message)."""


def activation_routes(activation: Activation[Any]) -> tuple[HTTPRouteHandler, HTTPRouteHandler]:
    """The ``deactivate`` and ``reactivate`` handlers for ``activation``, to assign in a controller."""

    def route(active: bool) -> HTTPRouteHandler:
        verb, past = ("reactivate", "reactivated") if active else ("deactivate", "deactivated")

        async def handler(
            self: Any, request: Request[Any, Any, Any], db: DB, admin: AdminActor, meta: Meta
        ) -> Response[Any]:
            object_id = int(request.path_params[activation.key])
            try:
                result = await activation.switch(db, admin, object_id, active, meta)
            except InvalidInputError as exc:
                flash(request, exc.message, "error")
                return see_other(request, activation.route, **{activation.key: object_id})
            key = activation.message or f"admin.flash.{activation.name}_{{past}}"
            message = t(key.format(past=past), **activation.message_params(result))
            if activation.respond is not None:
                return await activation.respond(request, db, admin, message)
            params = activation.route_params(result) if activation.route_params else {activation.key: object_id}
            return redirect_with_flash(request, message, activation.route, **params)

        handler.__name__ = handler.__qualname__ = verb
        return post(f"/{{{activation.key}:int}}/{verb}", name=f"admin.{activation.name}_{verb}")(handler)

    return route(False), route(True)
