"""Programmatic Alembic: upgrade, downgrade and new revisions against ``DATABASE_URL``.

No ``alembic.ini`` is needed; the configuration is built here from the settings so that the web
process, the CLI and the tests migrate exactly the same way.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

__all__ = ["alembic_config", "upgrade", "downgrade", "revision"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and ``database_url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s_%%(rev)s")
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, target: str = "heads") -> None:
    """Apply migrations up to ``target``. Runs its own event loop: call it outside async code."""
    command.upgrade(alembic_config(database_url), target)


def downgrade(database_url: str, target: str) -> None:
    """Revert migrations down to ``target``."""
    command.downgrade(alembic_config(database_url), target)


def revision(database_url: str, message: str) -> None:
    """Autogenerate a new revision from the difference between the models and ``database_url``."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
