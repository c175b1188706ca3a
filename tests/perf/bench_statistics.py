"""Benchmark: a province's monthly statistics and compliance report (issue 15: ≤ 2 s on PostgreSQL).

Prepare once (an empty, migrated database; ~80,000 incoming and 8,000 outgoing documents in the
last 30 days, 181 agencies)::

    createdb -h 127.0.0.1 -U postgres stats_prov
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/stats_prov python -m backend migrate
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/stats_prov python -m backend generate-province \\
        --documents 80000 --days 30

Run::

    PYTHONPATH=. .venv/bin/python -m tests.perf.bench_statistics \\
        --database-url postgresql://postgres@127.0.0.1:5432/stats_prov --runs 10

As the provincial leader (``lanhdao.tinh``: every agency in scope), it times the use cases the
pages and the API call — :func:`service.overview` (statistics of every agency),
:func:`service.compliance` (the ranked report) and that report as a PDF fit to print — over the
last 30 days, in-process on the app's own engine and sessions, after one warm-up; and, in the same
run, a bare indexed count of the same incoming documents counted per agency (the floor of any live
aggregate). Prints p50 / p95 / max in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from datetime import timedelta

import sqlalchemy as sa

from backend.config.settings import load_settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import Agency, IncomingDocument, User
from backend.domain.accounts.actor import load_actor
from backend.domain.statistics import service
from backend.domain.statistics.compliance_pdf import compliance_pdf
from backend.domain.statistics.period import Period
from backend.domain.statistics.scope import statistics_agency_ids
from backend.lib import clock
from tests.support.figures import pct, timed


async def main(url: str, runs: int, username: str) -> None:
    settings = load_settings({"DATABASE_URL": url})
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    now = clock.now()
    today = clock.to_local(now).date()
    period = Period(today - timedelta(days=29), today)
    async with sessions() as db:
        user = (await db.scalars(sa.select(User).where(User.username == username))).one()
        actor = await load_actor(db, user.id, None)
        assert actor is not None
        agencies = await db.scalar(sa.select(sa.func.count()).where(Agency.id.in_(statistics_agency_ids(actor))))
        documents = await db.scalar(sa.select(sa.func.count()).select_from(IncomingDocument).where(
            IncomingDocument.received_at >= period.lower, IncomingDocument.received_at < period.upper))

    async def overview() -> None:
        async with sessions() as db:
            await service.overview(db, actor, settings, period, clock.now())

    async def compliance() -> None:
        async with sessions() as db:
            await service.compliance(db, actor, settings, period, clock.now())

    async def compliance_as_pdf() -> None:
        async with sessions() as db:
            data, report, scope = await service.compliance(db, actor, settings, period, clock.now())
        compliance_pdf(scope.name, data, report)

    async def bare() -> None:
        async with sessions() as db:
            (await db.execute(sa.select(IncomingDocument.agency_id, sa.func.count()).where(
                IncomingDocument.agency_id.in_(statistics_agency_ids(actor)),
                IncomingDocument.received_at >= period.lower, IncomingDocument.received_at < period.upper)
                .group_by(IncomingDocument.agency_id))).all()

    print(f"{engine.dialect.name}: {agencies} agencies in scope, {documents} incoming documents in "
          f"{period.start} … {period.end}, {runs} runs after a warm-up")
    for name, call in (("statistics (all agencies)", overview), ("compliance report", compliance),
                       ("compliance report as PDF", compliance_as_pdf), ("bare count per agency", bare)):
        times = await timed(runs, call)
        print(f"  {name:34} p50 {statistics.median(times):7.0f} ms  p95 {pct(times, 0.95):7.0f} ms  "
              f"max {max(times):7.0f} ms")
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/stats_prov")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--user", default="lanhdao.tinh")
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.runs, args.user))
