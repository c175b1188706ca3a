"""Private copies of the seeded template database: one per test (or per module), made ahead and dropped behind.

On SQLite a copy is a file copy, made when asked. On PostgreSQL it is ``CREATE DATABASE … TEMPLATE`` and its end
``DROP DATABASE``: mostly the server writing and syncing files, 0.1–0.3 s each, which a test need not wait for.
So one spare copy is made while the current test runs, and a finished test's copy is dropped while the next one
runs, both on one worker thread (the server sees one such statement at a time). Every copy goes through here:
PostgreSQL refuses to copy a database anyone is connected to, so nothing else may open the template.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

__all__ = ["TemplateCopies"]


class TemplateCopies:
    """Copies of ``template``: a SQLite file path, or a PostgreSQL database name on ``server`` (a
    ``postgresql://user@host:port`` URL without database) administered through ``admin`` (runs one statement)."""

    def __init__(self, template: str, server: str = "", admin: Callable[[str], None] | None = None) -> None:
        self.template, self.server, self._admin = template, server, admin
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="template-copies") if admin else None
        self._spare: Future[str] | None = self._worker.submit(self._create) if self._worker else None

    def take(self, target: Path) -> str:
        """The SQLAlchemy URL of a fresh copy (on SQLite, the file ``target``)."""
        if self._worker is None or self._spare is None:
            shutil.copyfile(self.template, target)
            return f"sqlite+aiosqlite:///{target}"
        name = self._spare.result()
        self._spare = self._worker.submit(self._create)
        return f"{self.server}/{name}".replace("postgresql://", "postgresql+asyncpg://")

    def give_back(self, url: str) -> None:
        """The copy at ``url`` is no longer used: dropped in the background (its connections ended)."""
        if self._worker is not None:
            self._worker.submit(self._drop, url.rpartition("/")[2])

    def close(self) -> None:
        """Drop the spare and wait for every pending drop."""
        if self._worker is not None and self._spare is not None:
            self._worker.submit(self._drop, self._spare.result())
            self._worker.shutdown(wait=True)

    def _create(self) -> str:
        assert self._admin is not None
        name = f"cv_t_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def _drop(self, name: str) -> None:
        assert self._admin is not None
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
