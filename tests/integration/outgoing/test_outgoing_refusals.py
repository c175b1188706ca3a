"""Refusals and edges of the outgoing flow with the REAL signing server (SoftHSM) on the test database.

A reused OTP is refused and changes nothing; another agency's document does not exist for a user
(404 on the page, the API and a transition); a PDF tampered with after issue is reported as
modified on receipt, by ``verify_pdf`` and on the recipient's page; numbers are consecutive with
the ND 30 padding and never reused after a recall, and concurrent allocations never collide;
one OTP signs a batch of documents.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import OutgoingDocument, OutgoingVersion
from backend.domain.documents.files import blob_store
from backend.domain.outgoing.numbering import allocate_number
from backend.domain.signing.verification import verify_pdf
from tests.support.outgoing import Api, fresh_otp, ids, run_jobs, tamper_signed, to_awaiting
from tests.support.signing import SigningEnv

LEADER = "lanhdao.xanghiphong"
AGENCY = "000.01.21.H41"


async def _actors(client: AsyncTestClient[Litestar]) -> tuple[Api, Api, Api, Api]:
    return (await Api(client).login("chuyenvien.xanghiphong"), await Api(client).login("truongphong.xanghiphong"),
            await Api(client).login("vanthu.xanghiphong"), await Api(client).login(LEADER))


async def _db_state(settings: Settings, doc_id: int) -> tuple[str, int]:
    """(state, number of stored versions) of a document, read straight from the database."""
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            state = await db.scalar(sa.select(OutgoingDocument.state).where(OutgoingDocument.id == doc_id))
            versions = await db.scalar(sa.select(sa.func.count()).select_from(OutgoingVersion)
                                       .where(OutgoingVersion.outgoing_id == doc_id))
            return str(getattr(state, "value", state)), int(versions or 0)
    finally:
        await engine.dispose()


async def _issue(clerk: Api, out_signing: SigningEnv, doc_id: int) -> dict:
    numbered = await clerk.act(doc_id, "number")
    assert numbered.status_code == 200, numbered.text
    sealed = await clerk.act(doc_id, "seal", otp=await fresh_otp(out_signing, AGENCY))
    assert sealed.status_code == 200, sealed.text
    issued = await clerk.act(doc_id, "issue")
    assert issued.status_code == 200 and issued.json()["state"] == "issued", issued.text
    return issued.json()


async def test_reused_otp_is_refused_and_changes_nothing(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk, leader = await _actors(client)
    first = await to_awaiting(drafter, head, clerk, ids_)
    second = await to_awaiting(drafter, head, clerk, ids_)

    code = await fresh_otp(out_signing, LEADER)
    signed = await leader.act(first, "sign", otp=code)
    assert signed.status_code == 200 and signed.json()["state"] == "signed", signed.text

    reused = await leader.act(second, "sign", otp=code)
    assert reused.status_code == 422, reused.text
    body = reused.json()
    assert body["reason_code"] == "SIGN_OTP_REUSED"
    assert "đã được dùng" in body["title"]
    assert await _db_state(settings, second) == ("awaiting_signature", 1)
    assert await _db_state(settings, first) == ("signed", 2)


async def test_other_agency_document_is_not_found(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk, leader = await _actors(client)
    assert (await drafter.get("/outgoing/new")).status_code == 200
    doc_id = await to_awaiting(drafter, head, clerk, ids_)
    outsider = await Api(client).login("vanthu.xanghithai")
    own = await leader.get(f"/outgoing/{doc_id}")  # the signer's page, with its OTP form
    assert own.status_code == 200 and "Mã OTP" in own.text

    assert (await outsider.get(f"/outgoing/{doc_id}")).status_code == 404
    assert (await outsider.get(f"/api/v1/outgoing/{doc_id}")).status_code == 404
    assert (await outsider.act(doc_id, "return", reason="x")).status_code == 404
    assert (await outsider.post(f"/outgoing/{doc_id}/transition", data={"event": "return", "reason": "x"})
            ).status_code == 404
    assert await _db_state(settings, doc_id) == ("awaiting_signature", 1)


async def test_tampered_pdf_is_reported_modified_on_receipt(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk, leader = await _actors(client)
    receiver = await Api(client).login("vanthu.xanghithai")
    doc_id = await to_awaiting(drafter, head, clerk, ids_)
    assert (await leader.act(doc_id, "sign", otp=await fresh_otp(out_signing, LEADER))).status_code == 200
    issued = await _issue(clerk, out_signing, doc_id)
    pdf = (await clerk.get(issued["file_url"])).content

    good = await verify_pdf(pdf, [out_signing.ca_pem])
    assert good.all_valid
    tampered = tamper_signed(pdf)
    report = await verify_pdf(tampered, [out_signing.ca_pem])
    assert report.error is None and report.signatures and not report.all_valid
    assert report.signatures[0].verdict == "modified" and not report.signatures[0].intact
    assert "đã bị sửa" in report.signatures[0].message and "đã bị sửa" in report.summary

    # The file as the delivery job reads it from the blob store is altered before the worker runs.
    path = blob_store(settings).path_for(hashlib.sha256(pdf).hexdigest())
    assert path.read_bytes() == pdf
    path.write_bytes(tampered)
    await run_jobs(settings)
    inbox = (await receiver.get("/api/v1/incoming?inbox=to_register")).json()["items"]
    arrived = [d for d in inbox if d["code_notation"] == "UBND-ĐCXD"]
    assert len(arrived) == 1
    receipt = (await receiver.get(f"/api/v1/exchange/receipts/{arrived[0]['id']}")).json()
    assert receipt["verified_ok"] is False
    assert receipt["checks"][0]["verdict"] == "modified"
    page = await receiver.get(f"/incoming/{arrived[0]['id']}")
    assert page.status_code == 200 and "Kiểm tra chữ ký số khi nhận" in page.text
    assert "đã bị sửa" in page.text


async def test_numbers_are_consecutive_padded_and_never_reused(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk, leader = await _actors(client)
    docs = [await to_awaiting(drafter, head, clerk, ids_) for _ in range(3)]
    batch = await leader.post("/api/v1/outgoing/sign-batch",
                              json={"doc_ids": docs, "otp": await fresh_otp(out_signing, LEADER)})
    assert batch.status_code == 200, batch.text

    first = await _issue(clerk, out_signing, docs[0])
    assert first["code_number"] == "01"
    second = await _issue(clerk, out_signing, docs[1])
    assert second["code_number"] == "02"
    recall = await leader.act(docs[1], "recall", reason="Ban hành nhầm")
    assert recall.status_code == 200 and recall.json()["state"] == "recalled"
    assert recall.json()["code_number"] == "02"  # a recalled document keeps its number
    third = await clerk.act(docs[2], "number")
    assert third.status_code == 200 and third.json()["code_number"] == "03", third.text


async def test_concurrent_allocations_never_collide(settings: Settings) -> None:
    ids_ = await ids(settings)
    engine = create_engine(settings.database_url, pool=False)
    sessions = create_sessionmaker(engine)
    moment = datetime.now(UTC)
    series = "test:concurrency"

    async def take() -> int:
        async with sessions() as db, db.begin():
            return (await allocate_number(db, ids_["nghiphong"], series, moment)).number

    try:
        if engine.dialect.name == "postgresql":
            numbers = await asyncio.gather(*(take() for _ in range(20)))
            assert sorted(numbers) == list(range(1, 21))
        else:  # SQLite serialises writers: allocations one after another
            numbers = [await take() for _ in range(20)]
            assert numbers == list(range(1, 21))
    finally:
        await engine.dispose()


async def test_batch_signing_signs_every_ticked_document(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk, leader = await _actors(client)
    docs = [await to_awaiting(drafter, head, clerk, ids_) for _ in range(2)]
    response = await leader.post("/api/v1/outgoing/sign-batch",
                                 json={"doc_ids": docs, "otp": await fresh_otp(out_signing, LEADER)})
    assert response.status_code == 200, response.text
    assert sorted(response.json()["signed"]) == sorted(docs)
    for doc_id in docs:
        detail = (await leader.get(f"/api/v1/outgoing/{doc_id}")).json()
        assert detail["state"] == "signed" and [v["kind"] for v in detail["versions"]] == ["draft", "signed"]
        assert await _db_state(settings, doc_id) == ("signed", 2)


async def test_outgoing_badge_counts_documents_waiting_for_the_leader(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk, leader = await _actors(client)
    badge = re.compile(r'href="/outgoing"[^>]*>.*?<span class="nav-count"[^>]*>(\d+)</span>', re.S)
    assert not badge.search((await leader.get("/incoming")).text)
    await to_awaiting(drafter, head, clerk, ids_)
    await to_awaiting(drafter, head, clerk, ids_)
    match = badge.search((await leader.get("/incoming")).text)
    assert match and match.group(1) == "2"
    assert not badge.search((await drafter.get("/incoming")).text)  # nothing waits for the drafter
