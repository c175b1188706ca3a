"""A signature being made holds no lock: others keep writing, and a document changed meanwhile is not signed.

The leader's signature waits on the signing server (the OTP check, the HSM, pyHanko) for a second or
more, longer on a slow link. The engine makes that call with no transaction open (issue 16 item 0):
on the embedded default SQLite has one write lock for the whole database, and holding it through the
call made every other writer of the province wait (up to the 30 s lock timeout, then fail). The
signing server's ``signHash`` is held open by a relay here, as a slow HSM or link would hold it, and the
app is the real web process (the in-process test client runs one request at a time).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.config.settings import Settings
from backend.db.models import OutgoingDocument, OutgoingVersion, VersionKind
from tests.support.live import live_server
from tests.support.outgoing import Api, create_draft, draft_pdf, fresh_otp, ids, to_awaiting
from tests.support.signing import SigningEnv
from tests.support.signing_gate import SigningGate

DRAFTER, HEAD, CLERK, LEADER = ("chuyenvien.xanghiphong", "truongphong.xanghiphong", "vanthu.xanghiphong",
                                "lanhdao.xanghiphong")

__all__ = ["live_server"]


@pytest.fixture
async def gate(out_signing: SigningEnv) -> AsyncIterator[SigningGate]:
    async with SigningGate(out_signing.url) as running:
        yield running


@pytest.fixture
def settings_env(settings_env: dict[str, str], gate: SigningGate) -> dict[str, str]:
    return {**settings_env, "SIGNING_URL": gate.url}


@pytest.fixture
async def browsers(live_server: str) -> AsyncIterator[Callable[[str], Awaitable[Api]]]:  # noqa: F811
    """``await browsers(username)``: a logged-in user with a browser of their own on the live web process."""
    opened: list[httpx.AsyncClient] = []

    async def login(username: str) -> Api:
        http = httpx.AsyncClient(base_url=live_server, timeout=60)
        opened.append(http)
        return await Api(http).login(username)  # type: ignore[arg-type]

    yield login
    for http in opened:
        await http.aclose()


async def _signing_started(browsers: Callable[[str], Awaitable[Api]], settings: Settings, senv: SigningEnv,
                           gate: SigningGate) -> tuple[int, asyncio.Task[httpx.Response]]:
    """A document awaiting signature, and the leader's "Ký số" in flight, held at the signing server."""
    doc_id = await to_awaiting(await browsers(DRAFTER), await browsers(HEAD), await browsers(CLERK),
                               await ids(settings))
    leader = await browsers(LEADER)
    signing = asyncio.create_task(leader.act(doc_id, "sign", otp=await fresh_otp(senv, LEADER)))
    await asyncio.wait_for(gate.held.wait(), 60)
    return doc_id, signing


async def _signed_versions(db_sessionmaker: Any, doc_id: int) -> int:
    async with db_sessionmaker() as db:
        return len((await db.scalars(sa.select(OutgoingVersion.id).where(
            OutgoingVersion.outgoing_id == doc_id, OutgoingVersion.kind == VersionKind.SIGNED))).all())


async def test_others_write_while_a_signature_is_being_made(
        browsers: Callable[[str], Awaitable[Api]], settings: Settings, out_signing: SigningEnv, gate: SigningGate,
        db_sessionmaker: Any) -> None:
    doc_id, signing = await _signing_started(browsers, settings, out_signing, gate)
    try:
        drafter = await browsers(DRAFTER)
        # With the write lock held through the call, this waited for the lock timeout (30 s) and failed.
        other = await asyncio.wait_for(create_draft(drafter, await ids(settings)), 15)
    finally:
        gate.release()
    response = await signing
    assert response.status_code == 200 and response.json()["state"] == "signed", response.text
    assert other != doc_id and await _signed_versions(db_sessionmaker, doc_id) == 1


async def test_a_document_returned_while_its_signature_was_being_made_is_not_signed(
        browsers: Callable[[str], Awaitable[Api]], settings: Settings, out_signing: SigningEnv, gate: SigningGate,
        db_sessionmaker: Any) -> None:
    doc_id, signing = await _signing_started(browsers, settings, out_signing, gate)
    try:
        desk = await browsers(LEADER)  # the leader, at the desk, sends it back while the phone is signing
        returned = await asyncio.wait_for(desk.act(doc_id, "return", reason="Cần bổ sung số liệu"), 15)
        assert returned.status_code == 200 and returned.json()["state"] == "draft", returned.text
    finally:
        gate.release()
    response = await signing
    assert response.status_code in (409, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await _signed_versions(db_sessionmaker, doc_id) == 0  # the signature made meanwhile is dropped
    async with db_sessionmaker() as db:
        doc = await db.get(OutgoingDocument, doc_id)
    assert doc is not None and doc.state == "draft" and doc.signed_at is None


async def test_a_new_version_uploaded_while_the_signature_was_being_made_is_not_signed_over(
        browsers: Callable[[str], Awaitable[Api]], settings: Settings, out_signing: SigningEnv, gate: SigningGate,
        db_sessionmaker: Any) -> None:
    doc_id, signing = await _signing_started(browsers, settings, out_signing, gate)
    try:
        clerk = await browsers(CLERK)  # the format checker uploads a corrected file: still "chờ ký", a new version
        upload = await asyncio.wait_for(clerk.post(
            f"/outgoing/{doc_id}/files", data={"kind": "version", "note": "Sửa lỗi chính tả"},
            files={"file": ("sua.pdf", draft_pdf(), "application/pdf")}), 15)
        assert upload.status_code in (200, 303), upload.text[:500]
    finally:
        gate.release()
    response = await signing
    assert response.status_code == 409, response.text  # the signature was made on the file before the change
    assert "người khác thay đổi" in response.json()["title"]
    assert await _signed_versions(db_sessionmaker, doc_id) == 0
    async with db_sessionmaker() as db:
        doc = await db.get(OutgoingDocument, doc_id)
    assert doc is not None and doc.state == "awaiting_signature" and doc.signed_at is None
