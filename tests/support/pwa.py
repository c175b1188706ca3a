"""Arranging data for the PWA and push browser tests without Playwright's event loop in the way.

HTTP goes through httpx's sync client against the live server (real forms, real CSRF); database
reads run ``asyncio.run`` in a worker thread, because Playwright's sync API owns the main thread's loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import cache
from typing import Any, TypeVar

import httpx
import sqlalchemy as sa
from fpdf import FPDF
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import DocumentType, User
from backend.lib import clock

T = TypeVar("T")
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
PASSWORD = "congvan2026"
CLERK, LEADER, DEPUTY = "vanthu.xanghiphong", "lanhdao.xanghiphong", "capho.xanghiphong"


def in_db(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work(db)`` on a fresh engine in another thread and return its result."""

    async def run() -> T:
        engine = create_engine(database_url, pool=False)
        try:
            async with create_sessionmaker(engine)() as db:
                result = await work(db)
                await db.commit()
                return result
        finally:
            await engine.dispose()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result(timeout=60)


def http_login(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/",
                                           "_csrf_token": CSRF.search(page.text).group(1)})
    assert response.status_code == 303, response.text[:500]
    return client


def token(client: httpx.Client, path: str = "/account") -> str:
    return CSRF.search(client.get(path).text).group(1)


@cache
def small_pdf(pages: int = 2) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("FreeSans", fname="/usr/share/fonts/opentype/freefont/FreeSans.otf")
    pdf.set_font("FreeSans", size=13)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"ỦY BAN NHÂN DÂN TỈNH\nCông điện về phòng, chống bão số 5\nTrang {number}/{pages}")
    return bytes(pdf.output())


def register_document(base: str, database_url: str, *, urgency: str = "hoa_toc",
                      summary: str = "Công điện về phòng, chống bão số 5", number: str = "05") -> int:
    """The clerk uploads and registers an incoming document; returns its id."""
    type_id = in_db(database_url,
                    lambda db: db.scalar(sa.select(DocumentType.id).where(DocumentType.code == "cong_van")))
    clerk = http_login(base, CLERK)
    fields = {
        "document_type_id": str(type_id), "code_number": number, "code_notation": "CĐ-UBND",
        "issuer_name": "Ủy ban nhân dân tỉnh Nghệ An", "issued_on": clock.today().isoformat(), "summary": summary,
        "signer_position": "Chủ tịch", "signer_name": "Lê Minh Việt", "urgency": urgency,
        "confidentiality": "none", "source": "electronic", "action": "register",
        "_csrf_token": token(clerk, "/incoming/new"),
    }
    response = clerk.post("/incoming/new", data=fields,
                          files={"file": (f"cong-dien-{number}.pdf", small_pdf(), "application/pdf")})
    assert response.status_code == 303, response.text[:3000]
    doc_id = int(response.headers["location"].rstrip("/").rsplit("/", 1)[-1])
    clerk.close()
    return doc_id


def assign_to_deputy(base: str, database_url: str, doc_id: int) -> None:
    """Clerk submits, the leader assigns the deputy as lead handler (the document is then open for notes)."""
    clerk = http_login(base, CLERK)
    response = clerk.post(f"/incoming/{doc_id}/transition", data={"event": "submit", "_csrf_token": token(clerk)})
    assert response.status_code == 303, response.text[:2000]
    deputy = in_db(database_url, lambda db: db.scalar(sa.select(User.id).where(User.username == DEPUTY)))
    leader = http_login(base, LEADER)
    due = (clock.today() + timedelta(days=7)).isoformat()
    response = leader.post(f"/incoming/{doc_id}/assign", data={
        "event": "assign", "target": [f"user:{deputy}", ""], "role": ["lead", "coordinate"], "due_on": [due, ""],
        "instruction": "Đồng chí Phó Chủ tịch chủ trì.", "_csrf_token": token(leader)})
    assert response.status_code == 303, response.text[:2000]
    clerk.close()
    leader.close()


def count(database_url: str, query: Any) -> int:
    return in_db(database_url, lambda db: db.scalar(query))


def wait_count(database_url: str, query: Any, expected: int, timeout: float = 15.0) -> None:
    """Until ``query`` (a count) reads ``expected``, polling the database.

    For what the web process writes only after it has answered: the idempotency middleware keeps
    (``complete``) or forgets (``release``) an offline action's claim once the response is on its
    way, so the browser may show the outcome before that row has changed. Looking once right after
    the browser is a race the test loses when the server is busy.
    """
    deadline = time.monotonic() + timeout
    while (value := count(database_url, query)) != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {expected}, still {value} after {timeout} s")
        time.sleep(0.1)
