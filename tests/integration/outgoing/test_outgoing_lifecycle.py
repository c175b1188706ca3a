"""After issue, with the REAL signing server (SoftHSM): archiving, recall from the archive, amendment
and replacement (domain.md §6.2; ND 30 Đ.18.3, Đ.18.4, Đ.19).

The clerk files the original only once no delivery is still queued; nobody else may, nor from
another state; an archived document is read-only and can still be recalled. A draft declared as
replacing an issued document moves it to ``replaced`` when it is issued (history and audit name the
new document, the number stays, both pages link each other, the register notes it); an amending
document only links the two; ``replace`` cannot be requested; another agency's document, or one
not issued, is refused on the draft form and the API with a clear message.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import Agency, AuditEvent, DocumentType, OutgoingEvent, Role, RoleGrant, Unit
from tests.support.outgoing import Api, create_draft, draft_pdf, fresh_otp, ids, run_jobs, to_awaiting
from tests.support.signing import SigningEnv

LEADER = "lanhdao.xanghiphong"
AGENCY = "000.01.21.H41"


async def _actors(client: AsyncTestClient[Litestar]) -> tuple[Api, Api, Api, Api]:
    return (await Api(client).login("chuyenvien.xanghiphong"), await Api(client).login("truongphong.xanghiphong"),
            await Api(client).login("vanthu.xanghiphong"), await Api(client).login(LEADER))


async def _issue(clerk: Api, out_signing: SigningEnv, doc_id: int) -> dict[str, Any]:
    """The clerk's steps on a signed document: number, seal (agency OTP), issue; the issued document."""
    body: dict[str, Any] = {}
    for event in ("number", "seal", "issue"):
        otp = await fresh_otp(out_signing, AGENCY) if event == "seal" else ""
        response = await clerk.act(doc_id, event, otp=otp)
        assert response.status_code == 200, response.text
        body = response.json()
    assert body["state"] == "issued"
    return body


async def _one_issued(client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> tuple[
        dict[str, int], tuple[Api, Api, Api, Api], dict[str, Any]]:
    """Look-ups, the drafter, unit head, clerk and leader of Nghi Phong, and one document they issued."""
    ids_ = await ids(settings)
    drafter, head, clerk, leader = await _actors(client)
    doc_id = await to_awaiting(drafter, head, clerk, ids_)
    await _signed(leader, out_signing, doc_id)
    return ids_, (drafter, head, clerk, leader), await _issue(clerk, out_signing, doc_id)


async def _signed(leader: Api, out_signing: SigningEnv, *doc_ids: int) -> None:
    """The leader signs the documents with one OTP (batch signing)."""
    response = await leader.post("/api/v1/outgoing/sign-batch",
                                 json={"doc_ids": list(doc_ids), "otp": await fresh_otp(out_signing, LEADER)})
    assert response.status_code == 200 and sorted(response.json()["signed"]) == sorted(doc_ids), response.text


async def _rows(settings: Settings, query: Any) -> list[Any]:
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            return list((await db.execute(query)).all())
    finally:
        await engine.dispose()


async def _history(settings: Settings, doc_id: int) -> list[tuple[str, str | None, str]]:
    rows = await _rows(settings, sa.select(OutgoingEvent.kind, OutgoingEvent.to_state, OutgoingEvent.text)
                       .where(OutgoingEvent.outgoing_id == doc_id).order_by(OutgoingEvent.id))
    return [(kind, str(getattr(to, "value", to)) if to else None, text) for kind, to, text in rows]


async def _audit(settings: Settings, doc_id: int, action: str) -> list[dict[str, Any]]:
    rows = await _rows(settings, sa.select(AuditEvent.detail).where(
        AuditEvent.object_type == "outgoing", AuditEvent.object_id == str(doc_id), AuditEvent.action == action))
    return [json.loads(detail) for (detail,) in rows]


async def test_archive_waits_for_delivery_is_clerk_only_read_only_and_recall_still_works(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_, (drafter, _head, clerk, leader), issued = await _one_issued(client, settings, out_signing)
    doc_id = issued["id"]
    assert "archive" in [a["event"] for a in issued["actions"]]

    draft = await create_draft(drafter, ids_)
    wrong_state = await clerk.act(draft, "archive")
    assert wrong_state.status_code == 409 and "Lưu bản gốc" in wrong_state.json()["title"], wrong_state.text
    for other in (leader, drafter):
        denied = await other.act(doc_id, "archive")
        assert denied.status_code == 403 and "văn thư" in denied.json()["title"], denied.text
        assert "archive" not in [a["event"] for a in (await other.get(f"/api/v1/outgoing/{doc_id}")).json()["actions"]]

    queued = await clerk.act(doc_id, "archive")  # the platform delivery has not run yet
    assert queued.status_code == 422, queued.text
    assert queued.json()["code"] == "OUT_DELIVERY_PENDING"
    assert "Ủy ban nhân dân xã Nghi Thái" in queued.json()["title"] and "chờ gửi" in queued.json()["title"]
    assert (await clerk.get(f"/api/v1/outgoing/{doc_id}")).json()["state"] == "issued"

    await run_jobs(settings)
    filed = await clerk.post(f"/outgoing/{doc_id}/transition",
                             data={"event": "archive", "version": str(issued["version"])})  # the no-JS form
    assert filed.status_code == 303 and filed.headers["location"].endswith(f"/outgoing/{doc_id}"), filed.text
    archived = (await clerk.get(f"/api/v1/outgoing/{doc_id}")).json()
    assert archived["state"] == "archived" and archived["archived_at"]
    assert [a["event"] for a in archived["actions"]] == ["recall"]
    assert ("archive", "archived", "") in await _history(settings, doc_id)
    assert [d["from_state"] for d in await _audit(settings, doc_id, "outgoing.archive")] == ["issued"]

    page = await clerk.get(f"/outgoing/{doc_id}")
    assert page.status_code == 200
    assert "Đã lưu bản gốc" in page.text and 'id="archived-notice"' in page.text
    assert "Lưu bản gốc</button>" not in page.text
    assert "Tải phiên bản mới" not in page.text and "Sửa văn bản (trình lại người ký)" not in page.text
    upload = await clerk.post(f"/api/v1/outgoing/{doc_id}/transitions", json={"event": "revise", "reason": "x"})
    assert upload.status_code == 409
    again = await clerk.act(doc_id, "archive")
    assert again.status_code == 409
    automatic = await clerk.act(doc_id, "replace")
    assert automatic.status_code == 409 and "hệ thống tự thực hiện" in automatic.json()["title"], automatic.text

    recalled = await leader.act(doc_id, "recall", reason="Sai thẩm quyền ban hành")
    assert recalled.status_code == 200 and recalled.json()["state"] == "recalled", recalled.text
    agency_line = next(r for r in recalled.json()["recipients"] if r["kind"] == "agency")
    assert agency_line["status"] == "recall_requested"
    await run_jobs(settings)
    assert ("recall", "recalled", "Sai thẩm quyền ban hành") in await _history(settings, doc_id)


async def test_replacing_document_replaces_on_issue_and_amendment_links_both_ways(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_, (drafter, head, clerk, leader), first = await _one_issued(client, settings, out_signing)
    old, old_reference = first["id"], f"{first['code_number']}/{first['code_notation']}"

    form = await drafter.get("/outgoing/new")
    assert 'name="replaces_id"' in form.text and f'<option value="{old}">{old_reference}' in form.text
    replacing = await to_awaiting(drafter, head, clerk, ids_, extra={"replaces_id": str(old),
                                                                     "replace_kind": "replace"})
    amending = await to_awaiting(drafter, head, clerk, ids_, extra={"replaces_id": str(old), "replace_kind": "amend"})
    draft_view = (await drafter.get(f"/api/v1/outgoing/{replacing}")).json()
    assert (draft_view["replaces_id"], draft_view["replace_kind"]) == (old, "replace")
    draft_page = await drafter.get(f"/outgoing/{replacing}")
    assert "Thay thế văn bản" in draft_page.text and f'href="/outgoing/{old}"' in draft_page.text
    assert (await clerk.get(f"/api/v1/outgoing/{old}")).json()["state"] == "issued"  # not before the issue

    await _signed(leader, out_signing, replacing, amending)
    amendment = await _issue(clerk, out_signing, amending)
    amend_reference = f"{amendment['code_number']}/{amendment['code_notation']}"
    still = (await clerk.get(f"/api/v1/outgoing/{old}")).json()
    assert still["state"] == "issued" and still["replaced_by_id"] is None
    assert ("linked", None, f"Được sửa đổi, bổ sung bởi văn bản số {amend_reference}") in await _history(settings, old)
    old_page = await clerk.get(f"/outgoing/{old}")
    assert "Được sửa đổi, bổ sung bởi" in old_page.text and f'href="/outgoing/{amending}"' in old_page.text

    replacement = await _issue(clerk, out_signing, replacing)
    new_reference = f"{replacement['code_number']}/{replacement['code_notation']}"
    replaced = (await clerk.get(f"/api/v1/outgoing/{old}")).json()
    assert replaced["state"] == "replaced" and replaced["replaced_by_id"] == replacing and replaced["replaced_at"]
    assert f"{replaced['code_number']}/{replaced['code_notation']}" == old_reference  # keeps its number
    assert replaced["actions"] == []
    assert ("replace", "replaced", f"Bị thay thế bởi văn bản số {new_reference}") in await _history(settings, old)
    audit = await _audit(settings, old, "outgoing.replace")
    assert len(audit) == 1 and audit[0]["by_id"] == replacing and audit[0]["by_reference"] == new_reference
    assert audit[0]["from_state"] == "issued" and audit[0]["to_state"] == "replaced"
    assert ("issue", "issued", f"Thay thế văn bản số {old_reference}") in await _history(settings, replacing)

    old_page = await leader.get(f"/outgoing/{old}")
    assert "Đã bị thay thế" in old_page.text and 'id="replaced-notice"' in old_page.text
    notice = old_page.text.split('id="replaced-notice"')[1].split("</div>")[0]
    assert f'href="/outgoing/{replacing}">số {new_reference}</a>' in notice
    new_page = await leader.get(f"/outgoing/{replacing}")
    assert f'href="/outgoing/{old}">số {old_reference}</a>' in new_page.text and "Thay thế văn bản" in new_page.text

    book = await clerk.get("/outgoing/book.csv")
    notes = {row[0]: row[-1] for row in csv.reader(io.StringIO(book.content.decode("utf-8-sig")))}
    assert f"Đã bị thay thế bởi văn bản số {new_reference}" in notes[old_reference]
    assert f"Được sửa đổi, bổ sung bởi văn bản số {amend_reference}" in notes[old_reference]
    assert f"Thay thế văn bản số {old_reference}" in notes[new_reference]
    assert f"Sửa đổi, bổ sung văn bản số {old_reference}" in notes[amend_reference]

    form = await drafter.get("/outgoing/new")
    choices = form.text.split('name="replaces_id"')[1].split("</select>")[0]
    assert f'<option value="{old}">' not in choices  # no longer in force: cannot be replaced again
    assert f'<option value="{replacing}">{new_reference}' in choices
    late = await drafter.post("/api/v1/outgoing", data={
        "document_type_id": str(ids_["cong_van"]), "summary": "Thay thế lần nữa", "signer_id": str(ids_["leader"]),
        "signing_authority": "TM.", "recipient_units": str(ids_["vptk"]), "replaces_id": str(old),
        "replace_kind": "replace"}, files={"file": ("du-thao.pdf", draft_pdf(), "application/pdf")})
    assert late.status_code == 422 and "replaces_id" in late.json()["errors"], late.text


async def _other_agency_draft(settings: Settings, client: AsyncTestClient[Litestar]) -> int:
    """A draft of the Nghi Thái commune, made by its own clerk."""
    rows = await _rows(settings, sa.select(Agency.id).where(Agency.organ_id == "000.02.21.H41"))
    thai = rows[0][0]
    leader = (await _rows(settings, sa.select(RoleGrant.user_id).where(
        RoleGrant.agency_id == thai, RoleGrant.role == Role.LEADER)))[0][0]
    unit = (await _rows(settings, sa.select(Unit.id).where(Unit.agency_id == thai)))[0][0]
    doc_type = (await _rows(settings, sa.select(DocumentType.id).where(DocumentType.code == "cong_van")))[0][0]
    other = await Api(client).login("vanthu.xanghithai")
    response = await other.post("/api/v1/outgoing", data={
        "document_type_id": str(doc_type), "summary": "Văn bản của xã Nghi Thái", "signer_id": str(leader),
        "signing_authority": "TM.", "recipient_units": str(unit)},
        files={"file": ("du-thao.pdf", draft_pdf(), "application/pdf")})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_replaces_id_of_another_agency_or_not_issued_is_refused_and_keeps_the_form(
        client: AsyncTestClient[Litestar], settings: Settings) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    foreign = await _other_agency_draft(settings, client)
    own_draft = await create_draft(drafter, ids_)
    fields = {"document_type_id": str(ids_["cong_van"]), "summary": "V/v thay thế văn bản",
              "signer_id": str(ids_["leader"]), "signing_authority": "TM.", "recipient_units": str(ids_["vptk"])}

    api = await drafter.post("/api/v1/outgoing",
                             data={**fields, "replaces_id": str(foreign), "replace_kind": "replace"},
                             files={"file": ("du-thao.pdf", draft_pdf(), "application/pdf")})
    assert api.status_code == 422, api.text
    assert api.json()["errors"] == {"replaces_id": "Chỉ chọn được văn bản đã phát hành của chính cơ quan mình "
                                                   "(chưa bị thu hồi hay thay thế)."}

    page = await drafter.post("/outgoing/new", data={**fields, "replaces_id": str(own_draft), "replace_kind": ""},
                              files={"file": ("du-thao.pdf", draft_pdf(), "application/pdf")})  # the no-JS form
    assert page.status_code == 422
    assert "Chỉ chọn được văn bản đã phát hành của chính cơ quan mình" in page.text
    assert "Hãy chọn văn bản này sửa đổi, bổ sung hay thay thế văn bản đã chọn." in page.text
    assert "V/v thay thế văn bản" in page.text  # what was typed is kept

    mine = (await drafter.get("/api/v1/outgoing?tab=drafts")).json()["items"]
    assert [d["id"] for d in mine] == [own_draft]  # nothing was created by the refused attempts
