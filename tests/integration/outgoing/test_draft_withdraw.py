"""A drafter withdraws a draft from review and deletes it; nobody else can, and not after approval (issue 11 item 5).

A deleted draft leaves every list and search but keeps its history (state ``discarded``, audit row).
"""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import AuditEvent, OutgoingEvent
from tests.support.outgoing import Api, create_draft, ids


async def _history(settings: Settings, doc_id: int) -> tuple[list[str], list[str]]:
    """(history kinds, audit actions) of one document, read straight from the database."""
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            kinds = (await db.scalars(sa.select(OutgoingEvent.kind).where(OutgoingEvent.outgoing_id == doc_id)
                                      .order_by(OutgoingEvent.id))).all()
            audit = (await db.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == str(doc_id),
                                                                       AuditEvent.object_type == "outgoing")
                                      .order_by(AuditEvent.id))).all()
            return list(kinds), list(audit)
    finally:
        await engine.dispose()


def _ids_of(response_json: dict) -> set[int]:
    return {item["id"] for item in response_json["items"]}


async def test_drafter_withdraws_from_review_then_deletes_and_the_draft_leaves_every_list(
        client: AsyncTestClient[Litestar], settings: Settings) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    head = await Api(client).login("truongphong.xanghiphong")
    doc_id = await create_draft(drafter, ids_)
    assert (await drafter.act(doc_id, "submit")).status_code == 200

    refused = await head.act(doc_id, "withdraw")
    assert refused.status_code in (403, 409) and "người soạn thảo" in refused.text

    withdrawn = await drafter.act(doc_id, "withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "draft", withdrawn.text
    assert doc_id not in _ids_of((await head.get("/api/v1/outgoing/?tab=to_review")).json())

    assert (await head.act(doc_id, "discard")).status_code in (403, 409)
    deleted = await drafter.act(doc_id, "discard")
    assert deleted.status_code == 200 and deleted.json()["state"] == "discarded", deleted.text
    assert deleted.json()["actions"] == []

    for tab in ("drafts", "all"):
        assert doc_id not in _ids_of((await drafter.get(f"/api/v1/outgoing/?tab={tab}")).json())
    assert doc_id not in _ids_of((await drafter.get("/api/v1/outgoing/?q=chuyển đổi số")).json())
    assert (await drafter.act(doc_id, "submit")).status_code in (403, 409)

    kinds, audit = await _history(settings, doc_id)
    assert kinds[-2:] == ["withdraw", "discard"]
    assert sum(1 for action in audit if "discard" in action) == 1


async def test_after_approval_the_draft_can_be_neither_withdrawn_nor_deleted(
        client: AsyncTestClient[Litestar], settings: Settings) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    head = await Api(client).login("truongphong.xanghiphong")
    doc_id = await create_draft(drafter, ids_)
    assert (await drafter.act(doc_id, "submit")).status_code == 200
    assert (await head.act(doc_id, "approve")).status_code == 200

    for event in ("withdraw", "discard"):
        response = await drafter.act(doc_id, event)
        assert response.status_code in (403, 409), response.text
    detail = (await drafter.get(f"/api/v1/outgoing/{doc_id}")).json()
    assert detail["state"] == "format_check"


async def test_the_draft_page_offers_delete_as_a_confirmed_secondary_action(
        client: AsyncTestClient[Litestar], settings: Settings) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    doc_id = await create_draft(drafter, ids_)
    page = (await drafter.get(f"/outgoing/{doc_id}")).text
    delete_form = page.split('value="discard"')[0].rsplit("<form", 1)[1]
    assert 'data-confirm="Xác nhận: Xóa dự thảo?"' in delete_form
    assert page.index('value="submit"') < page.index('value="discard"')
