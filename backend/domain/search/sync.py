"""Keep the index in step with the documents in the same transaction that changes them.

A session hook notes every incoming or outgoing document or work file a flush inserted, changed or deleted;
just before the transaction commits, the entries of those documents are rebuilt (:func:`indexer.refresh`) in that
transaction, so a committed change is searchable at once and a rolled-back one leaves no trace. Bulk
writes that bypass the ORM (the province generator) are indexed by ``python -m backend search reindex``.

:func:`install` is called once, when ``backend.domain`` is imported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from backend.db.models import IncomingDocument, OutgoingDocument, WorkFile
from backend.domain.search import indexer

__all__ = ["install"]

_KEY = "search.changed"
_KINDS: dict[type[Any], str] = {IncomingDocument: indexer.INCOMING, OutgoingDocument: indexer.OUTGOING,
                                WorkFile: indexer.WORKFILE}
_installed = False


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        kind = _KINDS.get(type(obj))
        if kind is not None and obj.id is not None:
            session.info.setdefault(_KEY, set()).add((kind, obj.id))


def _before_commit(session: Session) -> None:
    if session.info.get(_KEY) is None and not any(type(obj) in _KINDS for obj in (*session.new, *session.dirty)):
        return
    session.flush()
    while changed := session.info.pop(_KEY, None):
        for kind in sorted({kind for kind, _ in changed}):
            indexer.refresh(session, kind, [doc_id for k, doc_id in changed if k == kind])
        session.flush()


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(_KEY, None)


def install() -> None:
    """Register the hooks on every ORM session (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_rollback", _forget)
    _installed = True
