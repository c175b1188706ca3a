"""Placing the signature is a deliberate act (issue 11, blocker 2), over HTTP without JavaScript.

The signer's document page shows the page images for reading and a "Đổi vị trí chữ ký" link; only in
placement mode (``?place=1``) are the images the tap-to-place form, drawn with the boxes where the
signature, number and date will land. A tap moves the box (303 back to placement mode), "Hoàn tác"
restores the position from before the last tap, and there is nothing more to undo after that. A
malformed tap (non-numeric coordinate, zero or non-numeric image size) is a 422 with the Vietnamese
message and changes nothing (it used to be a 500). Someone who may not place gets a 403. The marked
page and the placement preview are WebP images that change when the box moves and revalidate by ETag.
"""

from __future__ import annotations

import re

import httpx
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import AuditEvent, OutgoingDocument
from backend.domain.outgoing._pdf import DocLayout
from tests.support.outgoing import Api, ids, to_awaiting

DRAFTER, HEAD, CLERK, LEADER = ("chuyenvien.xanghiphong", "truongphong.xanghiphong", "vanthu.xanghiphong",
                                "lanhdao.xanghiphong")
INVALID = "Vị trí đã chọn không hợp lệ"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def _layout(settings: Settings, doc_id: int) -> str:
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            return str(await db.scalar(sa.select(OutgoingDocument.layout).where(OutgoingDocument.id == doc_id)))
    finally:
        await engine.dispose()


async def _audits(settings: Settings, doc_id: int) -> list[str]:
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            query = sa.select(AuditEvent.action).where(
                AuditEvent.object_type == "outgoing", AuditEvent.object_id == str(doc_id)).order_by(AuditEvent.id)
            return list((await db.scalars(query)).all())
    finally:
        await engine.dispose()


async def _post(api: Api, path: str, fields: dict[str, str]) -> httpx.Response:
    page = await api.get(f"/outgoing/{path.split('/')[2]}?place=1")
    token = CSRF.search(page.text)
    assert token
    return await api.request("POST", path, data={**fields, "_csrf_token": token.group(1)})


async def test_placement_is_a_mode_with_undo_and_malformed_taps_are_422(
        client: AsyncTestClient[Litestar], settings: Settings) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk = [await Api(client).login(user) for user in (DRAFTER, HEAD, CLERK)]
    leader = await Api(client).login(LEADER)
    doc_id = await to_awaiting(drafter, head, clerk, ids_)
    path = f"/outgoing/{doc_id}"
    found = await _layout(settings, doc_id)
    assert DocLayout.from_json(found).signature is not None  # the format check located box 7c

    reading = await leader.get(path)
    assert reading.status_code == 200
    assert "tap-form" not in reading.text and "page-tap" not in reading.text and 'class="page-image"' in reading.text
    assert f'href="{path}?place=1#document-pages"' in reading.text and "Đổi vị trí chữ ký" in reading.text
    placing = await leader.get(f"{path}?place=1")
    assert 'class="tap-form"' in placing.text and f"{path}/pages/1/marked?v=" in placing.text
    assert "Hoàn tác" not in placing.text  # nothing to undo yet
    preview_before = await leader.get(f"{path}/placement")
    assert preview_before.status_code == 200 and preview_before.headers["content-type"] == "image/webp"
    etag = preview_before.headers["etag"]
    assert (await leader.get(f"{path}/placement", headers={"If-None-Match": etag})).status_code == 304

    # Malformed taps: 422 with the message, nothing changed.
    for fields in ({"w": "360", "h1": "509", "p1.x": "abc", "p1.y": "10"},
                   {"w": "0", "h1": "509", "p1.x": "10", "p1.y": "10"},
                   {"w": "abc", "h1": "509", "p1.x": "10", "p1.y": "10"},
                   {"w": "360", "h1": "0", "p1.x": "10", "p1.y": "10"},
                   {"w": "360", "h1": "509", "p1.x": "-5", "p1.y": "10"},
                   {"page": "1", "x": "nan", "y": "0.5"},
                   {"page": "x", "x": "0.5", "y": "0.5"}):
        refused = await _post(leader, f"{path}/place", {"what": "signature", **fields})
        assert refused.status_code == 422, (fields, refused.status_code)
        assert INVALID in refused.text
    assert await _layout(settings, doc_id) == found

    # A tap in placement mode moves the box, back in placement mode with "Hoàn tác".
    moved = await _post(leader, f"{path}/place", {"what": "signature", "w": "360", "h1": "509",
                                                  "p1.x": "90", "p1.y": "120"})
    assert moved.status_code == 303 and moved.headers["location"] == f"{path}?place=1#document-pages"
    after = DocLayout.from_json(await _layout(settings, doc_id))
    before = DocLayout.from_json(found)
    assert after.signature is not None and after.signature.page == 0 and after.signature != before.signature
    placing = await leader.get(f"{path}?place=1")
    assert "Đã lưu vị trí." in placing.text and "Hoàn tác" in placing.text
    preview_after = await leader.get(f"{path}/placement", headers={"If-None-Match": etag})
    assert preview_after.status_code == 200 and preview_after.content != preview_before.content

    # "Hoàn tác" restores the position from before the tap; then there is nothing left to undo.
    undone = await _post(leader, f"{path}/place/undo", {})
    assert undone.status_code == 303 and undone.headers["location"] == f"{path}?place=1#document-pages"
    restored = DocLayout.from_json(await _layout(settings, doc_id))
    assert restored == before
    again = await _post(leader, f"{path}/place/undo", {})
    assert again.status_code == 422 and "Không có thay đổi vị trí nào để hoàn tác." in again.text
    assert (await _audits(settings, doc_id)).count("outgoing.placed") == 1
    assert "outgoing.placement_undone" in await _audits(settings, doc_id)

    # The drafter may read the document but not place anything.
    drafter_page = await drafter.get(f"{path}?place=1")
    assert "tap-form" not in drafter_page.text and "Đổi vị trí chữ ký" not in drafter_page.text
    denied = await drafter.post(f"{path}/place", data={"what": "signature", "page": "1", "x": "0.5", "y": "0.5"})
    assert denied.status_code == 403
    assert (await drafter.post(f"{path}/place/undo", data={})).status_code == 403
    assert DocLayout.from_json(await _layout(settings, doc_id)) == before
