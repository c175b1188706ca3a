"""``GET /offline/sync`` (issue 11 item 8): what each user's devices keep ahead, and drop after a recall."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from backend.db.models import (
    ExchangeReceipt,
    IncomingDocument,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientKind,
    User,
)
from backend.lib import clock
from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, post_form, type_id

CLERK, LEADER, SPECIALIST = "vanthu.xanghiphong", "lanhdao.xanghiphong", "chuyenvien.xanghiphong"


async def _recall(db_sessionmaker, incoming_id: int) -> None:
    """The receiving side of a platform recall: the sender's recall notice on the document's receipt."""
    async with db_sessionmaker() as db:
        incoming = await db.get(IncomingDocument, incoming_id)
        clerk = await db.scalar(sa.select(User).where(User.username == CLERK))
        out = OutgoingDocument(agency_id=incoming.agency_id, document_type_id=incoming.document_type_id,
                               summary=incoming.summary, drafter_id=clerk.id, signer_id=clerk.id,
                               main_file_id=incoming.file_id)
        db.add(out)
        await db.flush()
        line = OutgoingRecipient(outgoing_id=out.id, kind=RecipientKind.AGENCY, name="UBND xã",
                                 recipient_agency_id=incoming.agency_id, incoming_id=incoming_id)
        db.add(line)
        await db.flush()
        db.add(ExchangeReceipt(incoming_id=incoming_id, recipient_id=line.id, recall_requested_at=clock.now(),
                               recall_reason="Ban hành nhầm"))
        await db.commit()


async def test_sync_lists_documents_given_to_the_user_and_recalled_ones(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    response = await post_form(clerk, f"/incoming/{doc_id}/transition", {"event": "submit"})
    assert response.status_code == 303, response.text[:2000]

    leader = await clients(LEADER)
    answer = await leader.get("/offline/sync")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert answer.json() == {"prefetch": [f"/incoming/{doc_id}"], "recalled": []}  # waiting for him to assign
    assert (await (await clients(SPECIALIST)).get("/offline/sync")).json()["prefetch"] == []  # not given to them

    before = clock.now()
    await _recall(db_sessionmaker, doc_id)
    answer = (await leader.get("/offline/sync")).json()
    assert answer["prefetch"] == [] and [r["url"] for r in answer["recalled"]] == [f"/incoming/{doc_id}"]
    # the instant of the recall: a device keeps the copies it made after it (the recall notice)
    recalled_at = dt.datetime.fromisoformat(answer["recalled"][0]["at"])
    assert before <= recalled_at <= clock.now()
    # The recall reaches every user who may see the document, not only those it was given to.
    assert (await clerk.get("/offline/sync")).json()["recalled"] == answer["recalled"]


async def test_sync_needs_a_login(client) -> None:
    response = await client.get("/offline/sync")
    assert response.status_code in (302, 303, 401)
