"""The audit log's hash chain: appended on every login, and tampering is detected."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from backend.db.models import AuditEvent
from backend.domain.audit.services import GENESIS_HASH, record, verify_chain


async def _three_events(db_sessionmaker) -> list[int]:
    async with db_sessionmaker() as db:
        ids = [(await record(db, "test.event", actor_name=f"u{i}", detail={"i": i})).id for i in range(3)]
        await db.commit()
    return ids


async def test_chain_links_each_row_to_the_previous(db_sessionmaker) -> None:
    await _three_events(db_sessionmaker)
    async with db_sessionmaker() as db:
        rows = (await db.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))).all()
        report = await verify_chain(db)
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:], strict=False))
    assert report.ok and report.checked == len(rows)


async def test_edited_row_is_reported_as_first_broken_link(db_sessionmaker) -> None:
    ids = await _three_events(db_sessionmaker)
    async with db_sessionmaker() as db:
        await db.execute(sa.update(AuditEvent).where(AuditEvent.id == ids[1]).values(actor_name="someone-else"))
        await db.commit()
        report = await verify_chain(db)
    assert report.first_broken_id == ids[1] and "edited" in report.reason


async def test_deleted_row_breaks_the_next_link(db_sessionmaker) -> None:
    ids = await _three_events(db_sessionmaker)
    async with db_sessionmaker() as db:
        await db.execute(sa.delete(AuditEvent).where(AuditEvent.id == ids[1]))
        await db.commit()
        report = await verify_chain(db)
    assert report.first_broken_id == ids[2] and "removed" in report.reason


async def test_verify_audit_command_exits_nonzero_and_names_the_row(db_sessionmaker, settings_env) -> None:
    ids = await _three_events(db_sessionmaker)
    env = {**os.environ, **settings_env}
    intact = subprocess.run([sys.executable, "-m", "backend", "verify-audit"], env=env, capture_output=True, text=True)
    assert intact.returncode == 0 and "intact" in intact.stdout
    async with db_sessionmaker() as db:
        await db.execute(sa.update(AuditEvent).where(AuditEvent.id == ids[0]).values(detail='{"i": 99}'))
        await db.commit()
    broken = subprocess.run([sys.executable, "-m", "backend", "verify-audit"], env=env, capture_output=True, text=True)
    assert broken.returncode == 1 and f"row id {ids[0]}" in broken.stdout


async def test_login_writes_chained_audit_rows(client, login, db_sessionmaker) -> None:
    await login(client, "vanthu.xanghiphong")
    async with db_sessionmaker() as db:
        last = (await db.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))).one()
        report = await verify_chain(db)
    assert last.action == "auth.login" and last.actor_name == "vanthu.xanghiphong" and last.ip
    assert report.ok
