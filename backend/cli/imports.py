"""``import-csv``: load agencies, units or users from a CSV file with system scope."""

from __future__ import annotations

from pathlib import Path

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.domain.admin_import import service as csv_import
from backend.domain.audit.services import RequestMeta

__all__ = ["import_csv"]

_IMPORTERS = {
    "agencies": csv_import.import_agencies_csv,
    "units": csv_import.import_units_csv,
    "users": csv_import.import_users_csv,
}


async def import_csv(settings: Settings, kind: str, path: Path) -> int:
    """Import ``path``; print the counts, each rejected row with its reasons, and new passwords."""
    text = path.read_text(encoding="utf-8-sig")
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            report = await _IMPORTERS[kind](db, text, scope=None, meta=RequestMeta(ip="cli"), actor_name="cli")
            await db.commit()
    finally:
        await engine.dispose()
    print(f"created={report.created} skipped={report.skipped} rejected={len(report.rejected)}")
    for row in report.rejected:
        print(f"  line {row.line} ({row.key}): {'; '.join(row.reasons)}")
    for username, password in report.passwords:
        print(f"  {username}\t{password}")
    return 1 if report.rejected else 0
