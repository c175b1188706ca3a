"""The validation edge: what every request must be before any handler, service or query sees it.

Two hooks, installed by ``backend.server.core``:

* :class:`EdgeRequest` (the app's request class, so the CSRF middleware, the body extractors and
  handlers calling ``request.form()`` all get it) decodes form and JSON bodies with the strict
  decoders of :mod:`backend.server.edge_body`;
* :func:`check_request` (the app's ``before_request``) refuses an integer path parameter no row
  can have (→ 404, like any other id the actor cannot see), checks every query-string value, and
  decodes a form body before the handler's arguments are built, so a broken body is refused
  whichever parser would have met it first.

Refusals are :class:`~backend.server.edge_body.BadInputError` (400, the field named in Vietnamese),
answered by ``backend.server.errors`` as a page, a toast or problem+json. Ids and dates inside
fields are bounded where they are parsed (:mod:`backend.lib.bounds`).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.enums import RequestEncodingType
from litestar.types import Empty

from backend.errors import NotFoundError
from backend.lib.bounds import MAX_ID
from backend.lib.i18n import t
from backend.server.edge_body import BadInputError, decode_json, parse_multipart, parse_query, parse_urlencoded

__all__ = ["BadInputError", "EdgeRequest", "check_request"]

_FORMS = (RequestEncodingType.MULTI_PART, RequestEncodingType.URL_ENCODED)


class EdgeRequest(Request[Any, Any, Any]):
    """A request whose ``form()`` and ``json()`` decode strictly (see the module docstring)."""

    async def form(self) -> FormMultiDict:
        state = self._connection_state
        if state.form is Empty:
            content_type, options = self.content_type
            if content_type == RequestEncodingType.MULTI_PART:
                boundary = options.get("boundary", "")
                if not boundary:
                    message = t("edge.body.form_broken")
                    raise BadInputError(message, field_errors={"body": message})
                state.form = await parse_multipart(self.stream(), boundary.encode(),
                                                   self.app.multipart_form_part_limit)
            elif content_type == RequestEncodingType.URL_ENCODED:
                state.form = parse_urlencoded(await self.body())
        return await super().form()

    async def json(self) -> Any:
        state = self._connection_state
        if state.json is Empty:
            state.json = decode_json(await self.body())
        return await super().json()


async def check_request(request: Request[Any, Any, Any]) -> None:
    """The app's ``before_request`` hook (see the module docstring).

    Raises:
        NotFoundError: an integer path parameter beyond any id.
        BadInputError: a query-string or form value that is not acceptable text.
    """
    for value in request.path_params.values():
        if isinstance(value, int) and abs(value) > MAX_ID:
            raise NotFoundError()
    parse_query(request.scope.get("query_string", b""))
    if request.content_type[0] in _FORMS:
        await request.form()
