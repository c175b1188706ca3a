"""The create and edit forms of the admin pages, declared once per form.

Every admin form is a pair of routes on one path: ``GET`` shows the form, ``POST`` saves it through
:func:`backend.lib.forms.submit` (303 with a flash message, or the same page again with the field
errors and what was typed, 422). :func:`form_routes` builds both handlers from one
:class:`AdminForm`:

* ``load(request, db, admin)`` finds what the page is about (``subject``: the record being edited,
  or the parent a new one goes into; 404 outside the administrator's scope) and the form's initial
  values (from the record, or the defaults and the query string);
* ``render(request, db, admin, subject, values, errors, submitted)`` builds the page
  (``submitted`` is the posted form when it is shown again);
* ``save(db, admin, subject, form, meta)`` runs the use case; ``saved(request, subject, result)``
  answers after success.

Assign the pair in a controller body: ``new, create = form_routes(...)``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec
from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import URLEncodedBody
from sqlalchemy.ext.asyncio import AsyncSession

from backend.domain.accounts.actor import Actor
from backend.domain.admin.web import AdminActor, int_or_none
from backend.domain.audit.deps import Meta
from backend.domain.audit.services import RequestMeta
from backend.lib.deps import DB
from backend.lib.forms import form_values, submit

__all__ = ["AdminForm", "Loader", "blank_form", "form_routes"]

F = TypeVar("F", bound=msgspec.Struct)
T = TypeVar("T")
Req = Request[Any, Any, Any]
Loader = Callable[[Req, AsyncSession, Actor], Awaitable[tuple[Any, dict[str, Any]]]]
"""``load(request, db, admin)`` → the page's subject and the form's initial values."""


@dataclass(frozen=True)
class AdminForm(Generic[F, T]):
    """One admin form: where it lives, how its page is built and what saving it does."""

    path: str
    """The path of both routes, relative to the controller (``/new``, ``/{user_id:int}/edit``)."""
    names: tuple[str, str]
    """The route names of the page and of the submission (``admin.user_new``, ``admin.user_create``)."""
    form: type[F]
    load: Loader
    render: Callable[
        [Req, AsyncSession, Actor, Any, dict[str, Any], dict[str, str], F | None], Awaitable[Response[Any]]
    ]
    save: Callable[[AsyncSession, Actor, Any, F, RequestMeta], Awaitable[T]]
    saved: Callable[[Req, Any, T], Response[Any]]


def blank_form(form: type[msgspec.Struct], agency_field: str) -> Loader:
    """The loader of a form for a new record placed in an agency: no subject, the form's defaults,
    and ``agency_field`` from the query string (a link from an agency's page) or the admin's agency."""

    async def load(request: Req, db: AsyncSession, admin: Actor) -> tuple[None, dict[str, Any]]:
        agency_id = int_or_none(request.query_params.get(agency_field, "")) or admin.agency_id
        return None, {**form_values(form()), agency_field: agency_id}

    return load


def form_routes(spec: AdminForm[Any, Any]) -> tuple[HTTPRouteHandler, HTTPRouteHandler]:
    """The ``GET`` (show) and ``POST`` (save) handlers of ``spec``, to assign in a controller."""

    async def show(self: Any, request: Req, db: DB, admin: AdminActor) -> Response[Any]:
        subject, values = await spec.load(request, db, admin)
        return await spec.render(request, db, admin, subject, values, {}, None)

    async def save(self: Any, request: Req, db: DB, admin: AdminActor, meta: Meta, data: Any) -> Response[Any]:
        subject, _ = await spec.load(request, db, admin)
        return await submit(
            spec.save(db, admin, subject, data, meta),
            invalid=lambda exc: spec.render(request, db, admin, subject, form_values(data), exc.field_errors, data),
            done=lambda result: spec.saved(request, subject, result),
        )

    save.__annotations__["data"] = URLEncodedBody[spec.form]  # type: ignore[misc,name-defined]  # a runtime class
    show.__name__ = show.__qualname__ = spec.names[0].replace(".", "_")
    save.__name__ = save.__qualname__ = spec.names[1].replace(".", "_")
    return get(spec.path, name=spec.names[0])(show), post(spec.path, name=spec.names[1])(save)
