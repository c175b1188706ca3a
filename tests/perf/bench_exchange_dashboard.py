"""Benchmark: the exchange dashboard of a province's month (issue 13 item 9), on the generated province.

Prepare once (an empty, migrated database; ~80,000 incoming and 8,000 outgoing documents in the
last 30 days, ~23,000 recipient lines with their milestones, 181 agencies)::

    createdb -h 127.0.0.1 -U postgres dash_prov
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dash_prov python -m backend migrate
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dash_prov python -m backend generate-province \\
        --documents 80000 --days 30

Run::

    PYTHONPATH=. .venv/bin/python -m tests.perf.bench_exchange_dashboard \\
        --database-url postgresql://postgres@127.0.0.1:5432/dash_prov --runs 10

Times, in-process on the app's own engine and sessions after one warm-up, the use cases the page,
the exports and the API call: :func:`dashboard_service.dashboard` as the provincial leader
(``lanhdao.tinh``: every agency) and as one department's clerk, and the rejections drill-down of the
province; and, in the same run, a bare indexed count of the same recipient lines (the floor of any
live aggregate over them). Prints p50 / p95 / max in milliseconds, and with ``--explain`` the
PostgreSQL plans of the two main dashboard queries for the province and for one department.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from datetime import timedelta

import sqlalchemy as sa

from backend.config.settings import load_settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import (
    Agency,
    AgencyLevel,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientKind,
    Role,
    RoleGrant,
    User,
)
from backend.domain.accounts.actor import load_actor
from backend.domain.exchange import dashboard_service
from backend.domain.exchange.dashboard import received_platform_query, sent_lines_query
from backend.domain.statistics.figures import calendar_table
from backend.domain.statistics.period import Period
from backend.domain.statistics.scope import statistics_agency_ids
from backend.lib import clock
from tests.support.figures import pct, timed


async def main(url: str, runs: int, username: str, explain: bool) -> None:
    settings = load_settings({"DATABASE_URL": url})
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    now = clock.now()
    today = clock.to_local(now).date()
    period = Period(today - timedelta(days=29), today)
    params = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    async with sessions() as db:
        user = (await db.scalars(sa.select(User).where(User.username == username))).one()
        leader = await load_actor(db, user.id, None)
        clerk_id = await db.scalar(sa.select(RoleGrant.user_id).join(Agency, Agency.id == RoleGrant.agency_id)
                                   .where(RoleGrant.role == Role.CLERK, Agency.level == AgencyLevel.DEPARTMENT)
                                   .order_by(RoleGrant.user_id).limit(1))
        assert leader is not None and clerk_id is not None
        clerk = await load_actor(db, clerk_id, None)
        assert clerk is not None
        lines = await db.scalar(sa.select(sa.func.count()).select_from(OutgoingRecipient).join(
            OutgoingDocument, OutgoingDocument.id == OutgoingRecipient.outgoing_id).where(
            OutgoingDocument.issued_at >= period.lower, OutgoingDocument.issued_at < period.upper))
        if explain and engine.dialect.name == "postgresql":
            cal = calendar_table(settings, period, now)
            province = list((await db.scalars(statistics_agency_ids(leader))).all())
            department = list((await db.scalars(statistics_agency_ids(clerk))).all())
            for name, query in (("sent lines, province", sent_lines_query(province, period, cal, now)),
                                ("received (platform), province", received_platform_query(province, period)),
                                ("sent lines, one department", sent_lines_query(department, period, cal, now)),
                                ("received (platform), one department", received_platform_query(department, period))):
                compiled = query.compile(engine.sync_engine, compile_kwargs={"literal_binds": True})
                plan = (await db.execute(sa.text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}"))).scalars().all()
                print(f"-- {name}\n" + "\n".join(plan))

    async def province() -> None:
        async with sessions() as db:
            await dashboard_service.dashboard(db, leader, settings, params, clock.now())

    async def one_clerk() -> None:
        async with sessions() as db:
            await dashboard_service.dashboard(db, clerk, settings, params, clock.now())

    async def rejections() -> None:
        async with sessions() as db:
            await dashboard_service.rejections(db, leader, params, clock.now())

    async def bare() -> None:
        async with sessions() as db:
            (await db.execute(sa.select(OutgoingRecipient.recipient_agency_id, sa.func.count())
                              .join(OutgoingDocument, OutgoingDocument.id == OutgoingRecipient.outgoing_id)
                              .where(OutgoingDocument.agency_id.in_(statistics_agency_ids(leader)),
                                     OutgoingDocument.issued_at >= period.lower,
                                     OutgoingDocument.issued_at < period.upper,
                                     OutgoingRecipient.kind == RecipientKind.AGENCY)
                              .group_by(OutgoingRecipient.recipient_agency_id))).all()

    print(f"{engine.dialect.name}: {lines} recipient lines of documents issued in {period.start} … {period.end}, "
          f"{runs} runs after a warm-up")
    for name, call in (("dashboard (province, all agencies)", province), ("dashboard (one clerk's agency)", one_clerk),
                       ("rejections (province)", rejections), ("bare count of the lines", bare)):
        times = await timed(runs, call)
        print(f"  {name:36} p50 {statistics.median(times):7.0f} ms  p95 {pct(times, 0.95):7.0f} ms  "
              f"max {max(times):7.0f} ms")
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/dash_prov")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--user", default="lanhdao.tinh")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.runs, args.user, args.explain))
