"""Helpers for the incoming-document tests (imported as ``tests.support.incoming``): generated PDFs, clients, intake.

PDFs are generated with fpdf2 and the FreeSans font (it covers Vietnamese); the encrypted one is
re-written by pypdf with AES-256. Each actor gets their own HTTP client so sessions never mix.
"""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

import httpx
import sqlalchemy as sa
from fpdf import FPDF
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pypdf import PdfReader, PdfWriter

from backend.db.models import DocumentType, Unit, User
from backend.lib import clock

FONT = "/usr/share/fonts/opentype/freefont/FreeSans.otf"
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


@cache
def make_pdf(pages: int = 2, title: str = "Công văn về việc triển khai chuyển đổi số") -> bytes:
    """A small real PDF with Vietnamese text on every page."""
    pdf = FPDF(format="A4")
    pdf.add_font("FreeSans", fname=FONT)
    pdf.set_font("FreeSans", size=13)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"ỦY BAN NHÂN DÂN HUYỆN NGHI LỘC\n{title}\nTrang {number}/{pages}: "
                             "Đề nghị các cơ quan, đơn vị khẩn trương thực hiện.")
    return bytes(pdf.output())


@cache
def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(1))))
    writer.encrypt(user_password="matkhau", owner_password="chu-so-huu", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corrupt_pdf() -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF"


async def type_id(db_sessionmaker: Any, code: str = "cong_van") -> int:
    async with db_sessionmaker() as db:
        return (await db.scalars(sa.select(DocumentType.id).where(DocumentType.code == code))).one()


async def unit_id(db_sessionmaker: Any, organ_id_agency: int, abbreviation: str) -> int:
    async with db_sessionmaker() as db:
        return (await db.scalars(sa.select(Unit.id).where(Unit.agency_id == organ_id_agency,
                                                          Unit.abbreviation == abbreviation))).one()


async def user_id(db_sessionmaker: Any, username: str) -> int:
    async with db_sessionmaker() as db:
        return (await db.scalars(sa.select(User.id).where(User.username == username))).one()


def intake_fields(doc_type: int, **overrides: str) -> dict[str, str]:
    fields = {
        "document_type_id": str(doc_type), "code_number": "125", "code_notation": "UBND-VP",
        "issuer_name": "Ủy ban nhân dân huyện Nghi Lộc", "issued_on": clock.today().isoformat(),
        "summary": "Về việc triển khai chuyển đổi số năm 2026", "signer_position": "Chủ tịch",
        "signer_name": "Lê Minh Việt", "urgency": "normal", "confidentiality": "none", "source": "electronic",
        "action": "register",
    }
    fields.update(overrides)
    return fields


class UserClient:
    """One user's view of the shared test client: requests go out with this user's own cookies."""

    def __init__(self, base: AsyncTestClient[Litestar]) -> None:
        self.base = base
        self.jar = httpx.Cookies()

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.base.cookies = self.jar
        try:
            return await self.base.request(method, url, **kwargs)
        finally:
            self.jar = httpx.Cookies(self.base.cookies)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)


class Clients:
    """``await clients("vanthu.xanghiphong")``: a logged-in client for that user (cached per test).

    All users share the one ``client`` fixture (one app lifespan, one event loop for the app's
    database pool); each keeps its own cookie jar, so sessions never mix.
    """

    def __init__(self, base: AsyncTestClient[Litestar], login: Callable[..., Awaitable[Any]]) -> None:
        self.base, self.login = base, login
        self.by_user: dict[str, UserClient] = {}

    async def __call__(self, username: str) -> UserClient:
        if username not in self.by_user:
            client = UserClient(self.base)
            await self.login(client, username)
            self.by_user[username] = client
        return self.by_user[username]


async def token(client: AsyncTestClient[Litestar], path: str = "/incoming") -> str:
    page = await client.get(path)
    match = CSRF_RE.search(page.text)
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


async def intake(client: AsyncTestClient[Litestar], fields: dict[str, str], pdf: bytes | None = None,
                 filename: str = "cong-van-125.pdf") -> Any:
    """POST the intake form (multipart) with a fresh CSRF token."""
    data = {**fields, "_csrf_token": await token(client, "/incoming/new")}
    files = {"file": (filename, pdf, "application/pdf")} if pdf is not None else None
    return await client.post("/incoming/new", data=data, files=files)


def doc_id_from(response: Any) -> int:
    assert response.status_code == 303, response.text[:3000]
    return int(response.headers["location"].rstrip("/").rsplit("/", 1)[-1])


async def post_form(client: AsyncTestClient[Litestar], path: str, fields: dict[str, Any], *,
                    token_path: str = "/account") -> Any:
    """POST a urlencoded form with a CSRF token taken from ``token_path`` (any page with a form)."""
    data = {**fields, "_csrf_token": await token(client, token_path)}
    return await client.post(path, data=data)
