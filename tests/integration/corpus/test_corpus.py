"""The bad-input corpus (issue 16 item 1): every case of :mod:`.table` against one app and one database.

For each case the request goes out with every other field valid, and the answer must be:

* never a 5xx;
* a refused value → a 4xx; a storable value → any status below 500;
* a message in Vietnamese; a 4xx names the field it refuses (in the message, the problem body or the
  re-rendered form);
* the HTML payload never comes back unescaped, neither in the answer nor on the page a success leads to;
* after a refusal, the endpoint's tables hold the same number of rows and the blob store the same files;
* a body over the size limit is a 413 (refused before any of it is parsed or stored);
* a file with active content (JavaScript) is accepted, its warning recorded on the stored file and shown
  on the document page.

After the whole corpus the operator's blob check finds no row without its file and no file without its row.

One app, one database copy and one logged-in session per actor serve the whole module.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_from_bytes

import httpx
import pytest
import pytest_asyncio
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.asgi import create_app
from backend.cli.seed import DEMO_PASSWORD
from backend.config.settings import Settings, load_settings
from backend.db.engine import create_engine, create_read_sessionmaker, create_sessionmaker
from backend.db.models import Agency, DocumentType, Unit, User
from backend.domain.documents.blob_hygiene import scan
from backend.domain.documents.files import blob_store
from backend.domain.signing.assets import seal_png
from backend.domain.signing.samples import DraftSpec, outgoing_draft_pdf
from backend.lib import clock
from tests.conftest import TEST_REDIS_URL
from tests.integration.corpus.table import (
    CLERK,
    HTML_PAYLOAD,
    LEADER,
    SPECIALIST,
    Case,
    Oversize,
    _draft,
    _intake,
    _workfile,
    cases,
)
from tests.support.template_copies import TemplateCopies

pytestmark = pytest.mark.asyncio(loop_scope="module")

VIETNAMESE = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE)
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
BOUNDARY = "corpusBoundary7f3a"


@dataclass
class World:
    """The module's app, one cookie jar per actor, and the seeded ids the base payloads use."""

    client: AsyncTestClient[Litestar]
    settings: Settings
    type_id: int = 0
    agency_id: int = 0
    other_agency_id: int = 0
    unit_id: int = 0
    leader_id: int = 0
    today: str = ""
    draft_pdf: bytes = b""
    seal_png: bytes = b""
    jars: dict[str | None, httpx.Cookies] = field(default_factory=dict)
    tokens: dict[str | None, str] = field(default_factory=dict)
    counter: int = 0
    docs: dict[str, int] = field(default_factory=dict)
    warned: int = 0
    """Stored files with a warning seen so far (each accepted active file must add one)."""

    async def request(self, actor: str | None, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.client.cookies = self.jars.get(actor) or httpx.Cookies()
        try:
            return await self.client.request(method, url, **kwargs)
        finally:
            if actor is not None:
                self.jars[actor] = httpx.Cookies(self.client.cookies)

    async def login(self, username: str) -> None:
        page = await self.request(username, "GET", "/login")
        token = CSRF.search(page.text)
        assert token is not None
        done = await self.request(username, "POST", "/login", data={
            "username": username, "password": DEMO_PASSWORD, "next": "/", "_csrf_token": token.group(1)})
        assert done.status_code == 303, done.text[:500]
        self.tokens[username] = (await self.request(username, "GET", "/api/v1/session")).json()["csrf_token"]


@pytest.fixture(scope="module")
def corpus_settings(template_copies: TemplateCopies, tmp_path_factory: pytest.TempPathFactory,
                    ) -> Iterator[Settings]:
    tmp = tmp_path_factory.mktemp("corpus")
    url = template_copies.take(tmp / "corpus.db")
    env = {"APP_ENV": "demo", "DATA_DIR": str(tmp / "data"), "DATABASE_URL": url, "SECRET_KEY": "c" * 64}
    if TEST_REDIS_URL:
        env["REDIS_URL"] = TEST_REDIS_URL
    yield load_settings(env)
    template_copies.give_back(url)


async def _ids(world: World) -> None:
    engine = create_engine(world.settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            home = await db.scalar(sa.select(Agency.id).where(Agency.organ_id == "000.01.21.H41"))
            world.agency_id = int(home or 0)
            world.other_agency_id = int(await db.scalar(
                sa.select(Agency.id).where(Agency.organ_id == "000.02.21.H41")) or 0)
            world.type_id = int(await db.scalar(sa.select(DocumentType.id).where(DocumentType.code == "cong_van"))
                                or 0)
            world.unit_id = int(await db.scalar(sa.select(Unit.id).where(Unit.agency_id == home,
                                                                         Unit.abbreviation == "VPTK")) or 0)
            world.leader_id = int(await db.scalar(sa.select(User.id).where(User.username == LEADER)) or 0)
    finally:
        await engine.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(corpus_settings: Settings) -> AsyncIterator[World]:
    app = create_app(corpus_settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        client.follow_redirects = False
        found = World(client, corpus_settings, today=clock.today().isoformat(),
                      draft_pdf=outgoing_draft_pdf(DraftSpec(signer_name="Võ Minh Nam", authority="TM. ỦY BAN NHÂN DÂN",
                                                             position="CHỦ TỊCH", symbol="UBND-VPTK")))
        found.seal_png = seal_png("Ủy ban nhân dân xã Nghi Phong", "Huyện Nghi Lộc", size_px=400)
        await _ids(found)
        for username in {c.endpoint.actor for c in CASES if c.endpoint.actor}:
            await found.login(username)
        yield found
    await app.state.engine.dispose()


CASES = cases()


@pytest.mark.asyncio(loop_scope="module")
async def test_corpus_has_at_least_300_cases() -> None:
    print(f"bad-input corpus: {len(CASES)} cases")
    assert len(CASES) >= 300, len(CASES)


# --- building requests -------------------------------------------------------------------------------------------

def _raw(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def _urlencoded(fields: dict[str, Any]) -> bytes:
    return "&".join(f"{quote_from_bytes(_raw(k))}={quote_from_bytes(_raw(v))}" for k, v in fields.items()).encode()


_FILE_TYPES = {".png": "image/png", ".csv": "text/csv"}


def _multipart(fields: dict[str, Any]) -> bytes:
    """The body, joined once: an :class:`Oversize` file's bytes exist only inside it."""
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(b"--" + BOUNDARY.encode() + b"\r\n")
        if isinstance(value, tuple):
            filename, content = value
            kind = _FILE_TYPES.get(filename[-4:], "application/pdf")
            parts.append((f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                          f"Content-Type: {kind}\r\n\r\n").encode())
            if isinstance(content, Oversize):
                parts += [content.head, bytes(content.size - len(content.head))]
            else:
                parts.append(content)
        else:
            parts += [f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode(), _raw(value)]
        parts.append(b"\r\n")
    return b"".join([*parts, b"--" + BOUNDARY.encode() + b"--\r\n"])


def _json(fields: dict[str, Any], case: Case) -> bytes:
    if case.kind == "json-body":
        return _raw(case.hostile.value)
    marker = "\u0001HOSTILE\u0001"
    if case.kind in ("json-id", "json-date"):  # a raw JSON token in place of the whole value
        return json.dumps({**fields, case.field: marker}, ensure_ascii=False).encode().replace(
            json.dumps(marker, ensure_ascii=False).encode(), case.hostile.value)
    # Splice the raw bytes in as the JSON string (invalid UTF-8 and lone surrogates stay what they are).
    text = json.dumps({**fields, case.field: marker}, ensure_ascii=False).encode()
    raw = case.hostile.value
    try:
        decoded = raw.decode("utf-8")
        spliced = json.dumps(decoded, ensure_ascii=False)[1:-1].encode()
    except UnicodeDecodeError:
        spliced = raw
    if b"\xed\xa0\x80" in raw:
        spliced = spliced.replace(b"\xed\xa0\x80", b"\\ud800") if b"\\ud800" not in spliced else spliced
    return text.replace(json.dumps(marker, ensure_ascii=False)[1:-1].encode(), spliced)


async def _arranged(world: World, endpoint: Any) -> int:
    """The endpoint's document: one per kind for the module, or a new one per case when ``endpoint.fresh``
    (so an accepted value never blocks the next case)."""
    kind = endpoint.arrange
    if kind is None:
        return 0
    if not endpoint.fresh and kind in world.docs:
        return world.docs[kind]
    world.docs[kind] = await _new_document(world, kind)
    return world.docs[kind]


async def _new_document(world: World, kind: str) -> int:
    if kind == "workfile":
        world.counter += 1
        response = await world.request(SPECIALIST, "POST", "/api/v1/work-files", json=_workfile(world, world.counter),
                                        headers={"X-CSRFToken": world.tokens[SPECIALIST]})
        assert response.status_code == 201, response.text[:500]
        return int(response.json()["id"])
    if kind == "draft":
        fields = {k: v for k, v in _draft_fields(world).items()}
        response = await world.request("chuyenvien.xanghiphong", "POST", "/api/v1/outgoing", data=fields,
                                        files={"file": ("du-thao.pdf", world.draft_pdf, "application/pdf")},
                                        headers={"X-CSRFToken": world.tokens["chuyenvien.xanghiphong"]})
        assert response.status_code == 201, response.text[:500]
        return int(response.json()["id"])
    world.counter += 1
    fields = _intake(world, 50_000 + world.counter)
    fields.pop("file")
    token = world.tokens[CLERK]
    response = await world.request(CLERK, "POST", "/incoming/new", data={**fields, "_csrf_token": token},
                                   files={"file": ("cong-van.pdf", _pdf(), "application/pdf")})
    assert response.status_code == 303, response.text[:800]
    doc_id = int(response.headers["location"].rstrip("/").rsplit("/", 1)[-1])
    if kind == "submitted":
        moved = await world.request(CLERK, "POST", f"/incoming/{doc_id}/transition",
                                    data={"event": "submit", "_csrf_token": token})
        assert moved.status_code == 303, moved.text[:800]
    return doc_id


def _pdf() -> bytes:
    from tests.support.incoming import make_pdf
    return make_pdf(1)


def _draft_fields(world: World) -> dict[str, str]:
    return {k: v for k, v in _draft(world, 0).items() if k != "file"}


async def _send(world: World, case: Case, doc: int) -> httpx.Response:
    endpoint = case.endpoint
    world.counter += 1
    path = endpoint.path.replace("{doc}", str(doc))
    fields = endpoint.base(world, world.counter)
    actor = endpoint.actor
    token = world.tokens.get(actor, "")
    headers: dict[str, str] = {"X-CSRFToken": token} if actor else {}
    value = case.hostile.value
    if endpoint.body == "path":
        return await world.request(actor, "GET", path.replace("{value}", quote_from_bytes(value)))
    if endpoint.body == "query":
        query = dict(fields)
        if case.kind == "range":
            query.pop("range", None)
            query["from"], query["to"] = value
        else:
            query[case.field] = value
        return await world.request(actor, "GET", f"{path}?{_urlencoded(query).decode()}")
    if endpoint.body == "json":
        return await world.request(actor, endpoint.method, path, content=_json(fields, case),
                                   headers={**headers, "Content-Type": "application/json"})
    if actor is None:  # anonymous forms take the token from the page's form
        page = await world.request(None, "GET", path)
        world.jars[None] = httpx.Cookies(world.client.cookies)
        match = CSRF.search(page.text)
        token = match.group(1) if match else ""
    fields["_csrf_token"] = token
    fields[case.field] = value if case.kind in ("file", "png") else endpoint.wrap(case.field, value)
    if endpoint.body == "multipart":
        return await world.request(actor, endpoint.method, path, content=_multipart(fields),
                                   headers={**headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    return await world.request(actor, endpoint.method, path, content=_urlencoded(fields),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})


# --- what must hold ----------------------------------------------------------------------------------------------

async def _counts(world: World, tables: tuple[str, ...]) -> tuple[dict[str, int], int]:
    engine = create_engine(world.settings.database_url, pool=False)
    try:
        async with engine.connect() as conn:
            rows = {t: int((await conn.execute(sa.text(f"SELECT count(*) FROM {t}"))).scalar_one()) for t in tables}
    finally:
        await engine.dispose()
    blobs = world.settings.blob_dir
    derived = blobs / "derived"  # caches made from a stored file when a page first shows it (not uploads)
    files = sum(1 for p in blobs.rglob("*") if p.is_file() and derived not in p.parents) if blobs.exists() else 0
    return rows, files


def _message(response: httpx.Response) -> str:
    if "json" in response.headers.get("content-type", "") and response.content:
        body = response.json()
        return json.dumps(body, ensure_ascii=False) if isinstance(body, dict) else ""
    return response.text


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_bad_input_is_refused_cleanly(world: World, case: Case) -> None:
    tables = case.endpoint.tables
    doc = await _arranged(world, case.endpoint)
    before = await _counts(world, tables) if case.endpoint.method == "POST" else None
    response = await _send(world, case, doc)
    status = response.status_code
    assert status < 500, f"{case.id}: {status} {response.text[:400]}"
    if case.hostile.refused:
        assert 400 <= status < 500, f"{case.id}: a refused value got {status}"
    message = _message(response)
    if status >= 400:
        assert VIETNAMESE.search(message), f"{case.id}: no Vietnamese message in {message[:300]}"
        if status == 413:  # the whole body is refused unread: the message says what is too large
            assert "quá lớn" in message, f"{case.id}: the 413 does not say the upload is too large: {message[:300]}"
        elif case.endpoint.body not in ("path", "query") and case.kind != "json-body" and status != 409:
            assert case.field in message, f"{case.id}: the answer does not name {case.field}: {message[:400]}"
    if "html" in response.headers.get("content-type", ""):
        assert HTML_PAYLOAD not in response.text, f"{case.id}: the payload came back unescaped"
    if 300 <= status < 400 and response.headers.get("location", "").startswith("/"):
        shown = await world.request(case.endpoint.actor, "GET", response.headers["location"])
        assert shown.status_code < 500 and HTML_PAYLOAD not in shown.text, f"{case.id}: unescaped after redirect"
    if before is not None and status >= 400:
        assert await _counts(world, tables) == before, f"{case.id}: something was stored although refused"
    if isinstance(case.hostile.value, tuple) and isinstance(case.hostile.value[1], Oversize):
        assert status == 413, f"{case.id}: an oversize body got {status}, not refused by its size"
    if case.hostile.warning:  # accepted, with the warning
        assert status < 400, f"{case.id}: a file with a warning must be accepted, got {status}"
        await _check_warning(world, case, response)
    if case.kind == "file" and status < 400:  # an accepted file (a polyglot too) is only ever served as a PDF
        served = await world.request(case.endpoint.actor, "GET", _document_page(case, response) + "/file")
        assert served.status_code == 200, f"{case.id}: the stored file answered {served.status_code}"
        assert served.headers["content-type"].startswith("application/pdf"), served.headers["content-type"]
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["content-disposition"].startswith("attachment"), served.headers["content-disposition"]


def _document_page(case: Case, response: httpx.Response) -> str:
    """The page of the document an accepted request created or changed."""
    if response.status_code == 201:
        return case.endpoint.page.replace("{id}", str(response.json()["id"]))
    return response.headers["location"].split("?", 1)[0].split("#", 1)[0]


async def _warnings(world: World, code: str) -> int:
    engine = create_engine(world.settings.database_url, pool=False)
    try:
        async with engine.connect() as conn:
            query = sa.text("SELECT count(*) FROM stored_file WHERE content_warning = :code")
            return int((await conn.execute(query, {"code": code})).scalar_one())
    finally:
        await engine.dispose()


async def _check_warning(world: World, case: Case, response: httpx.Response) -> None:
    """The accepted file's warning is on its row and on the document page (before the document itself)."""
    warned = await _warnings(world, case.hostile.warning)
    assert warned > world.warned, f"{case.id}: the warning was not recorded on the stored file"
    world.warned = warned
    page = _document_page(case, response)
    shown = await world.request(case.endpoint.actor, "GET", page)
    assert shown.status_code == 200, f"{case.id}: {page} answered {shown.status_code}"
    assert 'id="file-warning"' in shown.text and "JavaScript" in shown.text, f"{case.id}: no warning on {page}"


async def test_after_the_corpus_every_row_has_its_blob_and_every_blob_its_row(world: World) -> None:
    """The operator's blob check (``python -m backend check``) over the store the whole corpus wrote to:
    no row lost its file and no refused upload left a file behind."""
    engine = create_engine(world.settings.database_url, pool=False)
    try:
        reports = [report async for report in scan(create_read_sessionmaker(engine), blob_store(world.settings))]
    finally:
        await engine.dispose()
    assert sum(report.stored for report in reports) > 0
    assert [m for report in reports for m in report.missing] == []
    assert [o for report in reports for o in report.orphans] == []

