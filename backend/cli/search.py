"""``search reindex``: rebuild the search index from the documents (after a bulk load, or to repair it).

Entries are rebuilt in batches, each committed; documents whose file was not read yet get a text-extraction
job for the worker unless ``--no-text`` is given. ``--kind`` rebuilds one kind only (``--kind workfile`` after
upgrading to the version that made work files searchable).
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.domain.search.indexer import KINDS, refresh_all

__all__ = ["reindex"]


async def reindex(settings: Settings, *, extract: bool = True, batch: int = 2000,
                  kinds: tuple[str, ...] = ()) -> str:
    """Rebuild every entry of ``kinds`` (none given: every kind); returns a one-line report."""
    engine = create_engine(settings.database_url)
    started = time.monotonic()

    def run(db: Session) -> int:
        def committed(total: int) -> None:
            db.commit()
            db.expunge_all()
            print(f"  {total} entries", flush=True)

        return refresh_all(db, batch=batch, extract=extract, kinds=kinds or tuple(KINDS), on_batch=committed)

    try:
        async with create_sessionmaker(engine)() as db:
            total = await db.run_sync(run)
            await db.commit()
    finally:
        await engine.dispose()
    return f"Search index rebuilt: {total} entries in {time.monotonic() - started:.0f} s."
