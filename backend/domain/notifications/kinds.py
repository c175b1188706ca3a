"""The notification job kind every context enqueues to tell people something (``notification.create``)."""

from __future__ import annotations

import msgspec

from backend.tasks.bus import JobKind

__all__ = ["NOTIFY", "Notify"]


class Notify(msgspec.Struct, frozen=True, kw_only=True):
    """Create one in-app notification per user (and queue their pushes and live signals).

    ``urgency`` is a document urgency value (such as ``hoa_toc``) that sets the push ``Urgency``;
    ``topic`` overrides the push ``Topic`` derived from ``url``; ``informational`` lowers the push
    urgency of a non-urgent notice. ``actor_id`` is who caused it: an unread notice about the same
    page by the same person a moment earlier is updated instead of repeated (one notice per burst).
    """

    user_ids: list[int]
    title: str
    body: str = ""
    url: str = ""
    urgent: bool = False
    urgency: str | None = None
    topic: str | None = None
    informational: bool = False
    actor_id: int | None = None


NOTIFY: JobKind[Notify] = JobKind("notification.create", Notify)
