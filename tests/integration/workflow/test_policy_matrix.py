"""The state × event × role matrix of both document lifecycles, generated from their tables.

For every (state, event, role) the workflow engine (with real locking, scoping, policy context
and refusal paths on the test database) must allow exactly what the table and the row's policy
say: allowed → :meth:`Workflow.check` passes and finds the table's row; refused → ``apply``
raises a refusal and changes nothing (the document's state, its history, the audit trail and
the outbox are as before).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings, load_settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    AuditEvent,
    DocumentSource,
    DocumentType,
    IncomingDocument,
    IncomingEvent,
    OutboxJob,
    OutgoingDocument,
    OutgoingEvent,
    StoredFile,
    Unit,
    User,
)
from backend.domain.accounts.actor import Actor, load_actor
from backend.domain.documents.engine import Lifecycle, Workflow
from backend.domain.incoming.workflow import LIFECYCLE as INCOMING
from backend.domain.outgoing.workflow import LIFECYCLE as OUTGOING
from backend.errors import AppError
from tests.support.template_copies import TemplateCopies

AT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
ROLES = {
    "clerk": "vanthu.tinh", "leader": "lanhdao.tinh", "deputy": "capho.tinh", "unit_head": "truongphong.tinh",
    "specialist": "chuyenvien.tinh", "other_agency_clerk": "vanthu.sonoivu",
}


@dataclass(frozen=True)
class World:
    """The shared database of the matrix and the demo rows every case uses."""

    url: str
    settings: Settings
    actors: dict[str, Actor]
    agency_id: int
    unit_id: int
    type_id: int
    file_id: int


async def _arrange(url: str) -> tuple[dict[str, Actor], int, int, int, int]:
    engine = create_engine(url, pool=False)
    async with create_sessionmaker(engine)() as db:
        actors = {}
        for role, username in ROLES.items():
            user = (await db.scalars(sa.select(User).where(User.username == username))).one()
            actor = await load_actor(db, user.id, None)
            assert actor is not None
            actors[role] = actor
        home = actors["clerk"].agency_id
        unit = (await db.scalars(sa.select(Unit.id).where(Unit.agency_id == home, Unit.abbreviation == "TH"))).one()
        doc_type = (await db.scalars(sa.select(DocumentType.id).where(DocumentType.code == "cong_van"))).one()
        stored = StoredFile(sha256="0" * 64, size=1, content_type="application/pdf", filename="a.pdf", page_count=1)
        db.add(stored)
        await db.commit()
        file_id = stored.id
    await engine.dispose()
    return actors, home, unit, doc_type, file_id


@pytest.fixture(scope="module")
def world(template_copies: TemplateCopies, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One copy of the demo database for the whole module; every case rolls its changes back."""
    url = template_copies.take(tmp_path_factory.mktemp("matrix") / "matrix.db")
    data = Path(tmp_path_factory.mktemp("matrix-data"))
    settings = load_settings({"APP_ENV": "demo", "DATA_DIR": str(data), "DATABASE_URL": url, "SECRET_KEY": "t" * 64})
    actors, agency, unit, doc_type, file_id = asyncio.run(_arrange(url))
    yield World(url, settings, actors, agency, unit, doc_type, file_id)
    template_copies.give_back(url)


async def _incoming(db: AsyncSession, world: World, state: Any) -> IncomingDocument:
    doc = IncomingDocument(agency_id=world.agency_id, state=state, source=DocumentSource.ELECTRONIC,
                           document_type_id=world.type_id, code_number="12", code_notation="UBND-VP",
                           issuer_name="Cơ quan gửi", issued_on=date(2026, 11, 20), summary="Văn bản thử",
                           signer_name="Nguyễn Văn A", file_id=world.file_id, received_at=AT,
                           received_by_id=world.actors["clerk"].user_id)
    db.add(doc)
    await db.flush()
    if state in (INCOMING.table.states.ASSIGNED, INCOMING.table.states.IN_PROGRESS):
        leader = world.actors["leader"].user_id
        unit_lead = Assignment(incoming_id=doc.id, role=AssignmentRole.LEAD, assignee_unit_id=world.unit_id,
                               assigned_by_id=leader, assigned_at=AT, status=AssignmentStatus.PENDING, handed_on=True)
        db.add(unit_lead)
        await db.flush()
        db.add(Assignment(incoming_id=doc.id, parent_id=unit_lead.id, role=AssignmentRole.LEAD,
                          assignee_user_id=world.actors["specialist"].user_id,
                          assigned_by_id=world.actors["unit_head"].user_id, assigned_at=AT,
                          status=AssignmentStatus.IN_PROGRESS))
        await db.flush()
    return doc


async def _outgoing(db: AsyncSession, world: World, state: Any) -> OutgoingDocument:
    doc = OutgoingDocument(agency_id=world.agency_id, state=state, document_type_id=world.type_id,
                           summary="Dự thảo thử", drafter_id=world.actors["specialist"].user_id,
                           drafting_unit_id=world.unit_id, signer_id=world.actors["leader"].user_id,
                           signer_name="Hồ Minh Vinh", main_file_id=world.file_id, page_count=1)
    db.add(doc)
    await db.flush()
    return doc


async def _snapshot(db: AsyncSession, lifecycle: Lifecycle[Any], doc_id: int) -> tuple[object, ...]:
    model: Any = lifecycle.model
    history: Any = IncomingEvent if lifecycle is INCOMING else OutgoingEvent
    key = history.incoming_id if lifecycle is INCOMING else history.outgoing_id
    return (
        await db.scalar(sa.select(model.state).where(model.id == doc_id)),
        await db.scalar(sa.select(sa.func.count()).select_from(history).where(key == doc_id)),
        await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
        await db.scalar(sa.select(sa.func.count()).select_from(OutboxJob)),
    )


def _cases(lifecycle: Lifecycle[Any]) -> list[Any]:
    table = lifecycle.table
    return [pytest.param(lifecycle, state, event, role, id=f"{lifecycle.name}-{state.value}-{event}-{role}")
            for state in table.states for event in sorted(table.events()) for role in ROLES]


@pytest.mark.parametrize(("lifecycle", "state", "event", "role"), _cases(INCOMING) + _cases(OUTGOING))
async def test_the_engine_allows_exactly_what_the_table_and_policy_say(
        world: World, lifecycle: Lifecycle[Any], state: Any, event: str, role: str) -> None:
    engine = create_engine(world.url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            make = _incoming if lifecycle is INCOMING else _outgoing
            doc = await make(db, world, state)
            actor = world.actors[role]
            flow = Workflow(lifecycle, db, world.settings, links=lambda i: f"/doc/{i}", now=AT)
            row = lifecycle.table.find(state, event)
            expected = (row is not None and not row.automatic
                        and bool(row.policy(actor, doc, await lifecycle.context(db, doc))))
            before = await _snapshot(db, lifecycle, doc.id)
            if expected:
                plan = await flow.check(doc.id, event, actor, reason="Lý do thử", otp="123456")
                assert [found for _doc, found in plan.found] == [row]
            else:
                with pytest.raises(AppError) as refused:
                    await flow.apply(doc.id, event, actor, reason="Lý do thử", otp="123456")
                assert refused.value.status_code in (403, 404, 409), refused.value
            assert await _snapshot(db, lifecycle, doc.id) == before
            await db.rollback()
    finally:
        await engine.dispose()


async def test_the_matrix_allowed_every_manual_event_to_someone(world: World) -> None:
    """Not a vacuous matrix: every event a person can take is allowed to some role from some state."""
    engine = create_engine(world.url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            for lifecycle in (INCOMING, OUTGOING):
                table = lifecycle.table
                make = _incoming if lifecycle is INCOMING else _outgoing
                allowed: set[str] = set()
                for state in table.states:
                    doc = await make(db, world, state)
                    ctx = await lifecycle.context(db, doc)
                    # an incoming document may also have its sender's recall waiting (what allows "cancel")
                    contexts = [ctx, replace(ctx, recall_pending=True)] if lifecycle is INCOMING else [ctx]
                    for row in table.transitions_from(state):
                        if not row.automatic and any(row.policy(world.actors[role], doc, context)
                                                     for role in ROLES for context in contexts):
                            allowed.add(str(row.event))
                manual = {str(row.event) for row in table.transitions if not row.automatic}
                assert allowed == manual, (lifecycle.name, manual - allowed)
            await db.rollback()
    finally:
        await engine.dispose()


async def test_the_auditor_may_take_no_event(world: World) -> None:
    """The read-only auditor (issue 15 item 6) is refused every manual event of both lifecycles, in every state."""
    engine = create_engine(world.url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            user = (await db.scalars(sa.select(User).where(User.username == "kiemsoat.tinh"))).one()
            auditor = await load_actor(db, user.id, None)
            assert auditor is not None and auditor.agency_id == world.agency_id
            checked = 0
            for lifecycle in (INCOMING, OUTGOING):
                make = _incoming if lifecycle is INCOMING else _outgoing
                for state in lifecycle.table.states:
                    doc = await make(db, world, state)
                    ctx = await lifecycle.context(db, doc)
                    contexts = [ctx, replace(ctx, recall_pending=True)] if lifecycle is INCOMING else [ctx]
                    for row in lifecycle.table.transitions_from(state):
                        if not row.automatic:
                            assert not any(row.policy(auditor, doc, c) for c in contexts), (lifecycle.name, row)
                            checked += 1
            assert checked > 20
            await db.rollback()
    finally:
        await engine.dispose()


async def test_a_batch_is_checked_document_by_document_before_any_effect(world: World) -> None:
    """Batch signing: each document needs the row for its own state; one wrong document stops all."""
    engine = create_engine(world.url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            states = OUTGOING.table.states
            ready = await _outgoing(db, world, states.AWAITING_SIGNATURE)
            other = await _outgoing(db, world, states.AWAITING_SIGNATURE)
            signed = await _outgoing(db, world, states.SIGNED)
            flow = Workflow(OUTGOING, db, world.settings, links=lambda i: f"/doc/{i}", now=AT)
            leader = world.actors["leader"]
            plan = await flow.check([other.id, ready.id], "sign", leader, otp="123456")
            assert [(doc.id, str(row.event)) for doc, row in plan.found] == [(ready.id, "sign"), (other.id, "sign")]
            before = [await _snapshot(db, OUTGOING, doc.id) for doc in (ready, signed)]
            with pytest.raises(AppError) as refused:
                await flow.apply([ready.id, signed.id], "sign", leader, otp="123456", inputs={"signing": None})
            assert refused.value.status_code == 409
            assert [await _snapshot(db, OUTGOING, doc.id) for doc in (ready, signed)] == before
            with pytest.raises(AppError) as single_only:
                await flow.apply([ready.id, other.id], "submit", world.actors["specialist"])
            assert single_only.value.status_code == 422
            await db.rollback()
    finally:
        await engine.dispose()
