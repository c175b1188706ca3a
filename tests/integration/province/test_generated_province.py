"""A generated province of a few thousand documents: lists, counts and scoping stay correct.

The province is generated once for the module (``generate-province`` on a migrated, empty
database, SQLite or PostgreSQL like the rest of the suite). Every list is walked page by page with
its keyset cursor and compared with a brute-force selection made in Python from all rows.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.cli.province import generate_province
from backend.config.settings import load_settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.migrate import upgrade
from backend.db.models import ArrivalCounter, Assignment, IncomingDocument, User
from backend.domain.accounts.actor import Actor, load_actor
from backend.domain.audit.services import verify_chain
from backend.domain.incoming.queries import (
    COUNT_CAP,
    ListFilters,
    action_count,
    filtered_query,
    inbox_counts,
    inboxes_for,
    list_documents,
    task_count,
    tasks_query,
)
from backend.domain.incoming.registers import book_rows
from backend.lib import clock
from backend.lib.clock import VN_TZ

DOCUMENTS = 3000
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(TEST_DATABASE_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def province_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A migrated database with a generated province of ``DOCUMENTS`` incoming documents."""
    root = tmp_path_factory.mktemp("province")
    name = ""
    if TEST_DATABASE_URL.startswith("postgres"):
        name = f"cv_prov_{uuid.uuid4().hex[:10]}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        base = TEST_DATABASE_URL.replace("postgresql+asyncpg://", "postgresql://").rpartition("/")[0]
        url = f"{base}/{name}"
    else:
        url = f"sqlite:///{root / 'province.db'}"
    env = {"APP_ENV": "demo", "DATA_DIR": str(root / "data"), "DATABASE_URL": url, "SECRET_KEY": "p" * 64}
    settings = load_settings(env)
    upgrade(settings.database_url)
    report = asyncio.run(generate_province(settings, DOCUMENTS))
    assert report.documents == DOCUMENTS and report.agencies == 181 and report.users > 5900
    yield env
    if name:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def database_url(province_env: dict[str, str]) -> str:
    """The suite's ``database_url`` is the generated province here (the tests only read)."""
    return load_settings(province_env).database_url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(database_url, pool=False)
    async with create_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


async def _actor(db: AsyncSession, username: str) -> Actor:
    user = (await db.scalars(sa.select(User).where(User.username == username))).one()
    actor = await load_actor(db, user.id, None)
    assert actor is not None
    return actor


async def _walk(db: AsyncSession, actor: Actor, inbox: str, today: date, size: int = 50) -> list[int]:
    """Every id of one tab, page after page through the keyset cursor."""
    ids: list[int] = []
    cursor = ""
    while True:
        page = await list_documents(db, filtered_query(actor, inbox, ListFilters(), today), cursor=cursor, size=size)
        ids += [doc.id for doc, _name in page.rows]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


async def _documents(db: AsyncSession, agency_id: int) -> list[Any]:
    return list((await db.execute(sa.select(IncomingDocument.id, IncomingDocument.state, IncomingDocument.priority,
                                            IncomingDocument.received_at)
                                  .where(IncomingDocument.agency_id == agency_id))).all())


async def test_busiest_clerk_has_about_a_third_and_every_tab_pages_exactly(db: AsyncSession) -> None:
    actor = await _actor(db, "vanthu.tinh")
    rows = await _documents(db, actor.agency_id)
    total = await db.scalar(sa.select(sa.func.count()).select_from(IncomingDocument))
    assert 0.25 * DOCUMENTS < len(rows) < 0.35 * DOCUMENTS and total == DOCUMENTS
    today = clock.to_local(clock.now()).date()
    expected = {
        "to_register": {r.id for r in rows if r.state == "received"},
        "to_submit": {r.id for r in rows if r.state == "registered"},
        "all": {r.id for r in rows},
    }
    counts = await inbox_counts(db, actor, today)
    for inbox, wanted in expected.items():
        ids = await _walk(db, actor, inbox, today)
        assert len(ids) == len(set(ids)), f"{inbox}: a document appears on two pages"
        assert set(ids) == wanted, f"{inbox}: pages skip or add documents"
        assert counts[inbox] == min(len(wanted), COUNT_CAP)
    order = {r.id: (r.priority, r.received_at, r.id) for r in rows}
    walked = await _walk(db, actor, "all", today, size=37)
    assert walked == sorted(walked, key=lambda i: order[i], reverse=True), "urgent first, then newest"


async def test_unit_head_and_specialist_see_exactly_their_assignments(db: AsyncSession) -> None:
    today = clock.to_local(clock.now()).date()
    for username in ("truongphong.tinh", "chuyenvien.tinh", "truongphong.snv", "chuyenvien.xa001"):
        actor = await _actor(db, username)
        held = sa.or_(Assignment.assignee_user_id == actor.user_id,
                      Assignment.assignee_unit_id == actor.unit_id if "truongphong" in username else sa.false())
        wanted = set((await db.scalars(sa.select(Assignment.incoming_id).join(
            IncomingDocument, IncomingDocument.id == Assignment.incoming_id).where(
            held, Assignment.status != "cancelled", IncomingDocument.agency_id == actor.agency_id))).all())
        ids = await _walk(db, actor, "all", today)
        assert len(ids) == len(set(ids)) and set(ids) == wanted, username
        handle = set(await _walk(db, actor, "to_handle", today))
        watching = set(await _walk(db, actor, "watching", today))
        assert handle == await _still_held(db, actor, held), f"{username}: to handle"
        assert not handle & watching and watching <= wanted
        counts = await inbox_counts(db, actor, today)
        assert counts["to_handle"] == min(len(handle), COUNT_CAP)
        assert counts["all"] == min(len(wanted), COUNT_CAP)


async def _still_held(db: AsyncSession, actor: Actor, held: sa.ColumnElement[bool]) -> set[int]:
    """Open documents on which a held live lead or cooperating line has no hand-over below it (from the lines
    themselves, not the ``handed_on`` flag the inbox reads)."""
    child = aliased(Assignment)
    handed = sa.select(child.id).where(child.parent_id == Assignment.id).exists()
    return set((await db.scalars(sa.select(Assignment.incoming_id).join(
        IncomingDocument, IncomingDocument.id == Assignment.incoming_id).where(
        held, Assignment.status.in_(("pending", "in_progress")), Assignment.role.in_(("lead", "coordinate")),
        ~handed, IncomingDocument.state.in_(("assigned", "in_progress")),
        IncomingDocument.agency_id == actor.agency_id))).all())


async def test_the_badges_count_each_waiting_document_once(db: AsyncSession) -> None:
    """The "Văn bản đến" badge adds one capped count per kind of waiting (register, submit, assign, handle);
    the "Công việc" badge counts the task list's rows."""
    today = clock.to_local(clock.now()).date()
    for username in ("vanthu.tinh", "lanhdao.tinh", "capho.snv", "truongphong.tinh", "chuyenvien.xa001"):
        actor = await _actor(db, username)
        tabs = [tab for tab in ("to_register", "to_submit", "to_assign") if tab in inboxes_for(actor)]
        waiting = [set(await _walk(db, actor, tab, today)) for tab in [*tabs, "to_handle"]]
        assert await action_count(db, actor) == min(len(set().union(*waiting)), COUNT_CAP), username
        tasks = (await db.execute(tasks_query(actor))).all()
        assert await task_count(db, actor) == min(len(tasks), COUNT_CAP), username


async def test_no_document_of_another_agency_in_any_tab(db: AsyncSession) -> None:
    today = clock.to_local(clock.now()).date()
    for username in ("vanthu.snv", "lanhdao.huyen03", "capho.tinh"):
        actor = await _actor(db, username)
        own = {r.id for r in await _documents(db, actor.agency_id)}
        for inbox in inboxes_for(actor):
            assert set(await _walk(db, actor, inbox, today)) <= own, (username, inbox)


async def test_arrival_numbers_are_contiguous_and_counters_continue_them(db: AsyncSession) -> None:
    numbers: dict[tuple[int, int], list[int]] = defaultdict(list)
    for agency_id, year, number in (await db.execute(sa.select(
            IncomingDocument.agency_id, IncomingDocument.arrival_year, IncomingDocument.arrival_number)
            .where(IncomingDocument.arrival_number.is_not(None)))).all():
        numbers[(agency_id, year)].append(number)
    counters = {(c.agency_id, c.year): c.last_number for c in (await db.scalars(sa.select(ArrivalCounter))).all()}
    assert counters.keys() == numbers.keys()
    for key, values in numbers.items():
        assert sorted(values) == list(range(1, len(values) + 1)) and counters[key] == len(values)
    states = Counter((await db.scalars(sa.select(IncomingDocument.state))).all())
    assert {"received", "registered", "submitted", "assigned", "in_progress", "completed", "returned"} <= set(states)


async def test_register_and_audit_chain(db: AsyncSession) -> None:
    actor = await _actor(db, "vanthu.tinh")
    end = clock.to_local(clock.now()).date()
    start = end - timedelta(days=30)
    lower, upper = datetime.combine(start, time.min, VN_TZ), datetime.combine(end + timedelta(days=1), time.min, VN_TZ)
    wanted = await db.scalar(sa.select(sa.func.count()).select_from(IncomingDocument).where(
        IncomingDocument.agency_id == actor.agency_id, IncomingDocument.arrival_number.is_not(None),
        IncomingDocument.received_at >= lower, IncomingDocument.received_at < upper))
    rows = await book_rows(db, actor, start, end)
    assert wanted and len(rows) == wanted
    assert (await verify_chain(db)).ok


async def test_login_and_pages_over_http(client: Any, login: Any, db: AsyncSession) -> None:
    other = (await db.scalars(sa.select(IncomingDocument.id).join(User, User.agency_id == IncomingDocument.agency_id)
                              .where(User.username == "vanthu.snv").limit(1))).one()
    await db.close()  # SQLite: release the write lock before the app's requests
    await login(client, "vanthu.tinh")
    seen: list[str] = []
    url = "/incoming?inbox=all"
    for _ in range(3):
        page = await client.get(url)
        assert page.status_code == 200
        ids = [part.split('"')[0] for part in page.text.split('href="/incoming/')[1:] if part[:1].isdigit()]
        assert ids and not set(ids) & set(seen)
        seen += ids
        marker = page.text.split("cursor=")
        assert len(marker) > 1
        url = "/incoming?inbox=all&cursor=" + marker[1].split('"')[0].split("&")[0]
    assert (await client.get(f"/incoming/{other}")).status_code == 404


async def test_search_reindex_finds_exactly_what_the_lists_show(province_env: dict[str, str], db: AsyncSession
                                                                ) -> None:
    """After ``search reindex`` (the generator bulk-loads without the ORM), walking every search page with its
    cursor returns exactly the visible documents whose summary holds the phrase -- per actor."""
    from backend.cli.search import reindex
    from backend.domain.incoming.policies import visible_incoming
    from backend.domain.outgoing.policies import visible_outgoing
    from backend.domain.search.queries import parse_filters, run_search
    from backend.lib.text import fold

    assert "entries" in await reindex(load_settings(province_env), extract=False)
    for username in ("vanthu.tinh", "chuyenvien.tinh"):
        actor = await _actor(db, username)
        for sort in ("relevance", "date"):
            found: set[tuple[str, int]] = set()
            cursor = ""
            while True:
                page = await run_search(db, actor, parse_filters({"q": '"chuyển đổi số"', "sort": sort,
                                                                  "cursor": cursor}), size=97)
                found |= {(hit.kind, hit.doc_id) for hit in page.hits}
                if not page.next_cursor:
                    break
                cursor = page.next_cursor
            expected = {("incoming", doc.id) for doc in (await db.scalars(visible_incoming(actor))).all()
                        if "chuyen doi so" in fold(doc.summary)}
            expected |= {("outgoing", doc.id) for doc in (await db.scalars(visible_outgoing(actor))).all()
                         if "chuyen doi so" in fold(doc.summary)}
            assert found == expected, (username, sort)
            assert expected or username != "vanthu.tinh"


async def _plan(db: AsyncSession, statement: sa.Select[Any]) -> str:
    """The plan of ``statement`` executed as the app executes it (its own SQL and bound parameters)."""
    seen: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        seen.append((sql, params))

    sync_engine = (await db.connection()).sync_engine
    sa.event.listen(sync_engine, "before_cursor_execute", grab)
    try:
        await db.execute(statement)
    finally:
        sa.event.remove(sync_engine, "before_cursor_execute", grab)
    sql, params = seen[-1]
    conn = await db.connection()
    if conn.dialect.name == "sqlite":
        return "\n".join(str(row[-1]) for row in await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    await conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a few thousand rows: a scan would win
    return "\n".join(row[0] for row in await conn.exec_driver_sql(f"EXPLAIN {sql}", params))


async def test_a_unit_heads_waiting_lines_are_read_through_the_partial_indexes(db: AsyncSession) -> None:
    """"To handle" reads the unit's live lines not handed on, and the task list the actor's live lines, through
    their partial indexes on both databases (SQLite uses one only when the SQL repeats its predicate)."""
    actor = await _actor(db, "truongphong.tinh")
    today = clock.to_local(clock.now()).date()
    handle = await _plan(db, filtered_query(actor, "to_handle", ListFilters(), today))
    assert "ix_assignment_unit_holds" in handle and "ix_assignment_live_user" in handle, handle
    tasks = await _plan(db, tasks_query(actor))
    assert "ix_assignment_live_unit" in tasks and "ix_assignment_live_user" in tasks, tasks
