"""Arrival numbers: one series per agency per Vietnamese calendar year, allocated under a row lock.

The concurrency test registers fifty documents at once, each in its own transaction and
connection. On PostgreSQL the transactions really run in parallel and contend for the counter
row (``SELECT … FOR UPDATE``); on SQLite ``BEGIN IMMEDIATE`` serialises them. Either way the
numbers must be exactly 1‥50, with no gap and no repeat.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import sqlalchemy as sa

from backend.db.models import ArrivalCounter, IncomingDocument
from backend.domain.accounts.actor import Actor, load_actor
from backend.domain.documents.files import AcceptedFile, blob_store
from backend.domain.incoming.numbering import allocate_arrival_number
from backend.domain.incoming.schemas import IntakeForm
from backend.domain.incoming.services import IncomingService
from tests.support.incoming import make_pdf, type_id

COUNT = 50


async def _actor(db_sessionmaker, demo, username: str) -> Actor:
    user = await demo.user(username)
    async with db_sessionmaker() as db:
        actor = await load_actor(db, user.id, None)
    assert actor is not None
    return actor


async def _received(db_sessionmaker, settings, actor: Actor, how_many: int, at: datetime) -> list[int]:
    """``how_many`` received (not yet registered) documents, sharing one stored PDF."""
    blob = await blob_store(settings).put_bytes(make_pdf(1))
    accepted = AcceptedFile(blob.sha256, blob.size, "van-ban.pdf", 1)
    ids = []
    async with db_sessionmaker() as db:
        service = IncomingService(db, settings, links=lambda i: f"/incoming/{i}", now=at)
        doc_type = await type_id(db_sessionmaker)
        for number in range(how_many):
            form = IntakeForm(document_type_id=str(doc_type), code_number=str(number + 1), code_notation="UBND-VP",
                              issuer_name=f"Cơ quan gửi {number}", issued_on=at.date().isoformat(),
                              summary="Văn bản thử nghiệm", signer_name="Nguyễn Văn A", action="receive")
            ids.append((await service.intake(actor, form, accepted)).id)
        await db.commit()
    return ids


async def _register(db_sessionmaker, settings, actor: Actor, doc_id: int, at: datetime) -> int:
    async with db_sessionmaker() as db:
        doc = await IncomingService(db, settings, links=lambda i: f"/incoming/{i}", now=at).apply(
            doc_id, "register", actor)
        number = doc.arrival_number
        await db.commit()
    assert number is not None
    return number


async def test_numbering_restarts_on_first_of_january_vietnam_time(db_sessionmaker, settings, demo) -> None:
    actor = await _actor(db_sessionmaker, demo, "vanthu.xanghiphong")
    new_years_eve = datetime(2026, 12, 31, 16, 59, tzinfo=UTC)   # 23:59 on 31/12 in Hà Nội
    new_year = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)         # 00:00 on 01/01/2027 in Hà Nội
    ids = await _received(db_sessionmaker, settings, actor, 4, new_years_eve)
    assert [await _register(db_sessionmaker, settings, actor, i, new_years_eve) for i in ids[:2]] == [1, 2]
    assert [await _register(db_sessionmaker, settings, actor, i, new_year) for i in ids[2:]] == [1, 2]
    async with db_sessionmaker() as db:
        rows = (await db.execute(sa.select(IncomingDocument.arrival_year, IncomingDocument.arrival_number)
                                 .order_by(IncomingDocument.id))).tuples().all()
        counters = (await db.execute(sa.select(ArrivalCounter.year, ArrivalCounter.last_number)
                                     .order_by(ArrivalCounter.year))).tuples().all()
    assert rows == [(2026, 1), (2026, 2), (2027, 1), (2027, 2)]
    assert counters == [(2026, 2), (2027, 2)]


async def test_each_agency_has_its_own_series_and_rollback_reuses_nothing_committed(
        db_sessionmaker, demo) -> None:
    first = await demo.agency_id("000.01.21.H41")
    second = await demo.agency_id("000.02.21.H41")
    at = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    async with db_sessionmaker() as db:
        assert await allocate_arrival_number(db, first, at) == (2026, 1)
        assert await allocate_arrival_number(db, second, at) == (2026, 1)
        await db.commit()
    async with db_sessionmaker() as db:
        assert await allocate_arrival_number(db, first, at) == (2026, 2)
        await db.rollback()  # the registering transaction failed: its number was never issued
    async with db_sessionmaker() as db:
        assert await allocate_arrival_number(db, first, at) == (2026, 2)
        assert await allocate_arrival_number(db, first, at) == (2026, 3)
        await db.commit()


async def test_fifty_concurrent_registrations_get_fifty_consecutive_numbers(db_sessionmaker, settings,
                                                                             demo) -> None:
    actor = await _actor(db_sessionmaker, demo, "vanthu.xanghiphong")
    at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    ids = await _received(db_sessionmaker, settings, actor, COUNT, at)
    numbers = await asyncio.gather(*(_register(db_sessionmaker, settings, actor, doc_id, at) for doc_id in ids))
    assert sorted(numbers) == list(range(1, COUNT + 1))
    async with db_sessionmaker() as db:
        stored = (await db.scalars(sa.select(IncomingDocument.arrival_number))).all()
        counter = await db.get(ArrivalCounter, (actor.agency_id, 2026))
    assert sorted(stored) == list(range(1, COUNT + 1))
    assert counter is not None and counter.last_number == COUNT
