"""Search index scoped by agency: the match is narrowed to one agency inside the full-text index itself

- PostgreSQL: the GIN index on ``tsv`` becomes a composite GIN on ``(agency_id, tsv)`` (``btree_gin``), so a
  word's posting list is intersected with the agency's inside the index scan.
- SQLite: ``search_fts`` gains an ``agency`` column (the agency id as one token) ahead of ``folded``, so
  ``agency : "12" AND (...)`` is answered from the FTS5 doclists before any row of ``search_entry`` is read.
  The table is rebuilt from ``search_entry`` (which keeps the folded words of every entry), so an existing,
  populated index is carried over without a reindex.

Revision ID: a7c3e5f91d28
Revises: c8e1f4a2d6b9
Create Date: 2026-12-07 11:30:00
"""

from __future__ import annotations

from alembic import op

revision = 'a7c3e5f91d28'
down_revision = 'c8e1f4a2d6b9'
branch_labels = None
depends_on = None

_FTS_OLD = "CREATE VIRTUAL TABLE search_fts USING fts5(folded, tokenize='unicode61', prefix='2 3')"
_FTS_NEW = "CREATE VIRTUAL TABLE search_fts USING fts5(agency, folded, tokenize='unicode61', prefix='2 3')"


def upgrade() -> None:
    if op.get_context().dialect.name == 'postgresql':
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        op.execute("CREATE INDEX ix_search_entry_tsv_agency ON search_entry USING gin (agency_id, tsv)")
        op.execute("DROP INDEX ix_search_entry_tsv")
    else:
        op.execute("DROP TABLE search_fts")
        op.execute(_FTS_NEW)
        op.execute("INSERT INTO search_fts (rowid, agency, folded) "
                   "SELECT id, CAST(agency_id AS TEXT), folded FROM search_entry")


def downgrade() -> None:
    if op.get_context().dialect.name == 'postgresql':
        op.execute("CREATE INDEX ix_search_entry_tsv ON search_entry USING gin (tsv)")
        op.execute("DROP INDEX ix_search_entry_tsv_agency")
    else:
        op.execute("DROP TABLE search_fts")
        op.execute(_FTS_OLD)
        op.execute("INSERT INTO search_fts (rowid, folded) SELECT id, folded FROM search_entry")
