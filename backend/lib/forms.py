"""The shape every HTML form handler shares: run one action, then 303 with a flash, or 422 with the form.

A handler parses the form into a lenient struct, calls one service through :func:`submit` and
says what happens next:

* success → ``done(result)``, usually :func:`redirect_with_flash` (POST → 303 → GET, the message
  shown once on the next page) or, for htmx, a re-rendered fragment;
* :class:`~backend.errors.InvalidInputError` → ``invalid(error)``, the same page built again
  from :func:`form_values` and ``error.field_errors``, always answered with **422**: nothing the
  user typed is lost and nothing was saved (services validate before they write).

One-button actions (deactivate, reactivate…) use :func:`submit_or_flash`: the refusal or the
success is flashed and the browser goes to the same page either way. Other errors (403, 404, 409)
propagate to the central error handler. No domain knowledge here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

import msgspec
from litestar import Request, Response
from litestar.response import Redirect

from backend.errors import InvalidInputError
from backend.lib.bounds import parse_date as bounded_date
from backend.lib.sessions import flash

__all__ = ["Answer", "form_values", "parse_date", "redirect_with_flash", "see_other", "submit", "submit_or_flash"]

T = TypeVar("T")


def parse_date(raw: str) -> date | None:
    """An ISO date from an ``<input type=date>`` (``None`` when empty, malformed or out of bounds).

    See :func:`backend.lib.bounds.parse_date` (re-exported here for the form handlers).
    """
    return bounded_date(raw)


def form_values(data: msgspec.Struct) -> dict[str, Any]:
    """The submitted fields by name, to put back into the re-rendered form."""
    return msgspec.structs.asdict(data)


def see_other(request: Request[Any, Any, Any], route: str, **params: Any) -> Redirect:
    """303 to the named route (POST → redirect → GET)."""
    return Redirect(request.app.route_reverse(route, **params), status_code=303)


def redirect_with_flash(request: Request[Any, Any, Any], message: str, route: str, **params: Any) -> Redirect:
    """Show ``message`` once on the next page, and 303 to the named route."""
    flash(request, message)
    return see_other(request, route, **params)


Answer = Response[Any] | Awaitable[Response[Any]]
"""A response, or the coroutine of a page builder that returns one."""


async def _resolve(answer: Answer) -> Response[Any]:
    return answer if isinstance(answer, Response) else await answer


async def submit(
    action: Awaitable[T],
    *,
    invalid: Callable[[InvalidInputError], Answer],
    done: Callable[[T], Answer],
) -> Response[Any]:
    """Await ``action``; answer ``done(result)``, or ``invalid(error)`` with status 422.

    Args:
        action: the service call (not yet awaited).
        invalid: builds the form page again with the submitted values and the field errors.
        done: the answer after success (a redirect, or an htmx fragment).
    """
    try:
        result = await action
    except InvalidInputError as exc:
        response = await _resolve(invalid(exc))
        response.status_code = 422
        return response
    return await _resolve(done(result))


async def submit_or_flash(
    request: Request[Any, Any, Any],
    action: Awaitable[T],
    message: Callable[[T], str],
    route: str,
    **params: Any,
) -> Redirect:
    """For one-button actions: flash ``message(result)`` or the refusal, then 303 to ``route`` either way."""
    try:
        result = await action
    except InvalidInputError as exc:
        flash(request, exc.message, "error")
        return see_other(request, route, **params)
    return redirect_with_flash(request, message(result), route, **params)
