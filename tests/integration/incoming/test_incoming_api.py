"""The JSON API /api/v1 with the same permissions as the pages, and its OpenAPI schema."""
from __future__ import annotations

from datetime import timedelta

from backend.lib import clock
from tests.support.incoming import intake_fields, make_pdf, type_id, unit_id


async def _csrf(client) -> str:
    session = await client.get("/api/v1/session")
    assert session.status_code == 200
    return session.json()["csrf_token"]


async def test_api_carries_a_document_through_the_workflow(clients, db_sessionmaker, demo) -> None:
    clerk = await clients("vanthu.xanghiphong")
    headers = {"X-CSRFToken": await _csrf(clerk)}
    created = await clerk.post("/api/v1/incoming", data=intake_fields(await type_id(db_sessionmaker)),
                               files={"file": ("api.pdf", make_pdf(2), "application/pdf")}, headers=headers)
    assert created.status_code == 201, created.text
    doc = created.json()
    assert doc["state"] == "registered" and doc["arrival_number"] == 1 and doc["page_count"] == 2
    assert [a["event"] for a in doc["actions"]] == ["return_to_sender", "submit"]
    response = await clerk.post(f"/api/v1/incoming/{doc['id']}/transitions", json={"event": "submit"},
                                headers=headers)
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    illegal = await clerk.post(f"/api/v1/incoming/{doc['id']}/transitions", json={"event": "complete"},
                               headers=headers)
    assert illegal.status_code == 409 and illegal.json()["code"] == "DOC_TRANSITION_NOT_ALLOWED"

    leader = await clients("lanhdao.xanghiphong")
    leader_headers = {"X-CSRFToken": await _csrf(leader)}
    listing = await leader.get("/api/v1/incoming?inbox=to_assign")
    assert [item["id"] for item in listing.json()["items"]] == [doc["id"]]
    unit = await unit_id(db_sessionmaker, await demo.agency_id("000.01.21.H41"), "ĐCXD")
    due = (clock.today() + timedelta(days=5)).isoformat()
    denied = await clerk.post(f"/api/v1/incoming/{doc['id']}/assignments", headers=headers,
                              json={"assignees": [{"role": "lead", "unit_id": unit, "due_on": due}]})
    assert denied.status_code == 403 and denied.json()["code"] == "FORBIDDEN"
    invalid = await leader.post(f"/api/v1/incoming/{doc['id']}/assignments", headers=leader_headers,
                                json={"assignees": [{"role": "coordinate", "unit_id": unit}]})
    assert invalid.status_code == 422 and "assignees" in invalid.json()["errors"]
    assigned = await leader.post(f"/api/v1/incoming/{doc['id']}/assignments", headers=leader_headers,
                                 json={"assignees": [{"role": "lead", "unit_id": unit, "due_on": due}],
                                       "instruction": "Xử lý theo quy định."})
    assert assigned.status_code == 200, assigned.text
    body = assigned.json()
    assert body["state"] == "assigned" and body["due_on"] == due
    assert body["assignments"][0]["assignee_name"] == "Địa chính - Xây dựng"
    assert any(event["kind"] == "assign" for event in body["history"])


async def test_api_refusals_are_problem_json(clients, db_sessionmaker) -> None:
    clerk = await clients("vanthu.xanghiphong")
    headers = {"X-CSRFToken": await _csrf(clerk)}
    secret = await clerk.post("/api/v1/incoming", headers=headers,
                              data=intake_fields(await type_id(db_sessionmaker), confidentiality="toi_mat"),
                              files={"file": ("mat.pdf", make_pdf(1), "application/pdf")})
    assert secret.status_code == 422 and secret.json()["code"] == "DOC_CONFIDENTIAL_REFUSED"
    not_pdf = await clerk.post("/api/v1/incoming", headers=headers, data=intake_fields(await type_id(db_sessionmaker)),
                               files={"file": ("x.pdf", b"hello", "application/pdf")})
    assert not_pdf.status_code == 422 and "file" in not_pdf.json()["errors"]
    no_csrf = await clerk.post("/api/v1/incoming/1/transitions", json={"event": "submit"})
    assert no_csrf.status_code == 403
    specialist = await clients("chuyenvien.xanghiphong")
    refused = await specialist.post("/api/v1/incoming", headers={"X-CSRFToken": await _csrf(specialist)},
                                    data=intake_fields(await type_id(db_sessionmaker)),
                                    files={"file": ("a.pdf", make_pdf(1), "application/pdf")})
    assert refused.status_code == 403


async def test_openapi_schema_describes_the_api(client) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    for path in ("/api/v1/incoming", "/api/v1/incoming/{doc_id}", "/api/v1/incoming/{doc_id}/transitions",
                 "/api/v1/incoming/{doc_id}/assignments", "/api/v1/session"):
        assert path in schema["paths"], path
    assert "multipart/form-data" in schema["paths"]["/api/v1/incoming"]["post"]["requestBody"]["content"]
