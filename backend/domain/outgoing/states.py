"""The outgoing states and the groups of them that policies and the workflow table share."""

from __future__ import annotations

from backend.db.models.outgoing import OutgoingState as State

__all__ = ["AFTER_ISSUE", "EDITABLE", "PUBLISHED", "State"]

EDITABLE = frozenset({State.DRAFT, State.UNIT_REVIEW})
"""States in which a new draft version is a plain upload (no approval has happened yet)."""
PUBLISHED = frozenset({State.ISSUED, State.ARCHIVED})
"""Issued and in force: what may be recalled, amended or replaced (Đ.18.3-4)."""
AFTER_ISSUE = PUBLISHED | {State.RECALLED, State.REPLACED}
"""Every state after issue (the recipients' delivery status matters)."""
