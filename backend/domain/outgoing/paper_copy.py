"""Which outgoing documents must also travel on paper (domain.md §22), decided from the admin's list.

The list lives in the ``paper_copy_rule`` table (edited on ``/admin/paper-copy``, see
:mod:`.paper_copy_rules`). Its active rules are read in one query as typed rules: a
:class:`TypeRule` (a document type, by its stable code) or a :class:`KeywordRule` (a word or phrase
of the summary). :func:`paper_copy_required` is the pure match (type code equal, or folded keyword
contained in the folded summary); ``issue`` stores its result on the document, and
:func:`paper_copy_preview` lets the document page say so before the clerk issues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import DocumentType, OutgoingDocument, PaperCopyRule, PaperCopyRuleKind
from backend.lib.text import fold

__all__ = [
    "KeywordRule",
    "PaperCopyMatch",
    "TypeRule",
    "active_categories",
    "paper_copy_preview",
    "paper_copy_required",
]


@dataclass(frozen=True, slots=True)
class TypeRule:
    """Every document of this type (``DocumentType.code``) travels on paper."""

    code: str

    def matches(self, doc_type: DocumentType, folded_summary: str) -> bool:
        return doc_type.code == self.code


@dataclass(frozen=True, slots=True)
class KeywordRule:
    """Every document whose summary contains this keyword (accent- and case-insensitive)."""

    keyword: str

    def matches(self, doc_type: DocumentType, folded_summary: str) -> bool:
        key = fold(self.keyword)
        return bool(key) and key in folded_summary


PaperCopyMatch = TypeRule | KeywordRule
"""One active rule of the paper-copy list."""


def paper_copy_required(rules: Sequence[PaperCopyMatch], doc_type: DocumentType, summary: str) -> bool:
    """True when a type rule or a keyword rule of the deployment's list matches (§22)."""
    text = fold(summary)
    return any(rule.matches(doc_type, text) for rule in rules)


async def active_categories(db: AsyncSession) -> tuple[PaperCopyMatch, ...]:
    """The active rules of the paper-copy list, typed, in one query (for :func:`paper_copy_required`)."""
    rows = await db.execute(
        sa.select(PaperCopyRule.kind, PaperCopyRule.keyword, DocumentType.code)
        .outerjoin(DocumentType, DocumentType.id == PaperCopyRule.document_type_id)
        .where(PaperCopyRule.is_active.is_(True))
        .order_by(PaperCopyRule.id)
    )
    return tuple(
        TypeRule(code) if kind == PaperCopyRuleKind.DOCUMENT_TYPE else KeywordRule(keyword)
        for kind, keyword, code in rows
    )


async def paper_copy_preview(db: AsyncSession, doc: OutgoingDocument) -> bool:
    """Whether issuing ``doc`` now would flag it for a paper copy (the same rule ``issue`` applies)."""
    doc_type = await db.get(DocumentType, doc.document_type_id)
    if doc_type is None:
        return False
    return paper_copy_required(await active_categories(db), doc_type, doc.summary)
