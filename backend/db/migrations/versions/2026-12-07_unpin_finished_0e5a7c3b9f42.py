"""Finished documents are no longer pinned: ``priority`` 0 for completed/returned incoming and issued-or-later outgoing

Revision ID: 0e5a7c3b9f42
Revises: a4d1c9e07b52
Create Date: 2026-12-07 05:50:00

The lists order by ``priority`` (urgency) first, so a completed Hỏa tốc document stayed above pending
ones in "Tất cả" (issue 11). The engine now keeps ``priority`` at the urgency only while work is pending;
this brings existing rows in line. Downgrade restores the urgency ranks.
"""

from __future__ import annotations

from alembic import op

revision = '0e5a7c3b9f42'
down_revision = 'a4d1c9e07b52'
branch_labels = None
depends_on = None

_RANKS = "CASE urgency WHEN 'khan' THEN 1 WHEN 'thuong_khan' THEN 2 WHEN 'hoa_toc' THEN 3 ELSE 0 END"


def upgrade() -> None:
    op.execute("UPDATE incoming_document SET priority = 0 WHERE state IN ('completed', 'returned')")
    op.execute("UPDATE outgoing_document SET priority = 0 "
               "WHERE state IN ('issued', 'archived', 'recalled', 'replaced', 'discarded')")


def downgrade() -> None:
    op.execute(f"UPDATE incoming_document SET priority = {_RANKS}")
    op.execute(f"UPDATE outgoing_document SET priority = {_RANKS}")
