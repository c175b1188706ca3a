"""One-user benchmark of a generated province: page times against the bare indexed query (issue 12).

Run (PostgreSQL, database ``province`` generated when it has no agency yet)::

    .venv/bin/python -m tests.perf.bench_province --documents 50000
    .venv/bin/python -m tests.perf.bench_province --database-url sqlite:///data/prov.db --documents 200000

It starts a real ``serve`` process on loopback, logs in as the province's clerk, leader, unit head
and specialist (``vanthu.tinh`` …, password ``congvan2026``) and requests each page ``--runs`` times
after a warm-up; the time is the HTTP round trip on loopback (server time plus < 1 ms of transport).
In the same run it executes the bare SELECT that fetches the same rows (the app's own query
builders, on their own connection) and prints p50/p95 of both and the ratio of the p95s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from backend.config.settings import load_settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import Agency, IncomingDocument, Notification, User
from backend.domain.accounts.actor import Actor, load_actor
from backend.domain.incoming.policies import visible_incoming
from backend.domain.incoming.queries import (
    COUNT_CAP,
    ListFilters,
    _action_conditions,
    count_query,
    default_inbox,
    filtered_query,
    list_documents,
)
from backend.domain.search.queries import page_ids, parse_filters
from backend.lib import clock
from backend.lib.clock import VN_TZ
from tests.support.figures import pct

REPO = Path(__file__).resolve().parents[2]

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
PASSWORD = "congvan2026"
USERS = {"clerk": "vanthu.tinh", "leader": "lanhdao.tinh", "unit_head": "truongphong.tinh",
         "specialist": "chuyenvien.tinh"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_backend(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "backend", *args], env=env, cwd=REPO, check=True,
                          capture_output=True, text=True)
    return done.stdout.strip()


async def has_province(url: str) -> int:
    engine = create_engine(url, pool=False)
    try:
        async with engine.connect() as conn:
            agencies = await conn.scalar(sa.select(sa.func.count()).select_from(Agency))
            return int(await conn.scalar(sa.select(sa.func.count()).select_from(IncomingDocument)) or 0) \
                if agencies else 0
    except Exception:  # noqa: BLE001 - not migrated yet
        return 0
    finally:
        await engine.dispose()


def login(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120, follow_redirects=False)
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token, "no CSRF token on the login page"
    response = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/",
                                           "_csrf_token": token.group(1)})
    assert response.status_code == 303, f"login {username}: {response.status_code}"
    return client


def time_page(client: httpx.Client, path: str, runs: int) -> list[float]:
    client.get(path)  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, f"{path}: HTTP {response.status_code}"
    return samples


async def time_bare(url: str, runs: int, queries: dict[str, Callable[[Any], Awaitable[Any]]]) -> dict[str, list[float]]:
    engine = create_engine(url, pool=False)
    out: dict[str, list[float]] = {}
    try:
        async with create_sessionmaker(engine)() as db:
            for name, run in queries.items():
                await run(db)
                samples = []
                for _ in range(runs):
                    started = time.perf_counter()
                    await run(db)
                    samples.append((time.perf_counter() - started) * 1000)
                out[name] = samples
    finally:
        await engine.dispose()
    return out


async def actors(url: str) -> tuple[dict[str, Actor], int]:
    engine = create_engine(url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            found = {}
            for role, username in USERS.items():
                user = (await db.scalars(sa.select(User).where(User.username == username))).one()
                actor = await load_actor(db, user.id, None)
                assert actor is not None
                found[role] = actor
            doc_id = await db.scalar(sa.select(IncomingDocument.id).where(
                IncomingDocument.agency_id == found["clerk"].agency_id).order_by(IncomingDocument.id.desc()).limit(1))
            return found, int(doc_id or 0)
    finally:
        await engine.dispose()


def bare_queries(people: dict[str, Actor], doc_id: int, month: tuple[date, date]) -> dict[str, Any]:
    today = clock.to_local(clock.now()).date()

    def inbox(actor: Actor) -> Callable[[Any], Awaitable[Any]]:
        async def run(db: Any) -> Any:
            return await list_documents(db, filtered_query(actor, default_inbox(actor), ListFilters(), today))
        return run

    async def bell(db: Any) -> Any:
        return (await db.execute(sa.select(sa.func.count()).select_from(
            sa.select(Notification.id).where(Notification.user_id == people["leader"].user_id,
                                             Notification.read_at.is_(None)).limit(100).subquery()))).all()

    async def document(db: Any) -> Any:
        return (await db.execute(sa.select(IncomingDocument).where(IncomingDocument.id == doc_id))).all()

    async def register(db: Any) -> Any:
        lower = datetime.combine(month[0], datetime.min.time(), VN_TZ)
        upper = datetime.combine(month[1] + timedelta(days=1), datetime.min.time(), VN_TZ)
        return (await db.execute(visible_incoming(people["clerk"]).where(
            IncomingDocument.arrival_number.is_not(None), IncomingDocument.received_at >= lower,
            IncomingDocument.received_at < upper).order_by(IncomingDocument.arrival_year,
                                                          IncomingDocument.arrival_number))).all()

    async def search(db: Any) -> Any:  # the SELECTs that pick the search page's ids (the index, not the inbox)
        return await page_ids(db, people["clerk"], parse_filters({"q": "chuyen doi so"}))

    return {"clerk inbox": inbox(people["clerk"]), "leader inbox": inbox(people["leader"]),
            "unit head inbox": inbox(people["unit_head"]), "specialist inbox": inbox(people["specialist"]),
            "bell (leader)": bell, "nav badges (leader)": bell, "document page": document,
            "register month CSV": register, "search (clerk)": search}


def explain_statements(people: dict[str, Actor], month: tuple[date, date]) -> dict[str, sa.Select[Any]]:
    """The hot statements, as the pages build them (for EXPLAIN)."""
    today = clock.to_local(clock.now()).date()
    doc = IncomingDocument

    def page(actor: Actor, inbox: str) -> sa.Select[Any]:
        return (filtered_query(actor, inbox, ListFilters(), today)
                .order_by(doc.priority.desc(), doc.received_at.desc(), doc.id.desc()).limit(21))

    lower = datetime.combine(month[0], datetime.min.time(), VN_TZ)
    upper = datetime.combine(month[1] + timedelta(days=1), datetime.min.time(), VN_TZ)
    return {
        "clerk inbox, default tab (to_register)": page(people["clerk"], "to_register"),
        "clerk 'all' tab count (capped)": count_query(filtered_query(people["clerk"], "all", ListFilters(), today),
                                                      cap=COUNT_CAP),
        "leader inbox (to_assign)": page(people["leader"], "to_assign"),
        "specialist inbox (to_handle)": page(people["specialist"], "to_handle"),
        "unit head 'watching' count (capped)": count_query(
            filtered_query(people["unit_head"], "watching", ListFilters(), today), cap=COUNT_CAP),
        **{f"leader badge, part {n} (capped)": count_query(visible_incoming(people["leader"]).where(condition),
                                                           cap=COUNT_CAP)
           for n, condition in enumerate(_action_conditions(people["leader"]), 1)},
        "bell unread (capped)": sa.select(sa.func.count()).select_from(
            sa.select(Notification.id).where(Notification.user_id == people["leader"].user_id,
                                             Notification.read_at.is_(None)).limit(100).subquery()),
        "register month": visible_incoming(people["clerk"]).where(
            doc.arrival_number.is_not(None), doc.received_at >= lower, doc.received_at < upper)
        .order_by(doc.arrival_year, doc.arrival_number),
    }


async def explain(url: str, people: dict[str, Actor], month: tuple[date, date]) -> None:
    engine = create_engine(url, pool=False)
    try:
        async with engine.connect() as conn:
            for name, statement in explain_statements(people, month).items():
                sql = str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                plan = (await conn.exec_driver_sql(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}")).all()
                print(f"\n#### {name}\n```")
                print("\n".join(line[0] for line in plan))
                print("```")
    finally:
        await engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/province")
    parser.add_argument("--documents", type=int, default=50_000, help="generated when the database is empty")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the hot queries (PostgreSQL)")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-province-"))
    env = {**os.environ, "APP_ENV": "demo", "DATA_DIR": str(data_dir), "DATABASE_URL": args.database_url,
           "PYTHONPATH": str(REPO)}
    env.pop("REDIS_URL", None)
    url = load_settings(env).database_url
    run_backend(env, "migrate")
    count = asyncio.run(has_province(url))
    if not count:
        started = time.perf_counter()
        print(run_backend(env, "generate-province", "--documents", str(args.documents)))
        print(f"generated in {time.perf_counter() - started:.0f} s")
        count = asyncio.run(has_province(url))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "backend", "serve"], env={**env, "PORT": str(port)}, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        clients = {role: login(base, username) for role, username in USERS.items()}
        people, doc_id = asyncio.run(actors(url))
        today = clock.to_local(clock.now()).date()
        month = (today - timedelta(days=30), today)
        pages = {
            "clerk inbox": ("clerk", "/incoming"), "leader inbox": ("leader", "/incoming"),
            "unit head inbox": ("unit_head", "/incoming"), "specialist inbox": ("specialist", "/incoming"),
            "bell (leader)": ("leader", "/live/counts"), "nav badges (leader)": ("leader", "/account"),
            "document page": ("clerk", f"/incoming/{doc_id}"),
            "register month CSV": ("clerk", f"/incoming/book.csv?from={month[0]}&to={month[1]}"),
            "search (clerk)": ("clerk", "/search?q=chuyen+doi+so"),
        }
        page_times = {name: time_page(clients[role], path, args.runs) for name, (role, path) in pages.items()}
        bare = asyncio.run(time_bare(url, args.runs, bare_queries(people, doc_id, month)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    dialect = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"\n{dialect}, {count:,} incoming documents, {args.runs} runs per page, one user, loopback;"
          f" {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print("| page | p50 ms | p95 ms | bare query p50 ms | bare p95 ms | ratio (p95) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, samples in page_times.items():
        raw = bare[name]
        ratio = pct(samples, 0.95) / max(pct(raw, 0.95), 0.01)
        print(f"| {name} | {statistics.median(samples):.1f} | {pct(samples, 0.95):.1f} | "
              f"{statistics.median(raw):.2f} | {pct(raw, 0.95):.2f} | {ratio:.0f}× |")
    if args.explain and url.startswith("postgres"):
        asyncio.run(explain(url, people, month))
    return 0


if __name__ == "__main__":
    sys.exit(main())
