"""A document notice in the shape every context sends it: who acted, on what, cut on a word."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Urgency, User
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.lib.i18n import t
from backend.lib.text import shorten
from backend.tasks.outbox import enqueue

__all__ = ["TITLE_LIMIT", "BODY_LIMIT", "notify_document"]

TITLE_LIMIT = 200
BODY_LIMIT = 1000


async def notify_document(db: AsyncSession, *, user_ids: Iterable[int], actor_id: int | None, title_key: str,
                          reference: str, summary: str, urgency: Urgency | str, url: str) -> None:
    """Enqueue one notice for ``user_ids`` minus the actor; nothing when nobody is left.

    The title is the catalogue text ``title_key`` with the document's ``reference``; it is looked
    up only when somebody is notified (an event that notifies nobody needs no text).

    The title carries the urgency, the text starts with the acting person's name, and both are cut
    on a word with "…" rather than in the middle of one.
    """
    recipients = sorted({uid for uid in user_ids if uid != actor_id})
    if not recipients:
        return
    level = Urgency(urgency)
    title = t(title_key, reference=reference)
    if level.is_urgent:
        title = f"[{t(f'doc.urgency.{level.value}')}] {title}"
    actor = await db.get(User, actor_id) if actor_id is not None else None
    body = t("notify.by_actor", actor=actor.full_name, summary=summary) if actor else summary
    await enqueue(db, NOTIFY, Notify(user_ids=recipients, title=shorten(title, TITLE_LIMIT),
                                     body=shorten(body, BODY_LIMIT), url=url, urgent=level.is_urgent,
                                     urgency=level.value, actor_id=actor_id))
