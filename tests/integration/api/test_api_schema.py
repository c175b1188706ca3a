"""The OpenAPI schema is the API's honest contract: only the API, every error answer declared, 405 with ``Allow``,
exports with their real content type, and every 400 naming the field (in Vietnamese) instead of failing later."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from tests import factories

Client = AsyncTestClient[Litestar]
PROBLEM = "application/problem+json"


@pytest.fixture
async def clerk(client: Client, db_sessionmaker: Any, login: Callable[..., Awaitable[Any]]) -> tuple[Client, str]:
    """The client logged in as a clerk of a new agency, with the CSRF token of its session."""
    async with db_sessionmaker() as db:
        staff = await factories.staff(db)
        await db.commit()
    await login(client, staff.clerk.username, factories.PASSWORD)
    return client, (await client.get("/api/v1/session")).json()["csrf_token"]


async def _schema(client: Client) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


async def test_schema_documents_every_api_route_and_no_page(client: Client, app: Litestar) -> None:
    documented = set((await _schema(client))["paths"])
    api_routes = {route.path_format for route in app.routes
                  if isinstance(route, HTTPRoute) and route.path.startswith("/api/")}
    assert not api_routes - documented, "API routes missing from the schema (set include_in_schema = True on " \
                                         f"their controller): {sorted(api_routes - documented)}"
    assert documented == api_routes
    assert "/login" not in documented and "/incoming" not in documented


async def test_every_operation_declares_its_problem_answers(client: Client) -> None:
    for path, operations in (await _schema(client))["paths"].items():
        for method, operation in operations.items():
            declared = {int(status): response.get("content", {}) for status, response in operation["responses"].items()}
            expected = {400, 401, 403, 404, 422, 429, 500} | ({409, 413} if method != "get" else set())
            assert expected <= set(declared), (method, path, sorted(declared))
            for status in expected:
                assert list(declared[status]) == [PROBLEM], (method, path, status)
            assert any(200 <= status < 300 for status in declared), (method, path)


async def test_exports_declare_their_content_type(client: Client) -> None:
    paths = (await _schema(client))["paths"]
    for path, media_type in (
            ("/api/v1/file-catalogues/{year}/export.csv", "text/csv; charset=utf-8"),
            ("/api/v1/file-catalogues/{year}/export.xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("/api/v1/work-files/transfer/list.xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("/api/v1/work-files/transfer/handover.xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("/api/v1/work-files/transfer/list.pdf", "application/pdf"),
            ("/api/v1/work-files/transfer/handover.pdf", "application/pdf"),
            ("/api/v1/work-files/{file_id}/export.pdf", "application/pdf"),
            ("/api/v1/work-files/{file_id}/export.xml", "application/xml")):
        assert list(paths[path]["get"]["responses"]["200"]["content"]) == [media_type], path


async def test_strict_request_bodies_are_documented_closed_and_bounded(client: Client) -> None:
    schemas = (await _schema(client))["components"]["schemas"]
    batch = schemas["ApiBatchSignRequest"]
    assert batch["additionalProperties"] is False
    assert batch["properties"]["doc_ids"]["items"]["maximum"] == 2**31 - 1


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", "/api/v1/session", {"GET"}),
    ("PATCH", "/api/v1/work-files/1/order", {"PUT"}),
    ("PUT", "/login", {"GET", "POST"}),
])
async def test_an_undeclared_method_is_405_with_allow(client: Client, method: str, path: str, allowed: set[str]
                                                      ) -> None:
    response = await client.request(method, path)
    assert response.status_code == 405
    advertised = {part.strip() for part in response.headers["allow"].split(",")}
    assert allowed <= advertised and method not in advertised


async def test_a_wrongly_typed_body_field_is_400_naming_it(clerk: tuple[Client, str]) -> None:
    client, csrf = clerk
    response = await client.post("/api/v1/outgoing/sign-batch", headers={"X-CSRFToken": csrf},
                                 json={"doc_ids": [1, "hai"], "otp": "123456"})
    assert response.status_code == 400 and response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert list(body["errors"]) == ["doc_ids[1]"]
    assert "số nguyên" in body["errors"]["doc_ids[1]"] and "doc_ids[1]" in body["title"]


async def test_a_missing_or_unknown_body_field_is_400_naming_it(clerk: tuple[Client, str]) -> None:
    client, csrf = clerk
    missing = await client.post("/api/v1/work-files/1/documents", headers={"X-CSRFToken": csrf},
                                json={"kind": "incoming"})
    assert missing.status_code == 400 and list(missing.json()["errors"]) == ["document_id"]
    unknown = await client.post("/api/v1/outgoing/sign-batch", headers={"X-CSRFToken": csrf},
                                json={"doc_ids": [1], "otp": "1", "pin": "0000"})
    assert unknown.status_code == 400 and list(unknown.json()["errors"]) == ["pin"]


async def test_a_body_that_is_not_json_is_400_naming_the_body(clerk: tuple[Client, str]) -> None:
    client, csrf = clerk
    response = await client.post("/api/v1/work-files", headers={"X-CSRFToken": csrf,
                                                                "content-type": "application/json"},
                                 content=b"{not json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["body"]


@pytest.mark.parametrize("value", [0, 2**31, 2**63, 2**64])
async def test_an_id_no_row_can_have_is_refused_before_the_database(clerk: tuple[Client, str], value: int) -> None:
    """Never a driver overflow (500): a 400 naming the parameter, or the 404 of any id outside the scope."""
    client, csrf = clerk
    for path, field in ((f"/api/v1/incoming/{value}", "doc_id"), (f"/api/v1/work-files/{value}", "file_id"),
                        (f"/api/v1/file-catalogues/{value}", "year")):
        response = await client.get(path)
        assert response.status_code in (400, 404), (path, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
        if response.status_code == 400:
            assert list(response.json()["errors"]) == [field]
    body = await client.post("/api/v1/outgoing/sign-batch", headers={"X-CSRFToken": csrf},
                             json={"doc_ids": [value], "otp": "123456"})
    # 0 breaks the schema's bound (400); beyond any id the edge refuses the unstorable number first (422)
    assert body.status_code == (400 if value == 0 else 422) and list(body.json()["errors"]) == ["doc_ids[0]"]
