"""The user operations a trial drives over HTTP, each with its set-up, its request and its "is it done?".

An :class:`Operation` is prepared while every process runs (:meth:`Operation.prepare` brings a
document to the state the operation starts from), then :meth:`Operation.act` sends the one request
a trial kills a process during. A user whose answer was lost looks again (:meth:`Operation.done`)
and presses the button again if it is not done: the same ``Idempotency-Key`` as the browser's
htmx form keeps (a new one after reloading the page, when the server says the first is still
"in progress"), or a new OTP for signing and sealing (forms asking for an OTP carry no key).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import Agency, IncomingDocument, Unit
from backend.lib import clock
from tests.support.incoming import intake_fields, make_pdf
from tests.support.outgoing import Api, create_draft, ids
from tests.support.signing import SigningEnv

__all__ = ["OPERATIONS", "Actors", "Operation", "Subject", "new_key"]

LEADER, SEAL = "lanhdao.xanghiphong", "000.01.21.H41"
USERS = {"drafter": "chuyenvien.xanghiphong", "head": "truongphong.xanghiphong", "clerk": "vanthu.xanghiphong",
         "leader": LEADER, "receiver": "vanthu.xanghithai"}
TIMEOUT = httpx.Timeout(60.0, connect=5.0)


def new_key() -> str:
    """A fresh Idempotency-Key, like the one app.js gives a form."""
    return uuid.uuid4().hex


@dataclass
class Actors:
    """The logged-in users of one stack (one HTTP client each; sessions survive restarts of the web process)."""

    base_url: str
    settings: Settings
    senv: SigningEnv
    by_role: dict[str, Api] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    async def open(self) -> Actors:
        for role, username in USERS.items():
            self.by_role[role] = await Api(httpx.AsyncClient(base_url=self.base_url, timeout=TIMEOUT)).login(username)
        self.ids = await ids(self.settings)
        self.ids["dcxd"] = await _scalar(self.settings, sa.select(Unit.id).join(Agency, Agency.id == Unit.agency_id)
                                         .where(Agency.organ_id == SEAL, Unit.abbreviation == "ĐCXD"))
        return self

    async def log_in_again(self) -> None:
        """After a restart of the web process: whoever lost the session (in-process store) logs in again."""
        for role, api in self.by_role.items():
            if (await api.get("/api/v1/session")).status_code == 401:
                await api.login(USERS[role])

    async def close(self) -> None:
        for api in self.by_role.values():
            await api.base.aclose()

    def __getitem__(self, role: str) -> Api:
        return self.by_role[role]

    async def post(self, role: str, path: str, key: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"X-CSRFToken": self.by_role[role].token, **({"Idempotency-Key": key} if key else {})}
        return await self.by_role[role].request("POST", path, headers=headers, **kwargs)

    async def act(self, role: str, doc_id: int, event: str, key: str | None = None, **body: Any) -> httpx.Response:
        return await self.post(role, f"/api/v1/outgoing/{doc_id}/transitions", key, json={"event": event, **body})

    async def state(self, doc_id: int) -> str:
        response = await self["clerk"].get(f"/api/v1/outgoing/{doc_id}")
        assert response.status_code == 200, response.text
        return str(response.json()["state"])

    def otp(self, owner: str) -> str:
        return str(self.senv.next_otp(owner))


async def _scalar(settings: Settings, query: Any) -> Any:
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            return await db.scalar(query)
    finally:
        await engine.dispose()


def _ok(response: httpx.Response, *states: str) -> httpx.Response:
    assert response.status_code in (200, 201), f"{response.request.url}: {response.status_code} {response.text}"
    if states:
        assert response.json()["state"] in states, response.text
    return response


@dataclass
class Subject:
    """What one trial works on: the documents and a marker naming them (the summary of a registration)."""

    trial: int
    doc_ids: list[int] = field(default_factory=list)
    marker: str = ""


# -- the preparation steps (every process up) ---------------------------------------------------------------

async def awaiting(a: Actors) -> int:
    """A fresh draft taken to awaiting the leader's signature."""
    doc_id = await create_draft(a["drafter"], a.ids)
    _ok(await a.act("drafter", doc_id, "submit"))
    _ok(await a.act("head", doc_id, "approve"))
    _ok(await a.act("clerk", doc_id, "format_ok"), "awaiting_signature")
    return doc_id


async def signed(a: Actors) -> int:
    doc_id = await awaiting(a)
    _ok(await a.act("leader", doc_id, "sign", otp=a.otp(LEADER)), "signed")
    return doc_id


async def numbered(a: Actors) -> int:
    doc_id = await signed(a)
    _ok(await a.act("clerk", doc_id, "number"))
    return doc_id


async def sealed(a: Actors) -> int:
    doc_id = await numbered(a)
    _ok(await a.act("clerk", doc_id, "seal", otp=a.otp(SEAL)))
    return doc_id


async def issued(a: Actors, drain: Callable[[], Awaitable[None]]) -> int:
    doc_id = await sealed(a)
    _ok(await a.act("clerk", doc_id, "issue"), "issued")
    await drain()  # delivered to Nghi Thái before the trial recalls it
    return doc_id


async def registered_submitted(a: Actors, trial: int) -> int:
    response = _ok(await a.post("clerk", "/api/v1/incoming", data=_intake(a, trial, "Chờ phân công"),
                                files={"file": ("den.pdf", make_pdf(1), "application/pdf")}))
    doc_id = int(response.json()["id"])
    _ok(await a.post("clerk", f"/api/v1/incoming/{doc_id}/transitions", json={"event": "submit"}), "submitted")
    return doc_id


def _intake(a: Actors, trial: int, what: str) -> dict[str, str]:
    return intake_fields(a.ids["cong_van"], code_number=str(trial), code_notation="UBND-KT",
                         summary=f"Thử nghiệm sự cố {trial}: {what}")


# -- the operations --------------------------------------------------------------------------------------------

@dataclass
class Operation:
    """One operation: ``expect`` is the state every subject document reaches once it is done."""

    name: str
    expect: str
    prepare: Callable[[Actors, Subject, Callable[[], Awaitable[None]]], Awaitable[None]]
    request: Callable[[Actors, Subject, str], Awaitable[httpx.Response]]
    uses_key: bool = True
    after_answer: bool = False
    """Kill after the answer arrived (the worker's part: delivery) rather than while the request runs."""

    async def act(self, a: Actors, subject: Subject, key: str) -> httpx.Response:
        return await self.request(a, subject, key if self.uses_key else "")

    async def done(self, a: Actors, subject: Subject) -> bool:
        if self.name == "register":
            count = await _scalar(a.settings, sa.select(sa.func.count()).select_from(IncomingDocument)
                                  .where(IncomingDocument.summary == subject.marker))
            return bool(count)
        return all([await _state_of(a, self.name, doc_id) == self.expect for doc_id in subject.doc_ids])


async def _state_of(a: Actors, name: str, doc_id: int) -> str:
    if name == "assign":
        response = await a["leader"].get(f"/api/v1/incoming/{doc_id}")
        assert response.status_code == 200, response.text
        return str(response.json()["state"])
    return await a.state(doc_id)


def _one(step: Callable[[Actors], Awaitable[int]]) -> Callable[[Actors, Subject, Callable[[], Awaitable[None]]],
                                                                 Awaitable[None]]:
    async def prepare(a: Actors, subject: Subject, _drain: Callable[[], Awaitable[None]]) -> None:
        subject.doc_ids = [await step(a)]
    return prepare


async def _prepare_register(a: Actors, subject: Subject, _drain: Callable[[], Awaitable[None]]) -> None:
    subject.marker = f"Thử nghiệm sự cố {subject.trial}: Vào sổ"


async def _prepare_assign(a: Actors, subject: Subject, _drain: Callable[[], Awaitable[None]]) -> None:
    subject.doc_ids = [await registered_submitted(a, subject.trial)]


async def _prepare_batch(a: Actors, subject: Subject, _drain: Callable[[], Awaitable[None]]) -> None:
    subject.doc_ids = [await awaiting(a) for _ in range(3)]


async def _prepare_recall(a: Actors, subject: Subject, drain: Callable[[], Awaitable[None]]) -> None:
    subject.doc_ids = [await issued(a, drain)]


async def _register(a: Actors, subject: Subject, key: str) -> httpx.Response:
    return await a.post("clerk", "/api/v1/incoming", key, data=_intake(a, subject.trial, "Vào sổ"),
                        files={"file": ("den.pdf", make_pdf(1), "application/pdf")})


async def _assign(a: Actors, subject: Subject, key: str) -> httpx.Response:
    due = (clock.today() + timedelta(days=5)).isoformat()
    return await a.post("leader", f"/api/v1/incoming/{subject.doc_ids[0]}/assignments", key,
                        json={"assignees": [{"role": "lead", "unit_id": a.ids["dcxd"], "due_on": due}],
                              "instruction": "Xử lý theo quy định."})


async def _sign(a: Actors, subject: Subject, _key: str) -> httpx.Response:
    return await a.act("leader", subject.doc_ids[0], "sign", otp=a.otp(LEADER))


async def _batch_sign(a: Actors, subject: Subject, _key: str) -> httpx.Response:
    waiting = [doc_id for doc_id in subject.doc_ids if await a.state(doc_id) == "awaiting_signature"]
    return await a.post("leader", "/api/v1/outgoing/sign-batch", json={"doc_ids": waiting, "otp": a.otp(LEADER)})


def _event(role: str, event: str, **body: str) -> Callable[[Actors, Subject, str], Awaitable[httpx.Response]]:
    async def request(a: Actors, subject: Subject, key: str) -> httpx.Response:
        return await a.act(role, subject.doc_ids[0], event, key or None, **body)
    return request


async def _seal(a: Actors, subject: Subject, _key: str) -> httpx.Response:
    return await a.act("clerk", subject.doc_ids[0], "seal", otp=a.otp(SEAL))


OPERATIONS: dict[str, Operation] = {op.name: op for op in (
    Operation("register", "registered", _prepare_register, _register),
    Operation("assign", "assigned", _prepare_assign, _assign),
    Operation("sign", "signed", _one(awaiting), _sign, uses_key=False),
    Operation("batch_sign", "signed", _prepare_batch, _batch_sign, uses_key=False),
    Operation("number", "registered", _one(signed), _event("clerk", "number")),
    Operation("seal", "org_signed", _one(numbered), _seal, uses_key=False),
    Operation("issue", "issued", _one(sealed), _event("clerk", "issue")),
    Operation("deliver", "issued", _one(sealed), _event("clerk", "issue"), after_answer=True),
    Operation("recall", "recalled", _prepare_recall, _event("leader", "recall", reason="Sai nội dung điều 2")),
)}
"""Every operation by name. ``deliver`` is an issue whose kill falls after the answer, while the worker delivers."""

