"""Which outgoing documents must also travel on paper (domain.md §22), decided from the admin's list.

The list lives in the ``paper_copy_rule`` table (edited on ``/admin/paper-copy``). Its active rules
are read in one query as *categories*: ``type:<code>`` for a document type, or the keyword itself.
:func:`paper_copy_required` is the pure match (type code equal, or folded keyword contained in the
folded summary); ``issue`` stores its result on the document, and :func:`paper_copy_preview` lets
the document page say so before the clerk issues.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import DocumentType, OutgoingDocument, PaperCopyRule, PaperCopyRuleKind
from backend.lib.text import fold

__all__ = ["TYPE_PREFIX", "active_categories", "paper_copy_preview", "paper_copy_required"]

TYPE_PREFIX = "type:"


def paper_copy_required(categories: Sequence[str], doc_type: DocumentType, summary: str) -> bool:
    """True when the type (``type:<code>``) or a keyword of the deployment's list matches (§22)."""
    text = fold(summary)
    for entry in categories:
        if entry.startswith(TYPE_PREFIX):
            if entry[len(TYPE_PREFIX):] == doc_type.code:
                return True
        elif fold(entry) and fold(entry) in text:
            return True
    return False


async def active_categories(db: AsyncSession) -> tuple[str, ...]:
    """The active rules of the paper-copy list as categories for :func:`paper_copy_required`."""
    rows = await db.execute(
        sa.select(PaperCopyRule.kind, PaperCopyRule.keyword, DocumentType.code)
        .outerjoin(DocumentType, DocumentType.id == PaperCopyRule.document_type_id)
        .where(PaperCopyRule.is_active.is_(True))
        .order_by(PaperCopyRule.id)
    )
    return tuple(
        f"{TYPE_PREFIX}{code}" if kind == PaperCopyRuleKind.DOCUMENT_TYPE else keyword
        for kind, keyword, code in rows
    )


async def paper_copy_preview(db: AsyncSession, doc: OutgoingDocument) -> bool:
    """Whether issuing ``doc`` now would flag it for a paper copy (the same rule ``issue`` applies)."""
    doc_type = await db.get(DocumentType, doc.document_type_id)
    if doc_type is None:
        return False
    return paper_copy_required(await active_categories(db), doc_type, doc.summary)
