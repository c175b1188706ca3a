"""The two full-text engines behind one interface: how a :class:`Terms` matches and ranks, and how an
entry's folded words reach the engine's index.

- SQLite: the FTS5 table ``search_fts(agency, folded)`` (rowid = ``search_entry.id``), kept in step by
  :meth:`store`; the match is scoped inside FTS5 by the agency column (``agency : "12" AND folded : (...)``),
  words match as ``"word"*`` (prefix), phrases as ``"a b c"``; relevance is ``-bm25`` of the ``folded`` column.
- PostgreSQL: the generated column ``search_entry.tsv = to_tsvector('simple', folded)`` with a composite GIN
  index on ``(agency_id, tsv)`` (``btree_gin``; maintained by the database itself), so the agency narrows the
  index scan; words match as ``word:*``, phrases as ``a <-> b <-> c``; relevance is ``ts_rank``.

Both see the same space-separated folded words (``backend.lib.text.search_words``), so they match the
same documents; only the relevance figures differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import SearchEntry
from backend.domain.search.terms import Terms

__all__ = ["Engine", "Match", "engine_for"]


@dataclass(frozen=True, slots=True)
class Match:
    """What narrows ``search_entry`` to the matching entries (``source`` joined, ``condition``), and how to compute
    the relevance (higher is better) of known entries: ``score`` over ``score_source`` where ``score_condition``
    holds (FTS5's ``bm25`` exists only inside its own match; ``ts_rank`` reads the row's stored ``tsv``)."""

    source: sa.FromClause
    condition: sa.ColumnElement[bool]
    score: sa.ColumnElement[float]
    score_source: sa.FromClause
    score_condition: sa.ColumnElement[bool]


class Engine(Protocol):
    """One database's full-text search."""

    def match(self, terms: Terms, agency_id: int) -> Match:
        """The condition matching the entries of ``agency_id`` that hold every word (as a prefix) and every
        phrase of ``terms``."""

    def store(self, db: Session, rows: Sequence[tuple[int, int, str]]) -> None:
        """Put ``(entry id, agency id, folded text)`` into the engine's index (replacing what was there)."""

    def forget(self, db: Session, entry_ids: Sequence[int]) -> None:
        """Remove entries from the engine's index."""


_FTS = sa.table("search_fts", sa.column("rowid", sa.Integer), sa.column("agency", sa.Text),
                sa.column("folded", sa.Text))


class SqliteFts:
    """SQLite FTS5."""

    def match(self, terms: Terms, agency_id: int) -> Match:
        parts = [f'"{word}"*' for word in terms.words] + ['"' + " ".join(phrase) + '"' for phrase in terms.phrases]
        query = f'agency : "{int(agency_id)}" AND folded : (' + " ".join(parts) + ")"
        matches = sa.literal_column("search_fts").op("MATCH")(sa.bindparam("fts_query", query))
        # the matching rowids are read from FTS5 once (a probe per row would re-run the match for every row)
        condition = SearchEntry.id.in_(sa.select(_FTS.c.rowid).where(matches))
        score = -sa.func.bm25(sa.literal_column("search_fts"), sa.literal(0.0), sa.literal(1.0))
        ranked = sa.join(SearchEntry, _FTS, _FTS.c.rowid == SearchEntry.id)
        return Match(SearchEntry.__table__, condition, score, ranked, matches)

    def store(self, db: Session, rows: Sequence[tuple[int, int, str]]) -> None:
        if not rows:
            return
        self.forget(db, [entry_id for entry_id, _, _ in rows])
        db.execute(sa.text("INSERT INTO search_fts (rowid, agency, folded) VALUES (:id, :agency, :folded)"),
                   [{"id": entry_id, "agency": str(agency_id), "folded": folded}
                    for entry_id, agency_id, folded in rows])

    def forget(self, db: Session, entry_ids: Sequence[int]) -> None:
        if entry_ids:
            db.execute(sa.text("DELETE FROM search_fts WHERE rowid = :id"), [{"id": i} for i in entry_ids])


_TSV: sa.ColumnClause[Any] = sa.literal_column("search_entry.tsv")
_SIMPLE: sa.ColumnClause[Any] = sa.literal_column("'simple'::regconfig")


class PostgresFts:
    """PostgreSQL full-text search over the generated ``tsv`` column (the database keeps it current)."""

    def match(self, terms: Terms, agency_id: int) -> Match:
        parts = [f"{word}:*" for word in terms.words] + ["(" + " <-> ".join(phrase) + ")" for phrase in terms.phrases]
        query = sa.func.to_tsquery(_SIMPLE, sa.bindparam("ts_query", " & ".join(parts)))
        score = sa.cast(sa.func.ts_rank(_TSV, query), sa.Float)
        condition = sa.and_(SearchEntry.agency_id == agency_id, _TSV.op("@@")(query))
        return Match(SearchEntry.__table__, condition, score, SearchEntry.__table__, sa.true())

    def store(self, db: Session, rows: Sequence[tuple[int, int, str]]) -> None:
        return None

    def forget(self, db: Session, entry_ids: Sequence[int]) -> None:
        return None


def engine_for(dialect_name: str) -> Engine:
    """The engine of a database (``db.bind.dialect.name``)."""
    return PostgresFts() if dialect_name == "postgresql" else SqliteFts()
