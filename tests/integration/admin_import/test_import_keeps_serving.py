"""A 200-user CSV import (issue 16) against the real web process: the passwords are hashed outside any write
transaction, so another user's page views and a write are answered in bounded time while it runs, and the whole
import is stored."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import sqlalchemy as sa

from backend.cli.seed import DEMO_PASSWORD
from backend.db.models import User
from tests.support.incoming import intake_fields, make_pdf, type_id
from tests.support.live import live_server

__all__ = ["live_server"]

DISTRICT_ADMIN = "quantri.nghiloc"
CLERK = "vanthu.xanghiphong"
USERS = 200
BOUND_SECONDS = 10.0
"""Well below the 30 s lock timeout a write would wait for if the import held the write lock while hashing."""
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _users_csv() -> bytes:
    lines = ["username,full_name,agency_organ_id,unit_abbreviation,position_title,roles,email,phone,password"]
    lines += [f"nhapkhau{i:03d}.xanghiphong,Người Nhập Khẩu {i},000.01.21.H41,,Chuyên viên,specialist,,,"
              for i in range(USERS)]
    return ("\n".join(lines) + "\n").encode()


async def _logged_in(base: str, username: str) -> httpx.AsyncClient:
    # a fresh connection per request: a reused keep-alive connection can race the server closing it when idle
    client = httpx.AsyncClient(base_url=base, timeout=300, limits=httpx.Limits(max_keepalive_connections=0))
    page = await client.get("/login")
    token = CSRF.search(page.text)
    assert token
    response = await client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "next": "/",
                                                 "_csrf_token": token.group(1)})
    assert response.status_code == 303, response.text
    return client


async def test_a_200_user_import_leaves_everyone_else_answered(live_server: str, db_sessionmaker) -> None:
    doc_type = await type_id(db_sessionmaker)
    admin = await _logged_in(live_server, DISTRICT_ADMIN)
    clerk = await _logged_in(live_server, CLERK)
    try:
        form = CSRF.search((await admin.get("/admin/import")).text)
        assert form
        csrf = {"X-CSRFToken": (await clerk.get("/api/v1/session")).json()["csrf_token"]}
        started = time.monotonic()
        importing = asyncio.create_task(admin.post(
            "/admin/import", data={"kind": "users", "_csrf_token": form.group(1)},
            files={"file": ("nguoi-dung.csv", _users_csv(), "text/csv")}))
        await asyncio.sleep(1.0)  # the import has read its file and is hashing
        latencies: list[float] = []
        write_latency = None
        while not importing.done():
            begun = time.monotonic()
            page = await clerk.get("/incoming")
            latencies.append(time.monotonic() - begun)
            assert page.status_code == 200
            if write_latency is None:
                begun = time.monotonic()
                created = await clerk.post("/api/v1/incoming", headers=csrf,
                                           files={"file": ("den.pdf", make_pdf(1), "application/pdf")},
                                           data=intake_fields(doc_type, code_number="901"))
                write_latency = time.monotonic() - begun
                assert created.status_code == 201, created.text
                assert not importing.done(), "the write was answered while the import was still running"
            await asyncio.sleep(0.3)
        response = await importing
        import_seconds = time.monotonic() - started
    finally:
        await admin.aclose()
        await clerk.aclose()
    assert response.status_code == 303, response.text
    assert write_latency is not None and write_latency < BOUND_SECONDS, write_latency
    assert len(latencies) >= 3 and max(latencies) < BOUND_SECONDS, latencies
    assert import_seconds > max(latencies) * 2, "the page views overlapped a much longer import"
    async with db_sessionmaker() as db:
        stored = await db.scalar(sa.select(sa.func.count()).select_from(User).where(
            User.username.like("nhapkhau%")))
        hashed = await db.scalar(sa.select(sa.func.count()).select_from(User).where(
            User.username.like("nhapkhau%"), User.password_hash.like("$argon2id$%")))
    assert stored == hashed == USERS
