"""The copy series: one per agency, restarting on 1 January (Vietnam time), race-free.

Copies are made through ``CopyService`` with a fixed clock on each side of New Year, each signed by
the real signing server. A copy numbered while another transaction holds the series waits for it
and takes the next number; twenty raw allocations at once give exactly 1..20 (PostgreSQL really runs them in
parallel under ``FOR UPDATE``; SQLite serialises them with ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import sqlalchemy as sa

from backend.db.models import CopyCounter, DocumentCopy
from backend.domain.accounts.actor import Actor, load_actor
from backend.domain.copies.numbering import allocate_copy_number
from backend.domain.copies.schemas import CopyForm
from backend.domain.copies.services import CopyService
from tests.support.incoming import Clients, doc_id_from, intake, intake_fields, make_pdf, type_id
from tests.support.signing import SigningEnv

SEAL = "000.01.21.H41"


async def _clerk(db_sessionmaker, demo) -> Actor:
    user = await demo.user("vanthu.xanghiphong")
    async with db_sessionmaker() as db:
        actor = await load_actor(db, user.id, None)
    assert actor is not None
    return actor


async def _make(db_sessionmaker, settings, actor: Actor, doc_id: int, otp: str, at: datetime) -> tuple[int, int]:
    async with db_sessionmaker() as db:
        made = await CopyService(db, settings, now=at).make(actor, "incoming", doc_id, CopyForm(kind="sao_y", otp=otp))
        result = (made.year, made.number)
        await db.commit()
    return result


async def test_series_restarts_on_first_of_january_and_concurrent_copies_differ(
        clients: Clients, db_sessionmaker, settings, demo, copy_signing: SigningEnv) -> None:
    clerk_client = await clients("vanthu.xanghiphong")
    doc_id = doc_id_from(await intake(clerk_client, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    actor = await _clerk(db_sessionmaker, demo)
    eve = datetime(2026, 12, 31, 16, 59, tzinfo=UTC)        # 23:59 on 31/12/2026 in Hà Nội
    new_year = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)    # 00:00 on 01/01/2027 in Hà Nội
    assert await _make(db_sessionmaker, settings, actor, doc_id, copy_signing.next_otp(SEAL), eve) == (2026, 1)
    assert await _make(db_sessionmaker, settings, actor, doc_id, copy_signing.next_otp(SEAL), eve) == (2026, 2)
    assert await _make(db_sessionmaker, settings, actor, doc_id, copy_signing.next_otp(SEAL), new_year) == (2027, 1)

    # A copy numbered while another transaction is taking a number of the same series: it waits for
    # the counter (PostgreSQL: the row lock; SQLite: the write lock) and gets the next one. (Two
    # signatures with one seal at the same instant are not raced here: the signing server accepts
    # a credential's codes only in time-step order.)
    agency = await demo.agency_id(SEAL)
    async with db_sessionmaker() as holder:
        assert await allocate_copy_number(holder, agency, new_year) == (2027, 2)
        made = asyncio.ensure_future(_make(db_sessionmaker, settings, actor, doc_id, copy_signing.next_otp(SEAL),
                                           new_year))
        await _until_waiting(holder, made)
        await holder.commit()
    assert await made == (2027, 3)
    async with db_sessionmaker() as db:
        numbers = (await db.execute(sa.select(DocumentCopy.year, DocumentCopy.number)
                                    .order_by(DocumentCopy.year, DocumentCopy.number))).tuples().all()
    assert numbers == [(2026, 1), (2026, 2), (2027, 1), (2027, 3)]  # 2 went to the other transaction


async def _until_waiting(holder, task: asyncio.Future) -> None:
    """Until the copy is blocked behind ``holder`` (PostgreSQL: a backend waits on a lock; SQLite: a moment)."""
    if holder.bind.dialect.name != "postgresql":
        await asyncio.sleep(1.0)
        return
    async with holder.bind.connect() as probe:
        for _ in range(600):
            assert not task.done(), task.result()
            waiting = await probe.scalar(sa.text("SELECT count(*) FROM pg_stat_activity WHERE "
                                                 "wait_event_type = 'Lock' AND datname = current_database()"))
            await probe.rollback()  # the statistics are a snapshot per transaction
            if waiting:
                return
            await asyncio.sleep(0.1)
    raise AssertionError("the copy never waited for the counter")


async def test_twenty_allocations_at_once_are_exactly_one_to_twenty(db_sessionmaker, demo) -> None:
    agency = await demo.agency_id(SEAL)
    moment = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)

    async def one() -> int:
        async with db_sessionmaker() as db:
            _year, number = await allocate_copy_number(db, agency, moment)
            await db.commit()
        return number

    assert sorted(await asyncio.gather(*(one() for _ in range(20)))) == list(range(1, 21))
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(CopyCounter.last_number).where(CopyCounter.agency_id == agency,
                                                                        CopyCounter.year == 2027)) == 20
