"""The role matrix: who may register, see and act on incoming documents (401 / 403 / 404)."""

from __future__ import annotations

import pytest

from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, post_form, token, type_id

CLERK = "vanthu.xanghiphong"


@pytest.fixture
async def registered(clients, db_sessionmaker) -> int:
    clerk = await clients(CLERK)
    return doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))


@pytest.mark.parametrize("username", ["chuyenvien.xanghiphong", "lanhdao.xanghiphong", "truongphong.xanghiphong"])
async def test_only_clerks_may_receive_documents(clients, db_sessionmaker, username) -> None:
    client = await clients(username)
    assert (await client.get("/incoming/new")).status_code == 403
    fields = intake_fields(await type_id(db_sessionmaker))
    data = {**fields, "_csrf_token": await token(client, "/account")}
    response = await client.post("/incoming/new", data=data, files={"file": ("a.pdf", make_pdf(1), "application/pdf")})
    assert response.status_code == 403 and "Chỉ văn thư" in response.text


async def test_specialist_cannot_register_a_received_document(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker), action="receive"),
                                      make_pdf(1)))
    specialist = await clients("chuyenvien.xanghiphong")
    # Not assigned: the document does not exist for them.
    assert (await specialist.get(f"/incoming/{doc_id}")).status_code == 404
    response = await post_form(specialist, f"/incoming/{doc_id}/transition", {"event": "register"},
                               token_path="/account")
    assert response.status_code == 404
    # The leader sees it, but registering is the clerk's job.
    leader = await clients("lanhdao.xanghiphong")
    response = await post_form(leader, f"/incoming/{doc_id}/transition", {"event": "register"})
    assert response.status_code == 403 and "Chỉ văn thư" in response.text


@pytest.mark.parametrize("path", ["", "/file", "/pages/1", "/slip"])
async def test_leader_of_another_agency_gets_404(clients, registered, path) -> None:
    other = await clients("lanhdao.xanghithai")
    response = await other.get(f"/incoming/{registered}{path}")
    assert response.status_code == 404
    api = await other.get(f"/api/v1/incoming/{registered}")
    assert api.status_code == 404 and api.json()["code"] == "NOT_FOUND"


async def test_other_agency_cannot_act_on_or_list_the_document(clients, registered) -> None:
    other = await clients("vanthu.xanghithai")
    response = await post_form(other, f"/incoming/{registered}/transition", {"event": "submit"},
                               token_path="/account")
    assert response.status_code == 404
    listing = await other.get("/incoming?inbox=all")
    assert f"/incoming/{registered}" not in listing.text
    assert f"/incoming/{registered}" not in (await other.get("/search?q=125")).text
    assert "125/UBND-VP" not in (await other.get("/incoming/book")).text


@pytest.mark.parametrize("path", ["/incoming", "/incoming/new", "/incoming/1", "/incoming/book", "/tasks"])
async def test_anonymous_is_sent_to_login(client, path) -> None:
    response = await client.get(path)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


async def test_anonymous_api_gets_401_problem_json(client) -> None:
    response = await client.get("/api/v1/incoming")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_register_book_is_for_clerks_and_leaders_only(clients) -> None:
    assert (await (await clients("chuyenvien.xanghiphong")).get("/incoming/book")).status_code == 403
    assert (await (await clients("chuyenvien.xanghiphong")).get("/incoming/book.csv")).status_code == 403
    assert (await (await clients("lanhdao.xanghiphong")).get("/incoming/book")).status_code == 200
