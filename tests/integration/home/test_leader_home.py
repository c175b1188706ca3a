"""The leader home: leaders land on it, its counts match the lists and stay inside the agency, and the
month's chart is an SVG drawn on the server."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from backend.db.models import IncomingDocument
from backend.lib import clock
from tests.support.incoming import Clients, intake_fields, make_pdf, type_id, unit_id

CLERK, LEADER, OTHER_LEADER = "vanthu.xanghiphong", "lanhdao.xanghiphong", "lanhdao.nghiloc"
COMMUNE = "000.01.21.H41"


@pytest.fixture
def clients(client, login) -> Clients:
    return Clients(client, login)


async def _csrf(client) -> dict[str, str]:
    return {"X-CSRFToken": (await client.get("/api/v1/session")).json()["csrf_token"]}


async def _submitted(clients: Clients, db_sessionmaker, count: int) -> list[int]:
    clerk = await clients(CLERK)
    headers = await _csrf(clerk)
    ids = []
    for n in range(count):
        created = await clerk.post("/api/v1/incoming", headers=headers, files={
            "file": ("home.pdf", make_pdf(1), "application/pdf")},
            data=intake_fields(await type_id(db_sessionmaker), code_number=str(300 + n)))
        assert created.status_code == 201, created.text
        doc_id = created.json()["id"]
        assert (await clerk.post(f"/api/v1/incoming/{doc_id}/transitions", json={"event": "submit"},
                                 headers=headers)).status_code == 200
        ids.append(doc_id)
    return ids


async def _assign(clients: Clients, db_sessionmaker, demo, doc_ids: list[int]) -> None:
    leader = await clients(LEADER)
    headers = await _csrf(leader)
    unit = await unit_id(db_sessionmaker, await demo.agency_id(COMMUNE), "ĐCXD")
    due = (clock.today() + timedelta(days=5)).isoformat()
    for doc_id in doc_ids:
        response = await leader.post(f"/api/v1/incoming/{doc_id}/assignments", headers=headers,
                                     json={"assignees": [{"role": "lead", "unit_id": unit, "due_on": due}]})
        assert response.status_code == 200, response.text


async def _set_due(db_sessionmaker, doc_id: int, days: int) -> None:
    async with db_sessionmaker() as db:
        await db.execute(sa.update(IncomingDocument).where(IncomingDocument.id == doc_id)
                         .values(due_on=clock.today() + timedelta(days=days)))
        await db.commit()


async def test_leaders_land_on_the_home_and_others_on_the_inbox(clients) -> None:
    leader = await clients(LEADER)
    assert (await leader.get("/")).headers["location"] == "/home"
    clerk = await clients(CLERK)
    assert (await clerk.get("/")).headers["location"] == "/incoming"


async def test_counts_match_the_documents_and_stay_in_the_agency(clients, db_sessionmaker, demo) -> None:
    ids = await _submitted(clients, db_sessionmaker, 4)
    await _assign(clients, db_sessionmaker, demo, ids[:3])
    await _set_due(db_sessionmaker, ids[0], -2)   # overdue
    await _set_due(db_sessionmaker, ids[1], 0)    # due today
    leader = await clients(LEADER)
    page = await leader.get("/home")
    assert page.status_code == 200
    text = page.text
    assert '<strong>0</strong><span>chờ tôi ký</span>' in text
    assert '<strong>1</strong><span>chờ tôi phân công</span>' in text
    assert '<strong>1</strong><span>quá hạn xử lý</span>' in text
    assert '<strong>1</strong><span>đến hạn hôm nay</span>' in text
    assert f'href="/incoming/{ids[1]}"' in text and f'href="/incoming/{ids[0]}"' not in text
    assert 'href="/incoming?inbox=to_assign"' in text and 'href="/outgoing?tab=to_sign"' in text
    assert '<svg class="month-chart" role="img"' in text and "chưa xong" in text
    # The tiles agree with the lists they link to.
    to_assign = await leader.get("/api/v1/incoming?inbox=to_assign")
    assert [item["id"] for item in to_assign.json()["items"]] == [ids[3]]
    other = await clients(OTHER_LEADER)
    elsewhere = (await other.get("/home")).text
    for label in ("chờ tôi phân công", "quá hạn xử lý", "đến hạn hôm nay"):
        assert f"<strong>0</strong><span>{label}</span>" in elsewhere
    assert "Không có văn bản nào đến hạn xử lý hôm nay." in elsewhere


async def test_counts_are_capped(clients, db_sessionmaker, monkeypatch) -> None:
    from backend.domain.reminders import figures as leader_counts
    monkeypatch.setattr(leader_counts, "CAP", 2)
    await _submitted(clients, db_sessionmaker, 3)
    leader = await clients(LEADER)
    text = (await leader.get("/home")).text
    assert '<strong>2</strong><span>chờ tôi phân công</span>' in text
