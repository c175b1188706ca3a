"""Alembic environment: runs migrations on the async engine built from the app settings.

SQLite alters tables by "batch" copy-and-move (create the new table, copy, drop the old one,
rename). With foreign keys enforced, dropping the old table would cascade-delete every child row,
so on SQLite enforcement is switched off for the migration's connection (it cannot be switched
inside a transaction) and ``PRAGMA foreign_key_check`` must come back empty before the commit.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import backend.db.models  # noqa: F401  (registers every table)
from backend.db.base import Base, is_modelled
from backend.db.engine import create_engine

config = context.config


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        cursor = connection.connection.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")  # before BEGIN, or it is ignored
        cursor.close()
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        compare_type=True,
        include_name=is_modelled,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
            raise RuntimeError(f"migration left rows pointing at missing parents: {broken[:5]}")


async def _run_async() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run against a database.")
asyncio.run(_run_async())
