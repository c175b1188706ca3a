"""The deployment-wide paper-copy list (domain.md §22): what must also travel on paper.

One deployment serves one province, and the provincial chairman decides which categories of
outgoing documents still go on paper as well (personnel decisions, budget documents…). Each row is
one rule: a document type of the ND 30 table, or a keyword looked for in the summary (trích yếu),
accent- and case-insensitively. Inactive rules are kept (with who changed them) but not applied.

``keyword_key`` is the folded keyword (:func:`backend.lib.text.fold` of the cleaned text): unique,
so "Bổ nhiệm" and "bo nhiem" cannot both be listed. A type rule has no keyword and a keyword rule
no type (CHECK ``target``). The migration that creates the table fills it once from
``PAPER_COPY_CATEGORIES``; afterwards the table is the truth.
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, TimestampMixin, enum_column

__all__ = ["PaperCopyRule", "PaperCopyRuleKind"]


class PaperCopyRuleKind(StrEnum):
    """What a rule matches: the document type, or a keyword of the summary."""

    DOCUMENT_TYPE = "document_type"
    KEYWORD = "keyword"


class PaperCopyRule(TimestampMixin, Base):
    """One entry of the paper-copy list; ``created_by_id`` is ``None`` for the initial list."""

    __tablename__ = "paper_copy_rule"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'document_type' AND document_type_id IS NOT NULL AND keyword_key IS NULL)"
            " OR (kind = 'keyword' AND document_type_id IS NULL AND keyword_key IS NOT NULL)",
            name="target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PaperCopyRuleKind] = enum_column(PaperCopyRuleKind, "paper_copy_rule_kind")
    document_type_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_type.id"), unique=True)
    keyword: Mapped[str] = mapped_column(sa.String(100), default="")
    keyword_key: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
