"""Issuing reads the paper-copy list as the province's administrator left it on /admin/paper-copy.

Two documents of the Nghi Phong commune go the whole way with the REAL signing server (SoftHSM,
the outgoing tests' session server): one about the budget (matched by the initial keyword
"ngân sách"), one about allowances (matched by nothing at first). The administrator then stops
"ngân sách" and adds "Phụ cấp" through the page; at issue the first is not flagged and the second
is, as :func:`paper_copy_preview` announced before issue. While a document is sealed and waits
for "Phát hành", its page tells the clerk that it will have to travel on paper too.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from backend.db.models import AuditEvent, OutgoingDocument
from backend.domain.outgoing.paper_copy import paper_copy_preview
from tests.support.outgoing import Api, create_draft, fresh_otp, ids, to_awaiting

BUDGET = "V/v phân bổ ngân sách cho chuyển đổi số năm 2026"
ALLOWANCE = "V/v chi trả phụ cấp cho người hoạt động không chuyên trách ở xã"


async def _previews(db_sessionmaker: Any, *doc_ids: int) -> list[bool]:
    async with db_sessionmaker() as db:
        return [await paper_copy_preview(db, await db.get(OutgoingDocument, doc_id)) for doc_id in doc_ids]


NOTICE = 'id="paper-copy-notice"'
NOTICE_TEXT = "Văn bản thuộc danh mục phải gửi kèm bản giấy"


async def _notice_shown(api: Api, doc_id: int) -> bool:
    page = await api.get(f"/outgoing/{doc_id}")
    assert page.status_code == 200, page.text
    assert (NOTICE in page.text) is (NOTICE_TEXT in page.text)
    return NOTICE in page.text


async def _sign_and_seal(leader: Api, clerk: Api, out_signing: Any, *doc_ids: int) -> None:
    """The leader signs ``doc_ids`` in one batch; the clerk numbers and seals each: ``org_signed``."""
    signed = await leader.post("/api/v1/outgoing/sign-batch", json={
        "doc_ids": list(doc_ids), "otp": await fresh_otp(out_signing, "lanhdao.xanghiphong")})
    assert signed.status_code == 200, signed.text
    for doc_id in doc_ids:
        assert (await clerk.act(doc_id, "number")).status_code == 200
        sealed = await clerk.act(doc_id, "seal", otp=await fresh_otp(out_signing, "000.01.21.H41"))
        assert sealed.status_code == 200 and sealed.json()["state"] == "org_signed", sealed.text


async def _rule_id(api: Api, label: str) -> int:
    page = (await api.get("/admin/paper-copy")).text
    row = page.split(f"<span class=\"row-title\">{label}</span>")[1]
    return int(row.split('action="/admin/paper-copy/')[1].split("/")[0])


async def test_issue_flags_paper_copy_from_the_list_edited_on_the_admin_page(
    client, settings, out_signing, db_sessionmaker
) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    head = await Api(client).login("truongphong.xanghiphong")
    clerk = await Api(client).login("vanthu.xanghiphong")
    leader = await Api(client).login("lanhdao.xanghiphong")
    admin = await Api(client).login("quantri.tinh")

    budget = await to_awaiting(drafter, head, clerk, ids_, extra={"summary": BUDGET})
    allowance = await to_awaiting(drafter, head, clerk, ids_, extra={"summary": ALLOWANCE})
    proposal = await create_draft(drafter, ids_, extra={"document_type_id": str(ids_["to_trinh"])})
    assert await _previews(db_sessionmaker, budget, allowance, proposal) == [True, False, False]

    await _sign_and_seal(leader, clerk, out_signing, budget, allowance)

    # The province's administrator edits the list through the page (plain form posts).
    off = await admin.post(f"/admin/paper-copy/{await _rule_id(admin, 'Từ khóa “ngân sách”')}/deactivate")
    assert off.status_code == 303
    added = await admin.post("/admin/paper-copy", data={"kind": "keyword", "keyword": "Phụ cấp", "note": ""})
    assert added.status_code == 303, added.text
    typed = await admin.post("/admin/paper-copy", data={"kind": "document_type",
                                                        "document_type_id": str(ids_["to_trinh"])})
    assert typed.status_code == 303, typed.text
    assert await _previews(db_sessionmaker, budget, allowance, proposal) == [False, True, True]

    for doc_id, flagged in ((budget, False), (allowance, True)):
        issued = await clerk.act(doc_id, "issue")
        assert issued.status_code == 200 and issued.json()["state"] == "issued", issued.text
        assert issued.json()["paper_copy_required"] is flagged
        page = await clerk.get(f"/outgoing/{doc_id}")
        assert ('<span class="pill pill-warn">Gửi kèm bản giấy' in page.text) is flagged
    async with db_sessionmaker() as db:
        rows = (await db.execute(sa.select(AuditEvent.object_id, AuditEvent.detail).where(
            AuditEvent.action == "outgoing.issue", AuditEvent.object_id.in_([str(budget), str(allowance)])))).all()
    assert {object_id: json.loads(detail)["paper_copy"] for object_id, detail in rows} == {
        str(budget): False, str(allowance): True}


async def test_sealed_document_page_announces_the_paper_copy_before_issue(client, settings, out_signing) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    head = await Api(client).login("truongphong.xanghiphong")
    clerk = await Api(client).login("vanthu.xanghiphong")
    leader = await Api(client).login("lanhdao.xanghiphong")

    budget = await to_awaiting(drafter, head, clerk, ids_, extra={"summary": BUDGET})
    allowance = await to_awaiting(drafter, head, clerk, ids_, extra={"summary": ALLOWANCE})
    # Not yet sealed: nothing to announce, even for the document the list matches.
    assert [await _notice_shown(clerk, doc_id) for doc_id in (budget, allowance)] == [False, False]

    await _sign_and_seal(leader, clerk, out_signing, budget, allowance)
    # Sealed, waiting for "Phát hành": the clerk (and the drafter) see it on the matching document only.
    assert [await _notice_shown(clerk, doc_id) for doc_id in (budget, allowance)] == [True, False]
    assert await _notice_shown(drafter, budget) is True
    budget_page = (await clerk.get(f"/outgoing/{budget}")).text
    assert "Phát hành" in budget_page.split(NOTICE)[1]
    assert '<span class="pill pill-warn">Gửi kèm bản giấy' not in budget_page

    issued = await clerk.act(budget, "issue")
    assert issued.status_code == 200 and issued.json()["paper_copy_required"] is True, issued.text
    # Issued: the announcement gives way to the document's own flag and the paper-copy form.
    budget_page = (await clerk.get(f"/outgoing/{budget}")).text
    assert NOTICE not in budget_page
    assert '<span class="pill pill-warn">Gửi kèm bản giấy' in budget_page
    assert "Ghi nhận đã gửi bản giấy" in budget_page
