"""The receiving agency's answer to a sender's recall, on the platform and over the axis (domain.md §7.2, §8.2).

A recall notice sits on the delivery record of the incoming document (:func:`.receipts.delivery_record`:
the platform's :class:`~backend.db.models.ExchangeReceipt` or the axis's
:class:`~backend.db.models.AxisArrival`, which carry the same recall columns):

* :func:`notice_recall` -- the recall arrived: the notice is kept and the clerks are told (urgent); the
  content is withdrawn at once (:func:`.receipts.ensure_readable`). A document no longer open (completed,
  returned) cannot be cancelled (§7.2: "any state before COMPLETED"): the recall is refused at once with a
  reason naming its state, and the clerks are told; one already cancelled (replaced) is granted at once;
* :func:`confirm_recall` -- the clerk confirms: the incoming workflow's ``cancel`` transition (the engine
  refuses every other event from ``cancelled``), then the sender is answered (platform line ``recalled``,
  axis status 15) by the status job the transition queues;
* :func:`refuse_recall` -- the clerk refuses with a reason: the content is readable again, the history
  says why, and the sender is answered (platform line ``recall_refused``, axis status 16 with the reason).

Every answer writes an audit row; a notice already answered is not answered twice.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import ExchangeReceipt, IncomingDocument, Role
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta, record
from backend.domain.exchange.kinds import STATUS, StatusChanged
from backend.domain.exchange.receipts import DeliveryRecord, delivery_record
from backend.domain.incoming.notify import role_holders
from backend.domain.incoming.services import IncomingService
from backend.domain.incoming.workflow import OPEN, STATE_LABELS, Event, State
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from backend.lib import clock
from backend.lib.i18n import t
from backend.lib.text import clean
from backend.tasks.outbox import enqueue

__all__ = ["REFUSED", "confirm_recall", "notice_recall", "refuse_recall"]

REFUSED = "recall_refused"
"""The ``exchange.status`` state of a refused recall (platform line ``recall_refused``, axis status 16)."""
_REASON_MAX = 500


async def notice_recall(db: AsyncSession, links: Callable[[int], str], incoming: IncomingDocument,
                        receipt: DeliveryRecord, reason: str, reference: str,
                        notify_key: str = "exchange.notify.recalled") -> None:
    """Keep the sender's recall of ``incoming`` and tell its clerks (``notify_key`` titles the notice);
    grant it at once when the document is already cancelled, refuse it when it is otherwise no longer open."""
    now = clock.now()
    state = State(incoming.state)
    receipt.recall_requested_at, receipt.recall_reason = now, reason[:1000]
    receipt.recall_refused_at, receipt.recall_refusal = None, ""
    key = notify_key
    if state is State.CANCELLED:  # already cancelled (e.g. replaced): the recall is simply granted
        receipt.recall_confirmed_at = receipt.recall_confirmed_at or now
        await enqueue_answer(db, incoming.id, State.CANCELLED.value)
    elif state not in OPEN:
        receipt.recall_refused_at = now
        receipt.recall_refusal = t("exchange.recall.refused_closed", state=STATE_LABELS[state])
        await enqueue_answer(db, incoming.id, REFUSED, receipt.recall_refusal)
        key = "exchange.recall.notify.refused_closed"
    await record(db, "exchange.recall_received", actor_name="lienthong", agency_id=incoming.agency_id,
                 object_type="incoming", object_id=incoming.id,
                 detail={"reason": reason[:500], "state": state.value,
                         "refused": receipt.recall_refused_at is not None})
    clerks = await role_holders(db, incoming.agency_id, Role.CLERK)
    if clerks:
        await enqueue_notify(db, clerks, t(key, reference=reference)[:200], reason, links(incoming.id))
    await db.flush()


async def enqueue_answer(db: AsyncSession, incoming_id: int, state: str, reason: str = "") -> None:
    """Queue the answer to the sender (the ``exchange.status`` job serves both paths)."""
    await enqueue(db, STATUS, StatusChanged(incoming_id=incoming_id, state=state, reason=reason[:1000]))


async def enqueue_notify(db: AsyncSession, user_ids: list[int], title: str, body: str, url: str) -> None:
    await enqueue(db, NOTIFY, Notify(user_ids=sorted(set(user_ids)), urgent=True, title=title[:200],
                                     body=body[:1000], url=url))


async def _pending(db: AsyncSession, actor: Actor, incoming_id: int) -> tuple[IncomingDocument, DeliveryRecord]:
    """The document (already locked as visible to ``actor``) and its recall notice.

    Raises:
        NotFoundError: no recall notice; PermissionDeniedError: the actor is not a clerk.
    """
    doc = await db.get(IncomingDocument, incoming_id)
    receipt = await delivery_record(db, incoming_id)
    if doc is None or receipt is None or receipt.recall_requested_at is None:
        raise NotFoundError()
    if not actor.has(Role.CLERK):
        raise PermissionDeniedError(t("exchange.denied.not_clerk"))
    return doc, receipt


async def confirm_recall(db: AsyncSession, settings: Settings, links: Callable[[int], str], actor: Actor,
                         incoming_id: int, meta: RequestMeta | None = None) -> None:
    """The clerk confirms the recalled document is cancelled (``cancel`` on the incoming workflow).

    Raises:
        NotFoundError: not visible to the actor, or not recalled.
        PermissionDeniedError: the actor is not a clerk of the receiving agency.
        ConflictError: the clerk already refused this recall.
        TransitionNotAllowedError: the document is no longer open (completed, returned).
    """
    service = IncomingService(db, settings, links=links, meta=meta)
    await service.flow.lock(actor, incoming_id)  # 404 unless visible; serialises two clerks' answers
    _doc, receipt = await _pending(db, actor, incoming_id)
    if receipt.recall_confirmed_at is not None:
        return
    if receipt.recall_refused_at is not None:
        raise ConflictError(t("exchange.recall.already_refused"))
    await service.apply(incoming_id, Event.CANCEL, actor, reason=receipt.recall_reason, answering_recall=True)
    receipt.recall_confirmed_at, receipt.recall_confirmed_by_id = clock.now(), actor.user_id
    await record(db, "exchange.recall_confirmed", actor_id=actor.user_id, actor_name=actor.username,
                 agency_id=actor.agency_id, object_type="incoming", object_id=incoming_id, meta=meta,
                 detail={"path": "platform" if isinstance(receipt, ExchangeReceipt) else "axis"})
    await db.flush()


async def refuse_recall(db: AsyncSession, settings: Settings, links: Callable[[int], str], actor: Actor,
                        incoming_id: int, reason: str, meta: RequestMeta | None = None) -> None:
    """The clerk refuses the recall, saying why; the document goes on as before and the sender is told.

    Raises:
        InvalidInputError: no reason given (field ``reason``).
        NotFoundError, PermissionDeniedError: as :func:`confirm_recall`.
        ConflictError: the recall was already answered.
    """
    text = clean(reason)
    if not text:
        message = t("exchange.recall.reason_required")
        raise InvalidInputError(message, field_errors={"reason": message})
    if len(text) > _REASON_MAX:
        message = t("exchange.recall.reason_too_long", limit=_REASON_MAX)
        raise InvalidInputError(message, field_errors={"reason": message})
    service = IncomingService(db, settings, links=links, meta=meta)
    doc = await service.flow.lock(actor, incoming_id)
    _doc, receipt = await _pending(db, actor, incoming_id)
    if receipt.recall_confirmed_at is not None or receipt.recall_refused_at is not None:
        raise ConflictError(t("exchange.recall.already_answered"))
    receipt.recall_refused_at, receipt.recall_refusal = clock.now(), text
    await service.flow.history(doc, actor, "recall_refused", text=t("exchange.recall.history.refused", reason=text))
    await record(db, "exchange.recall_refused", actor_id=actor.user_id, actor_name=actor.username,
                 agency_id=actor.agency_id, object_type="incoming", object_id=incoming_id, meta=meta,
                 detail={"reason": text})
    await enqueue_answer(db, incoming_id, REFUSED, text)
    await db.flush()

