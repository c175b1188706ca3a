"""The auditor role (issue 15 item 6): reads the audit trail of its agency's subtree (the chain verified on
screen, the CSV export) and the statistics and reports; every state-changing route refuses it."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler

from backend.db.models import AuditEvent, IncomingDocument, OutgoingDocument, Role, RoleGrant, Unit, User, WorkFile
from backend.lib import clock
from backend.lib.i18n import t
from tests.support.incoming import Clients, doc_id_from, intake, intake_fields, make_pdf, type_id
from tests.support.workfiles import arrange_incoming, arrange_outgoing

AUDITOR, PROVINCE_CLERK, DISTRICT_CLERK = "kiemsoat.tinh", "vanthu.tinh", "vanthu.nghiloc"
PERSONAL = ("/login", "/logout", "/account/", "/notifications/", "/search/saved")
"""The person's own account, device, notification and saved-search settings: open to every logged-in user."""


@pytest.fixture
def clients(client, login) -> Clients:
    return Clients(client, login)


async def test_the_auditor_reads_the_trail_of_the_province_and_verifies_the_chain(clients, db_sessionmaker) -> None:
    clerk = await clients(DISTRICT_CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    assert (await clerk.get(f"/incoming/{doc_id}")).status_code == 200
    auditor = await clients(AUDITOR)
    assert (await auditor.get("/")).headers["location"] == "/admin/audit"
    page = await auditor.get("/admin/audit", params={"object_type": "incoming", "object_id": str(doc_id)})
    assert page.status_code == 200
    assert "incoming.viewed" in page.text and DISTRICT_CLERK in page.text  # a district below the province
    assert 'href="/admin/users"' not in page.text and 'href="/reports/compliance"' in page.text
    chain = await auditor.get("/admin/audit/chain")
    assert chain.status_code == 200 and "Chuỗi nhật ký toàn vẹn" in chain.text
    export = await auditor.get("/admin/audit/export.csv", params={"object_type": "incoming",
                                                                 "object_id": str(doc_id)})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert "incoming.viewed" in {row[2] for row in rows[1:]} and DISTRICT_CLERK in {row[3] for row in rows[1:]}
    async with db_sessionmaker() as db:
        exported = (await db.scalars(sa.select(AuditEvent.actor_name).where(
            AuditEvent.action == "audit.exported"))).all()
    assert exported == [AUDITOR]
    account = await auditor.get("/account")
    assert 'href="/admin/audit"' in account.text and 'href="/statistics"' in account.text
    assert 'href="/admin"' not in account.text
    for path in ("/statistics", "/reports/compliance", "/reports/compliance.pdf", "/api/v1/reports/compliance"):
        assert (await auditor.get(path)).status_code == 200, path


async def test_the_auditor_sees_no_document_and_no_admin_page(clients, db_sessionmaker) -> None:
    clerk = await clients(PROVINCE_CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    auditor = await clients(AUDITOR)
    assert (await auditor.get(f"/incoming/{doc_id}")).status_code == 404
    assert "Công văn về việc" not in (await auditor.get("/incoming")).text
    for path in ("/admin", "/admin/users", "/admin/agencies", "/admin/import", "/admin/certificates"):
        assert (await auditor.get(path)).status_code == 403, path


async def test_an_administrator_grants_the_auditor_role(as_user, client, post_form, demo, db_sessionmaker) -> None:
    await as_user("quantri.nghiloc")
    form = await client.get("/admin/users/new")
    assert 'value="auditor"' in form.text and "Kiểm soát viên" in form.text
    district = await demo.agency_id("000.00.21.H41")
    response = await post_form("/admin/users/new", {"username": "kiemsoat.nghiloc", "full_name": "Lê Thị Kiểm",
                                                    "agency_id": str(district), "home_roles": "auditor"})
    assert response.status_code == 303
    async with db_sessionmaker() as db:
        user = (await db.scalars(sa.select(User).where(User.username == "kiemsoat.nghiloc"))).one()
        roles = (await db.scalars(sa.select(RoleGrant.role).where(RoleGrant.user_id == user.id))).all()
    assert roles == [Role.AUDITOR]


def _sample(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A smallest value the OpenAPI ``schema`` accepts, so a request passes validation and reaches the policy."""
    if "$ref" in schema:
        return _sample(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return _sample(options[0], components) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: _sample(schema["properties"][name], components) for name in schema.get("required", [])}
    if kind == "array":
        return [_sample(schema.get("items", {}), components) for _ in range(schema.get("minItems", 1))]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return clock.today().isoformat()
    return "Thử" + "x" * max(0, schema.get("minLength", 0) - 3)


def _mutating_routes(app: Litestar) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler):
                found += [(method, route.path) for method in handler.http_methods
                          if method not in ("GET", "HEAD", "OPTIONS")]
    return sorted(set(found))


async def test_every_state_changing_route_refuses_the_auditor(app, clients, demo, settings,
                                                              db_sessionmaker) -> None:
    province = await demo.agency_id("000.00.00.H41")
    clerk = await demo.user(PROVINCE_CLERK)
    today = clock.today()
    incoming = await arrange_incoming(db_sessionmaker, settings, province, number=7, summary="Văn bản đến thử",
                                      issued_on=today)
    outgoing = await arrange_outgoing(db_sessionmaker, settings, province, drafter=clerk.id, summary="Dự thảo thử")
    async with db_sessionmaker() as db:
        unit = (await db.scalars(sa.select(Unit.id).where(Unit.agency_id == province).limit(1))).one()
        work_file = WorkFile(agency_id=province, year=today.year, title="Hồ sơ thử", file_notation="HS",
                             retention="10 năm", rights="Công khai", owner_user_id=clerk.id, start_date=today)
        db.add(work_file)
        await db.commit()
        file_id = work_file.id
    auditor = await clients(AUDITOR)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', (await auditor.get("/account")).text)
    assert token
    ids = {"doc_id": incoming, "incoming_id": incoming, "file_id": file_id, "year": today.year,
           "agency_id": province, "unit_id": unit, "user_id": clerk.id, "kind": "signature", "source": "incoming"}
    openapi = (await auditor.get("/schema/openapi.json")).json()
    form = {"_csrf_token": token.group(1), "event": "submit", "reason": "Kiểm tra quyền", "doc_id": str(outgoing),
            "otp": "123456"}
    routes = [r for r in _mutating_routes(app) if not r[1].startswith(PERSONAL)]
    assert len(routes) > 60  # the sweep sees the whole application, not a handful of routes
    outcomes = {}
    for method, template in routes:
        values = dict(ids, doc_id=outgoing) if "outgoing" in template else ids
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m, v=values: str(v.get(m.group(1), 1)), template)
        if path.startswith("/api/"):
            operation = openapi["paths"][re.sub(r":\w+\}", "}", template)][method.lower()]
            content = operation.get("requestBody", {}).get("content", {})
            body = _sample(content["application/json"]["schema"], openapi["components"]["schemas"]) \
                if "application/json" in content else None
            if isinstance(body, dict) and "event" in body:  # a real event of the document's lifecycle
                body["event"] = "submit" if "outgoing" in template else "register"
            if isinstance(body, dict) and "assignees" in body:
                body.update(event="assign", assignees=[{"role": "lead", "unit_id": unit}])
            response = await auditor.request(method, path, json=body, headers={"X-CSRFToken": token.group(1)})
        else:
            response = await auditor.request(method, path, data=form, headers={"X-CSRFToken": token.group(1)})
        assert t("error.csrf") not in response.text, (method, template)
        outcomes[(method, template)] = response.status_code
    refused = {f"{code} {key[0]} {key[1]}" for key, code in outcomes.items() if code not in (403, 404)}
    assert sorted(refused) == []
    async with db_sessionmaker() as db:
        assert (await db.get(IncomingDocument, incoming)).version == 1  # type: ignore[union-attr]
        assert (await db.get(OutgoingDocument, outgoing)).version == 1  # type: ignore[union-attr]
        assert (await db.get(WorkFile, file_id)).version == 1  # type: ignore[union-attr]
        actions = set((await db.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.actor_name == AUDITOR))).all())
    assert actions == {"auth.login"}
