"""The OpenAPI contract of the JSON API: which operations ``/schema/openapi.json`` documents, and their error answers.

Only the JSON API under ``/api/`` is documented: the app is built with ``include_in_schema=False`` and each
API controller opts in (``include_in_schema = True``), so a page never appears in the schema by accident.

Every documented operation declares the ``application/problem+json`` answers that ``backend.server.errors``
and the handlers give (:func:`declare_problem_responses`, called once by ``build_app``):

* 400 a parameter or body field that does not parse or breaks its declared bounds (``errors`` names it),
* 401 not logged in, 403 role, unit, CSRF token or a password change required, 404 outside the actor's
  scope, 422 a value the use case refuses (``errors`` per field), 429 throttled, 500 unexpected, 503 a service
  unreachable (:mod:`backend.server.outages`);
* on unsafe methods also 409 (state changed meanwhile, illegal transition, duplicate), 413 (body too large)
  and 507 (file store full).

Success answers keep what the handler declares (status code, ``media_type`` for exports). A request struct
declared with ``forbid_unknown_fields=True`` is documented with ``additionalProperties: false``, and an
optional multipart file part as a plain binary part (:class:`StrictStructSchemaPlugin`, a subclass of
Litestar's own struct plugin: Litestar is pinned, see pyproject.toml), so the schema promises exactly what
the server accepts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from litestar import Litestar
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.datastructures import UploadFile
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Schema as OpenAPISchema
from litestar.routes import HTTPRoute

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

__all__ = ["API_PREFIX", "PROBLEM_MEDIA_TYPE", "Problem", "StrictStructSchemaPlugin", "declare_problem_responses",
           "problem_responses"]

API_PREFIX = "/api/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_ALWAYS = {
    400: "Malformed request: a parameter or body field does not parse or is out of bounds (named in `errors`)",
    401: "Not logged in (log in through the web form; the API uses the session cookie)",
    403: "Not allowed for this role or unit, CSRF token missing or wrong, or a password change is required",
    404: "No such object in the caller's scope (objects of other agencies look exactly like this)",
    422: "A value the use case refuses (`errors` maps each field to a Vietnamese message)",
    429: "Too many requests: wait and retry",
    500: "Unexpected error (logged with the request id; no details are given)",
    503: "A service the system depends on (database, Redis) is unreachable or restarting: retry after `Retry-After`",
}
_UNSAFE = {
    409: "Conflict: the object changed meanwhile, the transition is not allowed in its state, or a duplicate",
    413: "Request body too large",
    507: "The file store is full: nothing was stored",
}


class Problem(msgspec.Struct, kw_only=True):
    """An error answer (RFC 9457): ``title`` is the Vietnamese message, ``code`` the stable error code."""

    type: str
    title: str
    status: int
    code: str
    errors: dict[str, str] = msgspec.field(default_factory=dict)
    """Field name → what is wrong with it and what to do (400 and 422)."""


def problem_responses(*, unsafe: bool) -> dict[int, ResponseSpec]:
    """The problem answers of an operation (``unsafe``: POST/PUT/PATCH/DELETE)."""
    statuses = {**_ALWAYS, **(_UNSAFE if unsafe else {})}
    return {status: ResponseSpec(data_container=Problem, media_type=PROBLEM_MEDIA_TYPE, description=text,
                                 generate_examples=False)
            for status, text in sorted(statuses.items())}


def declare_problem_responses(app: Litestar) -> None:
    """Add the problem answers to every route handler under :data:`API_PREFIX` (explicit ones win)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(API_PREFIX):
            continue
        for handler in route.route_handlers:
            unsafe = bool(set(handler.http_methods) - _SAFE_METHODS)
            handler.responses = {**problem_responses(unsafe=unsafe), **(handler.responses or {})}


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """Litestar's msgspec struct schema, made exact for request bodies.

    * ``additionalProperties: false`` for a struct declared with ``forbid_unknown_fields=True``;
    * an optional file part (``UploadFile | None``) is a plain binary string: a multipart body cannot
      carry a JSON ``null``, it leaves the part out.
    """

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        if not super().is_plugin_supported_field(field_definition):
            return False
        info = msgspec.inspect.type_info(field_definition.type_)
        return isinstance(info, msgspec.inspect.StructType) and (
            info.forbid_unknown_fields or any(_is_optional_file(field.type) for field in info.fields))

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> OpenAPISchema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        assert isinstance(info, msgspec.inspect.StructType)
        if info.forbid_unknown_fields:
            schema.additional_properties = False
        for field in info.fields:
            prop = (schema.properties or {}).get(field.encode_name)
            if _is_optional_file(field.type) and isinstance(prop, OpenAPISchema) and prop.one_of:
                schema.properties[field.encode_name] = next(  # type: ignore[index]
                    option for option in prop.one_of if isinstance(option, OpenAPISchema) and option.format)
        return schema


def _is_optional_file(kind: msgspec.inspect.Type) -> bool:
    return isinstance(kind, msgspec.inspect.UnionType) and any(
        isinstance(option, msgspec.inspect.CustomType) and option.cls is UploadFile for option in kind.types)
