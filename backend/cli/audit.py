"""``verify-audit``: walk the audit chain and report the first broken link."""

from __future__ import annotations

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.domain.audit.services import verify_chain

__all__ = ["verify_audit"]


async def verify_audit(settings: Settings) -> int:
    """Print the verdict; exit code 0 when intact, 1 when a link is broken."""
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            report = await verify_chain(db)
    finally:
        await engine.dispose()
    if report.ok:
        print(f"Audit chain intact: {report.checked} rows verified.")
        return 0
    print(f"Audit chain BROKEN at row id {report.first_broken_id} ({report.reason}); "
          f"{report.checked} rows before it are intact.")
    return 1
