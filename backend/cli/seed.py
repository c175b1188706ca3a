"""``seed-demo``: the demo province (UBND tỉnh, two Sở, two UBND huyện, three UBND xã).

The data lives in ``backend/db/fixtures/demo_*.csv`` and goes through the same CSV import as an
administrator's upload, so it is validated the same way. Re-running creates nothing new.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.domain.admin_import.service import import_agencies_csv, import_units_csv, import_users_csv
from backend.domain.audit.services import RequestMeta

__all__ = ["DEMO_PASSWORD", "FIXTURES", "seed_demo", "seed_demo_into"]

FIXTURES = Path(__file__).resolve().parent.parent / "db" / "fixtures"
DEMO_PASSWORD = "congvan2026"


async def seed_demo_into(db: AsyncSession) -> str:
    """Import the demo fixtures, committing after each file; returns a one-line summary.

    The commits keep the users' import (which hashes every password first) from running inside a
    transaction that still holds the write locks of the agencies and units just imported.
    """
    meta = RequestMeta(ip="seed")
    summary = []
    for label, importer, name in (
        ("agencies", import_agencies_csv, "demo_agencies.csv"),
        ("units", import_units_csv, "demo_units.csv"),
        ("users", import_users_csv, "demo_users.csv"),
    ):
        text = (FIXTURES / name).read_text(encoding="utf-8")
        if importer is import_users_csv:
            report = await importer(db, text, scope=None, meta=meta, actor_name="seed", must_change_password=False,
                                    demo_passwords=True)
        else:
            report = await importer(db, text, scope=None, meta=meta, actor_name="seed")
        if report.rejected:
            reasons = "; ".join(f"{r.line}:{r.key}:{','.join(r.reasons)}" for r in report.rejected)
            raise RuntimeError(f"demo fixture {name} has rejected rows: {reasons}")
        await db.commit()
        summary.append(f"{label}: {report.created} created, {report.skipped} already there")
    return "Demo province — " + "; ".join(summary)


async def seed_demo(settings: Settings) -> str:
    """Seed the database named by ``settings`` and commit."""
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            summary = await seed_demo_into(db)
            await db.commit()
    finally:
        await engine.dispose()
    return summary
