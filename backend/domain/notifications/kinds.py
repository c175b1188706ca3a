"""The notification job kind every context enqueues to tell people something (``notification.create``)."""

from __future__ import annotations

import msgspec

from backend.tasks.bus import JobKind

__all__ = ["NOTIFY", "Notify"]


class Notify(msgspec.Struct, frozen=True, kw_only=True):
    """Create one in-app notification per user (and queue their pushes and live signals).

    ``urgency`` is a document urgency value (such as ``hoa_toc``) that sets the push ``Urgency``;
    ``topic`` overrides the push ``Topic`` derived from ``url``; ``informational`` lowers the push
    urgency of a non-urgent notice.
    """

    user_ids: list[int]
    title: str
    body: str = ""
    url: str = ""
    urgent: bool = False
    urgency: str | None = None
    topic: str | None = None
    informational: bool = False


NOTIFY: JobKind[Notify] = JobKind("notification.create", Notify)
