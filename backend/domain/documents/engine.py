"""The one workflow engine every document lifecycle runs on.

A lifecycle (incoming, outgoing) declares a :class:`Lifecycle`: its transition table (which
carries the policy, effect and notification callables of each row), the scoping query, the
history row, the policy context loader and the notification sender. :meth:`Workflow.apply` is
then the only code that changes a document's state, identically for every lifecycle:

1. refuse unknown events, automatic events from a request, and several documents for an event
   that is not batchable;
2. lock every document in id order (:func:`backend.db.locking.lock_one`) and check the expected
   version;
3. for *each* document find the transition for *its* state, evaluate the row's policy
   ``(actor, doc, ctx)``, and check the reason and OTP -- all checks before any effect;
4. run each row's effect once for the documents taking it. A row with a ``prepare`` step (the
   signing server's signature and seal) first reads what its slow call needs; the engine then
   ends the transaction (nothing is written yet, so no write lock or row lock is held while the
   signing server works: on SQLite one write lock serves the whole database), runs the call,
   and locks and checks the documents again; if any changed meanwhile the call's result is
   dropped with a conflict, else the effect stores it;
5. enter the new state (only here, under :func:`backend.db.state_guard.state_writer`), write the
   history entry, the audit row and the notification job, then the lifecycle's cross-context
   follow-up (``after_entry``, the one call site of e.g. the exchange receipt hook);
6. take the follow-ups the effects asked for (an automatic transition on another document).

Services also use :meth:`Workflow.lock`, :meth:`history`, :meth:`audit` and :meth:`notify` for
actions that do not change the state, so none of them is written twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.locking import lock_one
from backend.db.state_guard import state_writer
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta, record
from backend.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    TransitionNotAllowedError,
)
from backend.lib import clock
from backend.lib.i18n import t
from backend.lib.text import clean
from backend.lib.transitions import Transition, TransitionTable

__all__ = ["FollowUp", "Lifecycle", "Outcome", "Plan", "Step", "Workflow"]

D = TypeVar("D")


@dataclass(frozen=True, slots=True)
class FollowUp:
    """Another document this transition changes: take ``event`` on ``doc_id`` with ``inputs``.

    When the event is ``None`` or not available from that document's state, ``otherwise`` runs
    instead (e.g. only a history link), with the step of the follow-up.
    """

    doc_id: int
    event: str | None
    inputs: Mapping[str, Any] = field(default_factory=dict)
    otherwise: Callable[[Step, Any], Awaitable[None]] | None = None


@dataclass
class Outcome:
    """What effects hand to the engine, per document id: history text, audit detail, data for ``notify``."""

    text: dict[int, str] = field(default_factory=dict)
    audit: dict[int, dict[str, Any]] = field(default_factory=dict)
    data: dict[int, Any] = field(default_factory=dict)
    follow_ups: list[FollowUp] = field(default_factory=list)


@dataclass
class Step:
    """One transition being applied: what effects and notification callables may read."""

    workflow: Workflow[Any]
    actor: Actor
    transition: Transition[Any] | None
    reason: str = ""
    otp: str = ""
    inputs: Mapping[str, Any] = field(default_factory=dict)
    ctx: dict[int, Any] = field(default_factory=dict)
    outcome: Outcome = field(default_factory=Outcome)
    prepared: Any = None

    @property
    def db(self) -> AsyncSession:
        return self.workflow.db

    @property
    def settings(self) -> Settings:
        return self.workflow.settings

    @property
    def now(self) -> datetime:
        return self.workflow.now

    @property
    def today(self) -> date:
        return self.workflow.today


@dataclass
class Plan(Generic[D]):
    """The checked documents, each with the row found for its own state, and the cleaned inputs."""

    reason: str = ""
    otp: str = ""
    found: list[tuple[D, Transition[Any]]] = field(default_factory=list)
    ctx: dict[int, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lifecycle(Generic[D]):
    """What differs between document lifecycles; everything else is :class:`Workflow`.

    Args:
        name: message-key and audit prefix (``incoming``, ``outgoing``); also the audit object type.
        table: the declared transitions.
        model: the document model (locked ``FOR UPDATE OF`` it).
        visible: the actor's scoping query (invisible documents are 404).
        history_row: builds the history entry ``(doc, at, actor, kind, before, after, text)``.
        context: loads the policy context of a document (``None`` when policies need none).
        send: enqueues a notification ``(db, doc, kind, user_ids, actor_id=, url=)``.
        otp_message: message key for a malformed OTP.
        refresh: called on every state entry (e.g. the search text).
        after_entry: the cross-context follow-up of every transition ``(step, doc, transition)``.
    """

    name: str
    table: TransitionTable[Any, Any]
    model: type[D]
    visible: Callable[[Actor], sa.Select[tuple[D]]]
    history_row: Callable[..., Any]
    context: Callable[[AsyncSession, D], Awaitable[Any]]
    send: Callable[..., Awaitable[None]]
    otp_message: str = ""
    refresh: Callable[[D], None] | None = None
    after_entry: Callable[[Step, D, Transition[Any]], Awaitable[None]] | None = None


class Workflow(Generic[D]):
    """The engine bound to one transaction.

    Args:
        links: builds the URL of a document page for notifications.
        now: a fixed clock for tests; defaults to the real time.
    """

    def __init__(self, lifecycle: Lifecycle[D], db: AsyncSession, settings: Settings, *,
                 links: Callable[[int], str], meta: RequestMeta | None = None, now: datetime | None = None) -> None:
        self.lifecycle = lifecycle
        self.db = db
        self.settings = settings
        self.links = links
        self.meta = meta or RequestMeta()
        self._now = now

    @property
    def now(self) -> datetime:
        return self._now or clock.now()

    @property
    def today(self) -> date:
        return clock.to_local(self.now).date()

    # -- helpers shared with the services' other actions --------------------------------------

    async def lock(self, actor: Actor, doc_id: int) -> D:
        """The visible document ``doc_id``, locked for this transaction (else :class:`NotFoundError`)."""
        model: Any = self.lifecycle.model
        doc = await lock_one(self.db, self.lifecycle.visible(actor).where(model.id == doc_id), model)
        if doc is None:
            raise NotFoundError()
        return doc

    async def context(self, doc: D) -> Any:
        return await self.lifecycle.context(self.db, doc)

    async def history(self, doc: D, actor: Actor, kind: str, before: str | None = None, after: str | None = None,
                      text: str = "") -> None:
        self.db.add(self.lifecycle.history_row(doc, self.now, actor, kind, before, after, text))

    async def audit(self, doc: D, actor: Actor, action: str, **detail: object) -> None:
        name, item = self.lifecycle.name, _any(doc)
        await record(self.db, f"{name}.{action}", actor_id=actor.user_id, actor_name=actor.username,
                     agency_id=item.agency_id, object_type=name, object_id=item.id, meta=self.meta, detail=detail)

    async def notify(self, doc: D, kind: str, user_ids: Sequence[int], actor: Actor) -> None:
        await self.lifecycle.send(self.db, doc, kind, user_ids, actor_id=actor.user_id, url=self.links(_any(doc).id))

    # -- the entry point ----------------------------------------------------------------------

    async def apply(self, doc_ids: int | Sequence[int], event: str, actor: Actor, *, reason: str = "", otp: str = "",
                    expected_version: int | None = None, inputs: Mapping[str, Any] | None = None) -> list[D]:
        """Apply ``event`` to one document (several when the event is batchable) on behalf of ``actor``.

        Every check of :meth:`check` runs first; then each row's effect, once for the documents
        taking it; then, per document, the state entry with its history, audit, notification
        and cross-context follow-up; then the follow-ups the effects asked for.

        Raises:
            NotFoundError, TransitionNotAllowedError, PermissionDeniedError, ConflictError,
            InvalidInputError: see :meth:`check`; effects raise ``InvalidInputError`` too
                (nothing is changed then).
        """
        plan = await self.check(doc_ids, event, actor, reason=reason, otp=otp, expected_version=expected_version)
        outcome = Outcome()
        steps = {transition: Step(self, actor, transition, plan.reason, plan.otp, inputs or {}, plan.ctx, outcome)
                 for transition in dict.fromkeys(row for _doc, row in plan.found)}
        if any(transition.prepare is not None for transition in steps):
            plan = await self._outside(plan, steps, event, actor)
        for transition, step in steps.items():
            await _effect(transition)(step, [doc for doc, row in plan.found if row is transition])
        for doc, transition in plan.found:
            await self._enter(steps[transition], doc, transition)
        for follow_up in outcome.follow_ups:
            await self._follow(follow_up, actor)
        await self.db.flush()
        return [doc for doc, _row in plan.found]

    async def check(self, doc_ids: int | Sequence[int], event: str, actor: Actor, *, reason: str = "", otp: str = "",
                    expected_version: int | None = None) -> Plan[D]:
        """Lock the documents and run every check of ``apply``; nothing is written.

        Raises:
            NotFoundError: a document is not visible to the actor.
            TransitionNotAllowedError: unknown or automatic event, or not allowed from a document's state.
            PermissionDeniedError: the row's policy denies the actor.
            ConflictError: ``expected_version`` is stale.
            InvalidInputError: several documents for a non-batchable event, a missing reason or a
                malformed OTP.
        """
        name, table = self.lifecycle.name, self.lifecycle.table
        if event not in table.events():
            raise TransitionNotAllowedError(t(f"{name}.error.unknown_event", event=event[:40]))
        if table.automatic(event):
            raise TransitionNotAllowedError(t(f"{name}.error.automatic", event=table.event_labels[event]))
        ids = [doc_ids] if isinstance(doc_ids, int) else list(dict.fromkeys(doc_ids))
        if not ids or (len(ids) > 1 and not table.batchable(event)):
            raise InvalidInputError(field_errors={"doc_id": t(f"{name}.error.batch")})
        docs = [await self.lock(actor, doc_id) for doc_id in sorted(ids)]
        if expected_version is not None and len(docs) == 1 and _any(docs[0]).version != expected_version:
            raise ConflictError(t(f"{name}.error.stale"))
        plan: Plan[D] = Plan(reason=clean(reason), otp=otp.strip())
        for doc in docs:
            transition = await self._check(doc, event, actor, plan.ctx)
            if transition.needs_reason and not plan.reason:
                message = t(f"{name}.field.reason_required", label=transition.reason_label)
                raise InvalidInputError(message, field_errors={"reason": message})
            if transition.needs_otp and not (len(plan.otp) == 6 and plan.otp.isdigit()):
                message = t(self.lifecycle.otp_message)
                raise InvalidInputError(message, field_errors={"otp": message})
            plan.found.append((doc, transition))
        return plan

    async def _outside(self, plan: Plan[D], steps: dict[Transition[Any], Step], event: str, actor: Actor) -> Plan[D]:
        """Run the rows' slow calls with no transaction open, then lock and check the documents again.

        Raises:
            ConflictError: a document changed while the call ran (its result is not kept).
            Anything the slow call raises (nothing was written).
        """
        versions = {_any(doc).id: _any(doc).version for doc, _row in plan.found}
        calls = {transition: await transition.prepare(step, [doc for doc, row in plan.found if row is transition])
                 for transition, step in steps.items() if transition.prepare is not None}
        await self.db.commit()  # nothing of this transition is written yet: only the locks go
        for transition, call in calls.items():
            steps[transition].prepared = await call()
        again = await self.check(list(versions), event, actor, reason=plan.reason, otp=plan.otp)
        if any(_any(doc).version != versions[_any(doc).id] or row not in steps for doc, row in again.found):
            raise ConflictError(t(f"{self.lifecycle.name}.error.stale"))
        for step in steps.values():
            step.ctx = again.ctx
        return again

    async def authorize(self, doc: D, event: str, actor: Actor) -> None:
        """Raise unless ``event`` is available from the document's state and its policy allows ``actor``
        (for an action that will take the transition later, e.g. once an upload has been read).

        Raises:
            TransitionNotAllowedError, PermissionDeniedError: as :meth:`check`.
        """
        await self._check(doc, event, actor, {})

    async def _check(self, doc: D, event: str | None, actor: Actor, ctx: dict[int, Any]) -> Transition[Any]:
        """The row for ``event`` from the document's own state, after its policy allowed ``actor``."""
        table = self.lifecycle.table
        state = table.states(_any(doc).state)
        transition: Transition[Any] | None = table.find(state, event) if event else None
        if transition is None:
            raise TransitionNotAllowedError(event=table.event_labels.get(event or "", event),
                                            state=table.state_labels[state])
        ctx[_any(doc).id] = await self.context(doc)
        decision = transition.policy(actor, doc, ctx[_any(doc).id])
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        return transition

    async def _enter(self, step: Step, doc: D, transition: Transition[Any]) -> None:
        """Set the new state and write the history entry, audit row, notification and follow-up."""
        item = _any(doc)
        before = self.lifecycle.table.states(item.state)
        with state_writer():
            item.state = transition.target
        if self.lifecycle.refresh is not None:
            self.lifecycle.refresh(doc)
        event = str(transition.event)
        await self.history(doc, step.actor, event, before, transition.target,
                           step.outcome.text.get(item.id, step.reason))
        await self.audit(doc, step.actor, event, from_state=before.value, to_state=transition.target.value,
                         **{"reason": step.reason, **step.outcome.audit.get(item.id, {})})
        recipients = list(await transition.notify(step, doc)) if transition.notify is not None else []
        await self.notify(doc, event, recipients, step.actor)
        if self.lifecycle.after_entry is not None:
            await self.lifecycle.after_entry(step, doc, transition)

    async def _follow(self, follow_up: FollowUp, actor: Actor) -> None:
        """Take a follow-up's automatic transition on its document, or its ``otherwise`` action.

        Raises:
            PermissionDeniedError: the automatic transition's policy denies the actor (nothing is kept).
        """
        doc = await self.lock(actor, follow_up.doc_id)
        table = self.lifecycle.table
        available = follow_up.event is not None and table.find(table.states(_any(doc).state), follow_up.event)
        step = Step(self, actor, None, inputs=follow_up.inputs)
        if available:
            transition = await self._check(doc, follow_up.event, actor, step.ctx)
            assert transition.prepare is None, "a follow-up runs inside its caller's transaction"
            step.transition = transition
            await _effect(transition)(step, [doc])
            await self._enter(step, doc, transition)
        elif follow_up.otherwise is not None:
            await follow_up.otherwise(step, doc)


def _effect(transition: Transition[Any]) -> Callable[[Step, list[Any]], Awaitable[None]]:
    assert transition.effect is not None  # the table refuses rows without one
    return transition.effect


def _any(doc: Any) -> Any:
    """The document as the engine sees it: ``id``, ``agency_id``, ``state``, ``version``."""
    return doc
