"""Helpers of the outgoing tests (imported as ``tests.support.outgoing``): API calls per actor, the worker."""

from __future__ import annotations

import re
from typing import Any

import httpx
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import Agency, DocumentType, Unit, User
from backend.domain.signing.samples import DraftSpec, outgoing_draft_pdf
from backend.worker_app import run_once

PASSWORD = "congvan2026"


class Api:
    """One logged-in actor on the shared test client: requests go out with this actor's own cookies."""

    def __init__(self, base: AsyncTestClient[Litestar]) -> None:
        self.base = base
        self.jar = httpx.Cookies()
        self.token = ""

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.base.cookies = self.jar
        try:
            return await self.base.request(method, url, **kwargs)
        finally:
            self.jar = httpx.Cookies(self.base.cookies)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def login(self, username: str) -> Api:
        page = await self.get("/login")
        token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
        response = await self.request("POST", "/login", data={"username": username, "password": PASSWORD,
                                                               "next": "/", "_csrf_token": token})
        assert response.status_code == 303, response.text
        self.token = (await self.get("/api/v1/session")).json()["csrf_token"]
        return self

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, headers={"X-CSRFToken": self.token}, **kwargs)

    async def act(self, doc_id: int, event: str, **body: Any) -> httpx.Response:
        return await self.post(f"/api/v1/outgoing/{doc_id}/transitions", json={"event": event, **body})


async def ids(settings: Settings) -> dict[str, int]:
    """Look-ups of the seeded province used by the tests."""
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            def one(query: Any) -> Any:
                return db.scalar(query)
            return {
                "cong_van": await one(sa.select(DocumentType.id).where(DocumentType.code == "cong_van")),
                "to_trinh": await one(sa.select(DocumentType.id).where(DocumentType.code == "to_trinh")),
                "nghithai": await one(sa.select(Agency.id).where(Agency.organ_id == "000.02.21.H41")),
                "nghiphong": await one(sa.select(Agency.id).where(Agency.organ_id == "000.01.21.H41")),
                "leader": await one(sa.select(User.id).where(User.username == "lanhdao.xanghiphong")),
                "deputy": await one(sa.select(User.id).where(User.username == "capho.xanghiphong")),
                "vptk": await one(sa.select(Unit.id).join(Agency, Agency.id == Unit.agency_id).where(
                    Agency.organ_id == "000.01.21.H41", Unit.abbreviation == "VPTK")),
            }
    finally:
        await engine.dispose()


def draft_pdf(signer: str = "Võ Minh Nam", authority: str = "TM. ỦY BAN NHÂN DÂN", position: str = "CHỦ TỊCH",
              symbol: str = "UBND-ĐCXD") -> bytes:
    return outgoing_draft_pdf(DraftSpec(signer_name=signer, authority=authority, position=position, symbol=symbol))


async def create_draft(api: Api, ids_: dict[str, int], *, signer: str = "leader", authority: str = "TM.",
                       pdf: bytes | None = None, extra: dict[str, str] | None = None) -> int:
    data = {"document_type_id": str(ids_["cong_van"]), "summary": "V/v triển khai chuyển đổi số năm 2026",
            "urgency": "khan", "signer_id": str(ids_[signer]), "signing_authority": authority,
            "recipient_agencies": str(ids_["nghithai"]), "recipient_units": str(ids_["vptk"]), **(extra or {})}
    response = await api.post("/api/v1/outgoing", data=data,
                              files={"file": ("du-thao.pdf", pdf or draft_pdf(), "application/pdf")})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def run_jobs(settings: Settings) -> None:
    """Drain the outbox like the worker does (delivery, status feedback, notifications)."""
    engine = create_engine(settings.database_url, pool=False)
    try:
        sessions = create_sessionmaker(engine)
        while await run_once(settings, sessions):
            pass
    finally:
        await engine.dispose()


async def to_awaiting(drafter: Api, head: Api, clerk: Api, ids_: dict[str, int], **kwargs: Any) -> int:
    """A fresh draft taken through submit → approve → format check: awaiting the leader's signature."""
    doc_id = await create_draft(drafter, ids_, **kwargs)
    assert (await drafter.act(doc_id, "submit")).status_code == 200
    assert (await head.act(doc_id, "approve")).status_code == 200
    response = await clerk.act(doc_id, "format_ok")
    assert response.status_code == 200 and response.json()["state"] == "awaiting_signature", response.text
    return doc_id


def tamper_signed(pdf: bytes) -> bytes:
    """Flip one byte of a content stream inside the first signature's first signed range."""
    start, length = (int(v) for v in re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", pdf).groups()[:2])
    assert start == 0
    stream = pdf.find(b"stream", 0, length)
    offset = stream + 40 if stream > 0 else length // 2
    assert 0 < offset < length
    return pdf[:offset] + bytes([pdf[offset] ^ 0x01]) + pdf[offset + 1:]


async def fresh_otp(senv: Any, owner: str) -> str:
    """An OTP of a time step not used before: ``SigningEnv.next_otp`` (moves the server's clock, never sleeps)."""
    return str(senv.next_otp(owner))
