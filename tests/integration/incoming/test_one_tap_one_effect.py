"""One tap, one effect (issue 11 item 4): an online htmx form's Idempotency-Key makes a double tap or a
retry after a lost answer one action, and the second answer sends the page to the real state.

The key (``web/static/js/app.js``) is the one the offline queue replays with. A form that applies a
non-OTP event on a route that may also sign (``outgoing.transition``) is keyed like any other; only a
*queued* replay (``CV-Offline-Replay``) of such a route is refused.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from backend.db.models import IncomingDocument, IncomingEvent, OutgoingEvent
from tests.support.incoming import intake_fields, make_pdf, type_id
from tests.support.outgoing import Api, create_draft, ids

CLERK = "vanthu.xanghiphong"


async def test_double_submitted_intake_registers_one_document(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    page = await clerk.get("/incoming/new")
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    fields = {**intake_fields(await type_id(db_sessionmaker, "cong_van"), code_number="77"), "_csrf_token": token,
              "action": "register"}
    headers = {"HX-Request": "true", "HX-Boosted": "true", "Idempotency-Key": uuid.uuid4().hex}
    files = {"file": ("cv.pdf", make_pdf(1), "application/pdf")}
    first = await clerk.post("/incoming/new", data=fields, files=files, headers=headers)
    second = await clerk.post("/incoming/new", data=fields, files=files, headers=headers)
    assert first.status_code in (200, 303) and first.headers["cv-offline-result"] == "applied"
    assert second.headers["cv-offline-result"] == "replayed" and second.text == ""
    assert second.headers.get("hx-redirect") or second.headers.get("hx-refresh") == "true"
    async with db_sessionmaker() as db:
        numbers = (await db.scalars(sa.select(IncomingDocument.arrival_number)
                                    .where(IncomingDocument.code_number == "77"))).all()
    assert numbers == [1]  # one arrival number allocated: nothing registered twice


async def test_keyed_transition_on_a_signing_route_is_applied_once(client, settings, db_sessionmaker) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    doc_id = await create_draft(drafter, ids_)
    page = await drafter.get(f"/outgoing/{doc_id}")
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    form = {"event": "submit", "version": "1", "_csrf_token": token}
    headers = {"HX-Request": "true", "Idempotency-Key": uuid.uuid4().hex}
    first = await drafter.request("POST", f"/outgoing/{doc_id}/transition", data=form, headers=headers)
    assert first.status_code == 200 and 'id="document-panel"' in first.text, first.text[:500]
    again = await drafter.request("POST", f"/outgoing/{doc_id}/transition", data=form, headers=headers)
    assert again.status_code == 200 and again.headers["hx-refresh"] == "true" and again.text == ""
    async with db_sessionmaker() as db:
        kinds = (await db.scalars(sa.select(OutgoingEvent.kind).where(OutgoingEvent.outgoing_id == doc_id))).all()
    assert list(kinds).count("submit") == 1


async def test_a_transition_tapped_twice_is_recorded_once(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    page = await clerk.get("/incoming/new")
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    fields = {**intake_fields(await type_id(db_sessionmaker, "cong_van"), code_number="78"), "_csrf_token": token,
              "action": "register"}
    created = await clerk.post("/incoming/new", data=fields, files={"file": ("cv.pdf", make_pdf(1), "application/pdf")})
    doc_id = int(created.headers["location"].rstrip("/").split("/")[-1])
    headers = {"HX-Request": "true", "Idempotency-Key": uuid.uuid4().hex}
    answers = [await clerk.post(f"/incoming/{doc_id}/transition", data={"event": "submit", "_csrf_token": token},
                                headers=headers) for _ in range(2)]
    assert [a.headers["cv-offline-result"] for a in answers] == ["applied", "replayed"]
    async with db_sessionmaker() as db:
        submits = await db.scalar(sa.select(sa.func.count()).select_from(IncomingEvent).where(
            IncomingEvent.incoming_id == doc_id, IncomingEvent.kind == "submit"))
    assert submits == 1


async def test_the_duplicate_warning_recognises_the_clerks_own_document(clients, db_sessionmaker) -> None:
    """Sent again after it was registered (back button, a second tap without JS): "you just took this in"."""
    clerk = await clients(CLERK)
    page = await clerk.get("/incoming/new")
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    fields = {**intake_fields(await type_id(db_sessionmaker, "cong_van"), code_number="79"), "_csrf_token": token,
              "action": "register"}
    pdf = make_pdf(1)
    created = await clerk.post("/incoming/new", data=fields, files={"file": ("cv.pdf", pdf, "application/pdf")})
    assert created.status_code == 303
    again = await clerk.post("/incoming/new", data=fields, files={"file": ("cv.pdf", pdf, "application/pdf")})
    assert again.status_code == 409
    assert "Bạn vừa tiếp nhận văn bản này lúc" in again.text and "Mở văn bản vừa tiếp nhận" in again.text
    assert "<details class=\"more\"><summary>Đây là một văn bản khác" in again.text
    async with db_sessionmaker() as db:
        count = await db.scalar(sa.select(sa.func.count()).select_from(IncomingDocument)
                                .where(IncomingDocument.code_number == "79"))
    assert count == 1
