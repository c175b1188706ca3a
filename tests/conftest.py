"""Shared fixtures: a migrated, demo-seeded database per test, the app, an HTTP client, login.

The database is SQLite unless ``TEST_DATABASE_URL`` names a PostgreSQL server (``make test`` runs
the suite once each way). A template database is migrated and seeded once per session; each test
gets its own copy (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL, made ahead and
dropped behind: ``tests/support/template_copies.py``), so tests never see each other's changes.
``TEST_REDIS_URL`` switches sessions and stores to Redis.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.asgi import create_app
from backend.cli.seed import DEMO_PASSWORD, seed_demo_into
from backend.config.settings import Settings, load_settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.migrate import upgrade
from backend.db.models import Agency, User
from tests.support.suite_split import split
from tests.support.template_copies import TemplateCopies

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgres")
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _pg_parts(url: str) -> tuple[str, str]:
    """(server URL without database, asyncpg DSN of the maintenance database)."""
    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    server, _, _db = plain.rpartition("/")
    return server, plain


def _pg_admin(sql: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(_pg_parts(TEST_DATABASE_URL)[1])
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def _seed(url: str) -> None:
    async def run() -> None:
        engine = create_engine(url)
        async with create_sessionmaker(engine)() as db:
            await seed_demo_into(db)
            await db.commit()
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, demo-seeded database to copy from (a file path or a PostgreSQL database name)."""
    if ON_POSTGRES:
        name = f"cv_tpl_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        url = f"{_pg_parts(TEST_DATABASE_URL)[0]}/{name}".replace("postgresql://", "postgresql+asyncpg://")
        upgrade(url)
        _seed(url)
        yield name
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url)
        _seed(url)
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        yield str(path)


@pytest.fixture(scope="session")
def template_copies(template_database: str) -> Iterator[TemplateCopies]:
    """Where every test's private copy of the template comes from (made ahead, dropped behind on PostgreSQL)."""
    copies = (TemplateCopies(template_database, _pg_parts(TEST_DATABASE_URL)[0], _pg_admin) if ON_POSTGRES
              else TemplateCopies(template_database))
    yield copies
    copies.close()


@pytest.fixture
def database_url(template_copies: TemplateCopies, tmp_path: Path) -> Iterator[str]:
    """A private copy of the template database for this test."""
    url = template_copies.take(tmp_path / "test.db")
    yield url
    template_copies.give_back(url)


@pytest.fixture
def second_database_url(template_copies: TemplateCopies, tmp_path: Path) -> Iterator[str]:
    """Another private copy, for a second deployment in the same test (the two-province exchange tests)."""
    url = template_copies.take(tmp_path / "second.db")
    yield url
    template_copies.give_back(url)


@pytest.fixture
def settings_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment variables describing this test's deployment (also used for subprocesses)."""
    env = {
        "APP_ENV": "demo",
        "DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "t" * 64,
        "OUTBOX_LEASE_SECONDS": "2",
        "WORKER_POLL_MS": "100",
    }
    if TEST_REDIS_URL:
        env["REDIS_URL"] = TEST_REDIS_URL
    return env


@pytest.fixture
def settings(settings_env: dict[str, str]) -> Settings:
    return load_settings(settings_env)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    application = create_app(settings)
    yield application
    await application.state.engine.dispose()


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        test_client.follow_redirects = False
        yield test_client


@pytest.fixture
async def db_sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the test database for arranging and asserting directly (own engine and loop)."""
    engine = create_engine(database_url, pool=False)
    yield create_sessionmaker(engine)
    await engine.dispose()


def csrf_from(html: str) -> str:
    """The CSRF token embedded in a rendered form."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in page"
    return match.group(1)


@pytest.fixture
def csrf_token() -> Callable[[AsyncTestClient[Litestar], str], Awaitable[str]]:
    """``await csrf_token(client, path="/account")``: a valid token for the client's session."""

    async def fetch(client: AsyncTestClient[Litestar], path: str = "/login") -> str:
        response = await client.get(path)
        return csrf_from(response.text)

    return fetch


@pytest.fixture
def login() -> Callable[..., Awaitable[Any]]:
    """``await login(client, username, password=DEMO_PASSWORD)``: log in through the real form."""

    async def do_login(client: AsyncTestClient[Litestar], username: str, password: str = DEMO_PASSWORD,
                       expect_success: bool = True) -> Any:
        page = await client.get("/login")
        response = await client.post("/login", data={"username": username, "password": password, "next": "/",
                                                      "_csrf_token": csrf_from(page.text)})
        if expect_success:
            assert response.status_code == 303, response.text
        return response

    return do_login


class Demo:
    """Look-ups into the seeded demo province."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def agency_id(self, organ_id: str) -> int:
        async with self.sessions() as db:
            return (await db.scalars(sa.select(Agency.id).where(Agency.organ_id == organ_id))).one()

    async def user(self, username: str) -> User:
        async with self.sessions() as db:
            return (await db.scalars(sa.select(User).where(User.username == username))).one()


@pytest.fixture
def demo(db_sessionmaker: async_sessionmaker[AsyncSession]) -> Demo:
    return Demo(db_sessionmaker)


@pytest.fixture(scope="session")
def seaweed_s3() -> Iterator[Any]:
    """A real SeaweedFS S3 gateway on free loopback ports, for this session (fails if SeaweedFS is missing)."""
    import secrets
    import tempfile

    from backend.cli.seaweedfs import SeaweedError, SeaweedS3, weed_binary

    try:
        weed_binary()
    except SeaweedError as error:
        pytest.fail(str(error), pytrace=False)
    # Not under pytest's basetemp: concurrent pytest runs of the same user prune each other's old basetemps.
    root = Path(tempfile.mkdtemp(prefix="congvan-seaweedfs-"))
    server = SeaweedS3(root, access_key=f"ak{secrets.token_hex(8)}", secret_key=secrets.token_hex(20),
                       bucket="congvan-test")
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def s3_settings_env(settings_env: dict[str, str], seaweed_s3: Any) -> dict[str, str]:
    """``settings_env`` with blobs in the session's SeaweedFS bucket (content-addressed, so tests can share it)."""
    return {**settings_env, "BLOB_BACKEND": "s3", "S3_ENDPOINT": seaweed_s3.endpoint,
            "S3_BUCKET": seaweed_s3.bucket, "S3_ACCESS_KEY": seaweed_s3.access_key,
            "S3_SECRET_KEY": seaweed_s3.secret_key}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``make test``, the tests listed in tests/support/suite_split.py run in one pass only."""
    split(config, items, on_postgres=ON_POSTGRES)
