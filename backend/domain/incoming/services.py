"""Use cases of incoming documents: intake and the single workflow entry point ``apply``.

``IncomingService.apply(doc_id, event, actor, ...)`` is the only code that changes a document's
state. It locks the row (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``), finds the
transition in the declared table (else :class:`TransitionNotAllowedError`), evaluates the named
policy (else :class:`PermissionDeniedError`), performs the event's effect (numbering, assignment
lines…), sets the state, and writes the history entry, the audit row and the notification job
in the same transaction. Handling actions that do not change the state (hand-over to a
specialist, notes, classification) live in :mod:`._handling`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    IncomingDocument,
    IncomingEvent,
    Role,
    Unit,
    User,
)
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta, record
from backend.domain.documents.errors import (
    ConfidentialDocumentError,
    DuplicateDocumentError,
    FileRejectedError,
    IntakeRejectedError,
)
from backend.domain.documents.files import AcceptedFile, accept_pdf_upload, create_stored_file
from backend.domain.exchange.kinds import STATUS, StatusChanged
from backend.domain.incoming._assign import validate_plan
from backend.domain.incoming._handling import HandlingMixin
from backend.domain.incoming._intake import find_duplicates, is_confidential, search_text_for, validate_intake
from backend.domain.incoming.notify import assignee_user_ids, notify, role_holders
from backend.domain.incoming.numbering import allocate_arrival_number
from backend.domain.incoming.policies import POLICIES, DocContext, can_intake, visible_incoming
from backend.domain.incoming.schemas import AssignPlan, IntakeForm
from backend.domain.incoming.timing import calendar_for
from backend.domain.incoming.workflow import EVENT_LABELS, STATE_LABELS, State, Transition, events, find
from backend.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    TransitionNotAllowedError,
)
from backend.lib import clock
from backend.lib.i18n import t
from backend.lib.text import clean, fold
from backend.lib.workdays import WorkCalendar
from backend.tasks.outbox import enqueue

__all__ = ["IncomingService"]

_LIVE = (AssignmentStatus.PENDING, AssignmentStatus.IN_PROGRESS)


class IncomingService(HandlingMixin):
    """Use cases bound to one transaction.

    Args:
        links: builds the URL of a document page for notifications (``route_reverse`` of
            ``incoming.detail``), so no URL is hard-coded here.
        now: a fixed clock for tests; defaults to the real time.
    """

    def __init__(self, db: AsyncSession, settings: Settings, *, links: Callable[[int], str],
                 meta: RequestMeta | None = None, now: datetime | None = None) -> None:
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

    @property
    def calendar(self) -> WorkCalendar:
        return calendar_for(self.settings)

    # -- shared helpers ---------------------------------------------------------------------

    async def _lock(self, actor: Actor, doc_id: int) -> IncomingDocument:
        query = (visible_incoming(actor).where(IncomingDocument.id == doc_id)
                 .execution_options(populate_existing=True))
        if self.db.bind.dialect.name == "postgresql":
            query = query.with_for_update(of=IncomingDocument)
        doc = await self.db.scalar(query)
        if doc is None:
            raise NotFoundError()
        return doc

    async def _context(self, doc: IncomingDocument) -> DocContext:
        rows = (await self.db.scalars(
            sa.select(Assignment).where(Assignment.incoming_id == doc.id,
                                        Assignment.status != AssignmentStatus.CANCELLED)
            .order_by(Assignment.id).execution_options(populate_existing=True)
        )).all()
        return DocContext(tuple(rows))

    async def _history(self, doc: IncomingDocument, actor: Actor, kind: str, before: State | None = None,
                       after: State | None = None, text: str = "") -> None:
        self.db.add(IncomingEvent(incoming_id=doc.id, at=self.now, actor_id=actor.user_id,
                                  actor_name=actor.full_name, kind=kind, from_state=before, to_state=after,
                                  text=text))

    async def _audit(self, doc: IncomingDocument, actor: Actor, action: str, **detail: object) -> None:
        await record(self.db, f"incoming.{action}", actor_id=actor.user_id, actor_name=actor.username,
                     agency_id=doc.agency_id, object_type="incoming", object_id=doc.id, meta=self.meta,
                     detail=detail)

    async def _notify(self, doc: IncomingDocument, kind: str, user_ids: list[int], actor: Actor) -> None:
        await notify(self.db, doc, kind, user_ids, actor_id=actor.user_id, url=self.links(doc.id))

    # -- intake -----------------------------------------------------------------------------

    async def intake(self, actor: Actor, form: IntakeForm, pending: AcceptedFile | None = None) -> IncomingDocument:
        """Receive a document from the intake form (and register it when ``form.action`` asks).

        Raises:
            PermissionDeniedError: the actor is not a clerk.
            ConfidentialDocumentError: a state-secret level was declared (nothing is stored).
            IntakeRejectedError: field errors; ``kept_file`` holds a valid upload to reuse.
            DuplicateDocumentError: possible duplicate not yet confirmed; ``kept_file`` as above.
        """
        decision = can_intake(actor)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        if is_confidential(form):
            raise ConfidentialDocumentError()
        errors: dict[str, str] = {}
        accepted = pending
        if isinstance(form.file, UploadFile) and form.file.filename:
            try:
                accepted = await accept_pdf_upload(self.db, self.settings, form.file)
            except FileRejectedError as exc:
                errors.update(exc.field_errors)
        elif accepted is None:
            errors["file"] = t("doc.file.missing")
        data, field_errors = await validate_intake(self.db, actor.agency_id, form, self.today)
        errors.update(field_errors)
        if errors or data is None or accepted is None:
            raise IntakeRejectedError(errors, kept_file=accepted)
        duplicates = await find_duplicates(self.db, actor.agency_id, data)
        if duplicates and form.confirm_duplicate not in ("1", "true", "on", "yes"):
            raise DuplicateDocumentError([d.id for d in duplicates], kept_file=accepted)
        stored = await create_stored_file(self.db, accepted, actor.user_id)
        doc = IncomingDocument(
            agency_id=actor.agency_id, state=State.RECEIVED, urgency=data.urgency, priority=data.urgency.priority,
            source=data.source, document_type_id=data.document_type_id, code_number=data.code_number,
            code_notation=data.code_notation, issuer_name=data.issuer_name, issuer_key=fold(data.issuer_name),
            issuer_agency_id=data.issuer_agency_id, issued_on=data.issued_on, summary=data.summary,
            page_count=accepted.page_count, description=data.description, signer_position=data.signer_position,
            signer_name=data.signer_name, document_identifier=data.document_identifier, file_id=stored.id,
            reply_by_on=data.reply_by_on, received_at=self.now, received_by_id=actor.user_id,
            duplicate_of_id=duplicates[0].id if duplicates else None,
        )
        doc.search_text = search_text_for(doc)
        self.db.add(doc)
        await self.db.flush()
        await self._history(doc, actor, "receive", None, State.RECEIVED)
        await self._audit(doc, actor, "received", sha256=accepted.sha256, size=accepted.size,
                          pages=accepted.page_count, urgency=data.urgency.value,
                          duplicate_of=[d.id for d in duplicates])
        if data.urgency.is_urgent:
            await self._notify(doc, "arrived_urgent", await role_holders(self.db, doc.agency_id, Role.CLERK), actor)
        if form.action == "register":
            await self.apply(doc.id, "register", actor)
        return doc

    # -- the workflow entry point -----------------------------------------------------------

    async def apply(self, doc_id: int, event: str, actor: Actor, *, reason: str = "", plan: AssignPlan | None = None,
                    reply_reference: str = "", expected_version: int | None = None) -> IncomingDocument:
        """Apply workflow ``event`` to document ``doc_id`` on behalf of ``actor``.

        Raises:
            NotFoundError: the document is not visible to the actor.
            TransitionNotAllowedError: unknown event, or not allowed from the current state.
            PermissionDeniedError: the transition's policy denies the actor.
            ConflictError: ``expected_version`` is stale (someone else changed the document).
            InvalidInputError: missing reason/result or an invalid assignment plan.
        """
        if event not in events():
            raise TransitionNotAllowedError(t("incoming.error.unknown_event", event=event[:40]))
        doc = await self._lock(actor, doc_id)
        if expected_version is not None and doc.version != expected_version:
            raise ConflictError(t("incoming.error.stale"))
        current = State(doc.state)
        transition = find(current, event)
        if transition is None:
            raise TransitionNotAllowedError(event=EVENT_LABELS[event], state=STATE_LABELS[current])
        ctx = await self._context(doc)
        decision = POLICIES[transition.policy](actor, doc, ctx)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        reason = clean(reason)
        if transition.needs_reason and not reason:
            message = t("incoming.field.reason_required", label=transition.reason_label)
            raise InvalidInputError(message, field_errors={"reason": message})
        recipients, text = await self._effect(transition, doc, ctx, actor, reason, plan, clean(reply_reference))
        doc.state = transition.target
        await self._history(doc, actor, event, current, transition.target, text)
        await self._audit(doc, actor, event, from_state=current.value, to_state=transition.target.value,
                          reason=reason if transition.event != "complete" else "")
        await self._notify(doc, event, recipients, actor)
        await enqueue(self.db, STATUS, StatusChanged(incoming_id=doc.id, state=transition.target.value,
                                                     reason=reason[:1000]))  # sender's status if delivered (§8.4)
        await self.db.flush()
        return doc

    async def _effect(self, transition: Transition, doc: IncomingDocument, ctx: DocContext, actor: Actor,
                      reason: str, plan: AssignPlan | None, reply_reference: str) -> tuple[list[int], str]:
        """Perform the event's own work; returns (users to notify, history text)."""
        leaders = await role_holders(self.db, doc.agency_id, Role.LEADER, Role.DEPUTY)
        live = [a for a in ctx.assignments if a.status in _LIVE]
        match transition.event:
            case "register":
                doc.arrival_year, doc.arrival_number = await allocate_arrival_number(self.db, doc.agency_id, self.now)
                doc.registered_at, doc.registered_by_id = self.now, actor.user_id
                doc.search_text = search_text_for(doc)
                return leaders, t("incoming.history.registered", number=doc.arrival_number, year=doc.arrival_year)
            case "return_to_sender":
                doc.returned_at, doc.return_reason = self.now, reason
                clerks = await role_holders(self.db, doc.agency_id, Role.CLERK)
                return clerks + leaders, reason
            case "submit":
                doc.submitted_at = self.now
                return leaders, ""
            case "forward" | "assign" | "reassign":
                if plan is None:
                    raise InvalidInputError(field_errors={"assignees": t("incoming.assign.none")})
                plan = await validate_plan(self.db, doc.agency_id, plan, self.today, self.calendar,
                                           self.settings.handling_default_working_days)
                for assignment in live:
                    assignment.status = AssignmentStatus.CANCELLED
                created = await self._create_assignments(doc, plan, actor)
                text = await self._describe_plan(plan)
                return await assignee_user_ids(self.db, doc.agency_id, created), "\n".join(
                    part for part in (reason, text) if part)
            case "return_to_leader":
                for assignment in live:
                    assignment.status = AssignmentStatus.CANCELLED
                return leaders, reason
            case "start":
                for assignment in live:
                    if assignment.status is AssignmentStatus.PENDING and self._holds(actor, assignment):
                        assignment.status = AssignmentStatus.IN_PROGRESS
                return [a.assigned_by_id for a in live], ""
            case "complete":
                doc.result, doc.completed_at = reason, self.now
                if reply_reference:
                    doc.reply_reference = reply_reference[:100]
                for assignment in live:
                    assignment.status, assignment.completed_at = AssignmentStatus.DONE, self.now
                return [a.assigned_by_id for a in live], reason
        raise TransitionNotAllowedError(t("incoming.error.unknown_event", event=transition.event))

    async def _create_assignments(self, doc: IncomingDocument, plan: AssignPlan, actor: Actor) -> list[Assignment]:
        created = [Assignment(incoming_id=doc.id, role=line.role, assignee_unit_id=line.unit_id,
                              assignee_user_id=line.user_id, assigned_by_id=actor.user_id,
                              instruction=plan.instruction, due_on=line.due_on, assigned_at=self.now,
                              status=AssignmentStatus.PENDING) for line in plan.lines]
        self.db.add_all(created)
        doc.assigned_at = self.now
        doc.due_on = next(line.due_on for line in plan.lines if line.role is AssignmentRole.LEAD)
        if plan.classification is not None:
            doc.classification = plan.classification
            doc.reply_by_on = plan.reply_by_on or doc.reply_by_on
        await self.db.flush()
        return created

    async def _describe_plan(self, plan: AssignPlan) -> str:
        """One history line per role: ``Chủ trì: Phòng X (hạn 25/11/2026)``."""
        units = dict((await self.db.execute(sa.select(Unit.id, Unit.name).where(
            Unit.id.in_([line.unit_id for line in plan.lines if line.unit_id])))).tuples().all())
        people = dict((await self.db.execute(sa.select(User.id, User.full_name).where(
            User.id.in_([line.user_id for line in plan.lines if line.user_id])))).tuples().all())
        parts = []
        for role in AssignmentRole:
            names = []
            for line in plan.lines:
                if line.role is not role:
                    continue
                name = units.get(line.unit_id or 0) or people.get(line.user_id or 0, "")
                names.append(name + (f" ({t('incoming.history.due', date=line.due_on.strftime('%d/%m/%Y'))})"
                                     if line.due_on else ""))
            if names:
                parts.append(f"{t(f'incoming.role.{role.value}')}: {', '.join(names)}")
        if plan.instruction:
            parts.append(f"{t('incoming.history.instruction')}: {plan.instruction}")
        return "\n".join(parts)
