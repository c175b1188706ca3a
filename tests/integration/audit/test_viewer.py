"""The audit viewer: page views and prints are logged, administrators see their agencies' rows only,
filters and keyset pages, the CSV export (itself audited) and the chain status on screen."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from backend.db.models import AuditEvent, User
from backend.domain.accounts.actor import load_actor
from backend.domain.audit.viewer import AuditFilters, audit_page
from tests.support.incoming import Clients, doc_id_from, intake, intake_fields, make_pdf, type_id

CLERK, ADMIN, OTHER_ADMIN = "vanthu.nghiloc", "quantri.nghiloc", "quantri.sotaichinh"


@pytest.fixture
def clients(client, login) -> Clients:
    return Clients(client, login)


async def _viewed_document(clients: Clients, db_sessionmaker) -> int:
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    assert (await clerk.get(f"/incoming/{doc_id}")).status_code == 200
    assert (await clerk.get(f"/incoming/{doc_id}/slip")).status_code == 200
    return doc_id


async def test_views_and_prints_are_audited_and_shown_to_the_admin(clients, db_sessionmaker) -> None:
    doc_id = await _viewed_document(clients, db_sessionmaker)
    async with db_sessionmaker() as db:
        actions = (await db.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "incoming", AuditEvent.object_id == str(doc_id)))).all()
    assert "incoming.viewed" in actions and "incoming.printed" in actions
    admin = await clients(ADMIN)
    page = await admin.get("/admin/audit", params={"object_type": "incoming", "object_id": str(doc_id)})
    assert page.status_code == 200
    assert "incoming.viewed" in page.text and "incoming.printed" in page.text and CLERK in page.text
    only_views = await admin.get("/admin/audit", params={"object_type": "incoming", "object_id": str(doc_id),
                                                         "kind": "viewed"})
    assert "incoming.viewed" in only_views.text and "incoming.printed" not in only_views.text


async def test_htmx_panel_refresh_is_not_a_view(clients, db_sessionmaker) -> None:
    doc_id = await _viewed_document(clients, db_sessionmaker)
    clerk = await clients(CLERK)
    await clerk.get(f"/incoming/{doc_id}", headers={"HX-Request": "true", "HX-Target": "document-panel"})
    async with db_sessionmaker() as db:
        views = await db.scalar(sa.select(sa.func.count()).where(
            AuditEvent.action == "incoming.viewed", AuditEvent.object_id == str(doc_id)))
    assert views == 1


async def test_scope_and_permission(clients, db_sessionmaker) -> None:
    doc_id = await _viewed_document(clients, db_sessionmaker)
    other = await clients(OTHER_ADMIN)
    page = await other.get("/admin/audit", params={"object_type": "incoming", "object_id": str(doc_id)})
    assert page.status_code == 200 and "incoming.viewed" not in page.text
    assert "Không có dòng nhật ký phù hợp" in page.text
    clerk = await clients(CLERK)
    for path in ("/admin/audit", "/admin/audit/export.csv", "/admin/audit/chain"):
        assert (await clerk.get(path)).status_code == 403


async def test_user_and_date_filters_and_keyset_pages(clients, db_sessionmaker) -> None:
    await _viewed_document(clients, db_sessionmaker)
    admin = await clients(ADMIN)
    by_user = await admin.get("/admin/audit", params={"user": CLERK})
    assert CLERK in by_user.text and "auth.login" in by_user.text
    nobody = await admin.get("/admin/audit", params={"user": "khong.ton.tai"})
    assert "Không có dòng nhật ký phù hợp" in nobody.text
    old = await admin.get("/admin/audit", params={"from": "2001-01-01", "to": "2001-12-31"})
    assert "Không có dòng nhật ký phù hợp" in old.text
    garbage = await admin.get("/admin/audit", params={"from": "hôm qua", "action": "x' OR 1=1 --", "cursor": "abc",
                                                      "object_type": "<script>"})
    assert garbage.status_code == 200 and "<script>" not in garbage.text
    async with db_sessionmaker() as db:
        agency = (await db.scalars(sa.select(AuditEvent.agency_id).where(AuditEvent.actor_name == CLERK))).first()
        first = (await db.scalars(sa.select(AuditEvent.id).where(AuditEvent.agency_id == agency))).all()
    # The admin's own pages, two rows each, walk the agency's rows newest first without gaps or repeats.
    admin_row = await _user(db_sessionmaker, ADMIN)
    async with db_sessionmaker() as db:
        admin_actor = await load_actor(db, admin_row, None)
        assert admin_actor is not None
        seen, cursor = [], ""
        while True:
            page = await audit_page(db, admin_actor, AuditFilters(), cursor=cursor, size=2)
            seen += [row.id for row in page.rows]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen))
    assert set(first) <= set(seen)


async def _user(db_sessionmaker, username: str) -> int:
    async with db_sessionmaker() as db:
        return (await db.scalars(sa.select(User.id).where(User.username == username))).one()


async def test_csv_export_is_filtered_and_audited(clients, db_sessionmaker) -> None:
    doc_id = await _viewed_document(clients, db_sessionmaker)
    admin = await clients(ADMIN)
    response = await admin.get("/admin/audit/export.csv", params={"object_type": "incoming",
                                                                  "object_id": str(doc_id)})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Mã" and len(rows) > 2
    assert {row[2] for row in rows[1:]} >= {"incoming.viewed", "incoming.printed"}
    assert all(row[5] == "incoming" and row[6] == str(doc_id) for row in rows[1:])
    async with db_sessionmaker() as db:
        exported = (await db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "audit.exported"))).one()
    assert exported.actor_name == ADMIN and '"rows": ' in exported.detail


async def test_chain_status_on_screen(clients, db_sessionmaker) -> None:
    await _viewed_document(clients, db_sessionmaker)
    admin = await clients(ADMIN)
    intact = await admin.get("/admin/audit/chain")
    assert intact.status_code == 200 and "Chuỗi nhật ký toàn vẹn" in intact.text
    async with db_sessionmaker() as db:
        victim = await db.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "incoming.viewed"))
        await db.execute(sa.update(AuditEvent).where(AuditEvent.id == victim).values(ip="10.0.0.99"))
        await db.commit()
    broken = await admin.get("/admin/audit/chain")
    assert "Chuỗi nhật ký bị phá vỡ" in broken.text and f"dòng mã {victim}" in broken.text
    assert "nội dung dòng bị sửa" in broken.text
