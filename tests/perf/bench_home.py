"""In-process timings of the leader home, the audit viewer and the reminder runs on a generated province.

Run after ``python -m backend generate-province`` (see ``docs/performance.md``)::

    PYTHONPATH=. .venv/bin/python tests/perf/bench_home.py --database-url sqlite:///data/province.db --runs 20

It times the service calls behind each page (no HTTP): the leader home's figures for the province's
leader (``lanhdao.tinh``), the audit viewer's first page for the province's administrator
(``quantri.tinh``, whose scope is every agency) unfiltered, for one document and for one user, and one
reminder scan and one morning digest over the whole province (each in a transaction rolled back
afterwards, so every run does the full work). Prints p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa

from backend.config.settings import load_settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import AuditEvent, IncomingDocument, User
from backend.domain.accounts.actor import load_actor
from backend.domain.audit.viewer import AuditFilters, audit_page
from backend.domain.reminders.deadlines import scan
from backend.domain.reminders.digest import send_digests
from backend.domain.reminders.figures import leader_counts, month_deadlines
from backend.lib import clock
from backend.lib.urls import RouteUrls
from tests.support.figures import pct


async def bench(url: str, runs: int) -> None:
    settings = load_settings({"DATABASE_URL": url, "SECRET_KEY": "x" * 40})
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    async with sessions() as db:
        leader_id = (await db.scalars(sa.select(User.id).where(User.username == "lanhdao.tinh"))).one()
        admin_id = (await db.scalars(sa.select(User.id).where(User.username == "quantri.tinh"))).one()
        leader = await load_actor(db, leader_id, None)
        admin = await load_actor(db, admin_id, None)
        doc = await db.scalar(sa.select(IncomingDocument.id).order_by(IncomingDocument.id.desc()).limit(1))
        documents = await db.scalar(sa.select(sa.func.count()).select_from(IncomingDocument))
        audit_rows = await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert leader is not None and admin is not None
    today, now, urls = clock.today(), clock.now(), RouteUrls()

    async def home(db: Any) -> Any:
        return await leader_counts(db, leader, today), await month_deadlines(db, leader, today)

    cases: dict[str, Callable[[Any], Awaitable[Any]]] = {
        "leader home figures": home,
        "audit viewer, first page": lambda db: audit_page(db, admin, AuditFilters()),
        "audit viewer, one document": lambda db: audit_page(
            db, admin, AuditFilters(object_type="incoming", object_id=str(doc))),
        "audit viewer, one user": lambda db: audit_page(db, admin, AuditFilters(user="vanthu.tinh")),
        "reminder scan (province)": lambda db: scan(db, settings, urls, now),
        "morning digest (province)": lambda db: send_digests(db, urls, now),
    }
    print(f"{engine.dialect.name}: {documents:,} incoming documents, {audit_rows:,} audit rows, {runs} runs")
    print("| call | p50 ms | p95 ms |")
    print("|---|---:|---:|")
    for name, call in cases.items():
        samples = []
        for attempt in range(runs + 1):
            async with sessions() as db:
                started = time.perf_counter()
                await call(db)
                elapsed = (time.perf_counter() - started) * 1000
                await db.rollback()
            if attempt:
                samples.append(elapsed)
        print(f"| {name} | {statistics.median(samples):.1f} | {pct(samples, 0.95):.1f} |")
    await engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(bench(args.database_url, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
