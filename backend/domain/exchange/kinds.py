"""The exchange's job kinds, the only part of the exchange other contexts import.

* ``exchange.deliver`` -- hand an issued document to one recipient agency (queued by outgoing);
* ``exchange.recall`` -- tell that recipient the document is recalled (queued by outgoing);
* ``exchange.status`` -- the recipient's workflow moved: update the sender's per-recipient status
  (domain.md §8.4); queued by incoming after every transition, in the transition's transaction.
  Documents that did not come through the platform are ignored by the handler.

This module imports nothing of the exchange itself, so incoming and outgoing can queue exchange
work without depending on it; the handlers are in :mod:`.jobs`.
"""

from __future__ import annotations

import msgspec

from backend.tasks.bus import JobKind

__all__ = ["DELIVER", "RECALL", "STATUS", "Deliver", "Recall", "StatusChanged"]


class Deliver(msgspec.Struct, frozen=True, kw_only=True):
    recipient_id: int


class Recall(msgspec.Struct, frozen=True, kw_only=True):
    recipient_id: int
    reason: str = ""


class StatusChanged(msgspec.Struct, frozen=True, kw_only=True):
    """The received document ``incoming_id`` entered ``state`` (``reason`` for returns)."""

    incoming_id: int
    state: str
    reason: str = ""


DELIVER: JobKind[Deliver] = JobKind("exchange.deliver", Deliver)
RECALL: JobKind[Recall] = JobKind("exchange.recall", Recall)
STATUS: JobKind[StatusChanged] = JobKind("exchange.status", StatusChanged)
