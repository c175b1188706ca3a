"""Two deployments, two provinces, one axis (issue 13, "Done when"): Nghi Phong (province A, this test's
deployment) and UBND tỉnh Tây Ninh (province B: a second database, data directory, signing server with its own
SoftHSM token, axis system and secret) exchange sealed packages through the real stand-in server. Each side is
driven through its own HTTP API and its own worker jobs; the axis poll is the worker's ``exchange.poll_axis`` job.
Both deployments trust both development CAs, as two provinces trust the national CA.

* a new document: the sender's line goes 01 → 03 → 04 → 05 → 06 as B registers, assigns, starts and completes;
* a recall confirmed by B's clerk → 15 (line ``recalled``); a recall B's clerk refuses → 16 with the reason;
* a replacing document arrives as a replace package: B cancels the earlier one and answers 15, which the sender's
  line of the earlier document shows; an update is not sent by us (docs/exchange.md), so it is not exercised here.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from backend.config.settings import Settings, load_settings
from backend.db.models import (
    DeliveryStatus,
    DirectoryAgency,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingRecipient,
)
from backend.db.models.outgoing import OutgoingState, ReplaceKind
from backend.db.state_guard import state_writer
from backend.domain.exchange.directory import sync_directory
from backend.domain.exchange.kinds import DELIVER, Deliver
from backend.lib import clock
from backend.tasks.outbox import enqueue
from tests.support.axis import StandIn, axis_env
from tests.support.axis_deployments import NGHI_PHONG, TAY_NINH, TAY_NINH_SYSTEM, Deployment, running_deployment
from tests.support.incoming import unit_id
from tests.support.outgoing import create_draft, ids
from tests.support.signing import DemoOwner, SigningEnv, app_signing_env, running_signing_server

pytestmark = pytest.mark.usefixtures("axis")

_PROVINCE_B_REDIS = os.environ.get("TEST_REDIS_URL_B", "")
"""Province B's Redis (a database of its own); without it province B runs without Redis, which is supported."""


@pytest.fixture(scope="session")
def signing_b(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    """Province B's signing server: its own SoftHSM token and development CA, Tây Ninh's package seal."""
    owner = DemoOwner(f"edxml:{TAY_NINH}", "agency", "Ủy ban nhân dân tỉnh Tây Ninh",
                      "Ủy ban nhân dân tỉnh Tây Ninh", "rsa2048")
    with running_signing_server(tmp_path_factory.mktemp("province-b-signing"), [owner]) as senv:
        yield senv


@pytest.fixture
def both_cas(axis_signing: SigningEnv, signing_b: SigningEnv, tmp_path: Path) -> str:
    """``TRUST_ROOTS`` naming both provinces' CAs."""
    paths = []
    for name, senv in (("ca-a.pem", axis_signing), ("ca-b.pem", signing_b)):
        (tmp_path / name).write_bytes(senv.ca_pem)
        paths.append(str(tmp_path / name))
    return ",".join(paths)


@pytest.fixture
def settings_env(settings_env: dict[str, str], both_cas: str) -> dict[str, str]:
    """Province A (the test's own deployment) trusts province B's CA too."""
    return {**settings_env, "TRUST_ROOTS": both_cas}


@pytest.fixture
def settings_b(second_database_url: str, axis: StandIn, signing_b: SigningEnv, both_cas: str,
               tmp_path: Path) -> Settings:
    (tmp_path / "b").mkdir()
    env = {"APP_ENV": "demo", "DATA_DIR": str(tmp_path / "b" / "data"), "DATABASE_URL": second_database_url,
           "SECRET_KEY": "b" * 64, "OUTBOX_LEASE_SECONDS": "2", "WORKER_POLL_MS": "100",
           **axis_env(axis.url), **TAY_NINH_SYSTEM, **app_signing_env(signing_b, tmp_path / "b"),
           "TRUST_ROOTS": both_cas}
    if _PROVINCE_B_REDIS:
        env["REDIS_URL"] = _PROVINCE_B_REDIS
    return load_settings(env)


@pytest.fixture
async def province_a(settings: Settings) -> AsyncIterator[Deployment]:
    async with running_deployment(settings) as deployment:
        yield deployment


@pytest.fixture
async def province_b(settings_b: Settings) -> AsyncIterator[Deployment]:
    async with running_deployment(settings_b) as deployment:
        await deployment.rename_agency(NGHI_PHONG, TAY_NINH, "Ủy ban nhân dân tỉnh Tây Ninh")
        yield deployment


async def _issue(a: Deployment, number: int, replaces: int | None = None) -> tuple[int, int, str]:
    """A Nghi Phong document to Tây Ninh, issued, its axis delivery queued: (doc id, line id, DocumentId).

    The signature and numbering of the issue are covered by the outgoing tests; the issue's fields are written.
    """
    async with a.sessions() as db:
        await sync_directory(db, a.settings, clock.now(), actor_name="test")
        await db.commit()
        entry = await db.scalar(sa.select(DirectoryAgency.id).where(DirectoryAgency.code == TAY_NINH))
    drafter = await a.login("chuyenvien.xanghiphong")
    doc_id = await create_draft(drafter, await ids(a.settings), extra={"recipient_axis": str(entry)})
    async with a.sessions() as db:
        doc = await db.get(OutgoingDocument, doc_id)
        assert doc is not None
        doc.number, doc.number_year, doc.code_number = number, 2026, str(number)
        doc.code_notation, doc.issued_on, doc.issued_at = "UBND-VP", date(2026, 12, 7), clock.now()
        with state_writer():  # the issue itself (signing, numbering) is the outgoing tests' subject
            doc.state = OutgoingState.ISSUED
        if replaces is not None:
            doc.replaces_id, doc.replace_kind = replaces, ReplaceKind.REPLACE
        line = await db.scalar(sa.select(OutgoingRecipient).where(OutgoingRecipient.outgoing_id == doc_id,
                                                                  OutgoingRecipient.directory_id.is_not(None)))
        assert line is not None
        await enqueue(db, DELIVER, Deliver(recipient_id=line.id))
        await db.commit()
        line_id = line.id
    await a.run_jobs()
    assert (await a.line_status(line_id))[0] is DeliveryStatus.SENT
    return doc_id, line_id, f"{NGHI_PHONG},2026/12/07,{number}/UBND-VP"


async def _arrives(a: Deployment, b: Deployment, number: int, line_id: int, identifier: str) -> int:
    """B's worker polls and answers 01; A's worker polls: the line says arrived. B's incoming id."""
    await b.poll()
    [incoming] = await b.incoming_by_identifier(identifier)
    assert incoming.state is IncomingState.RECEIVED and incoming.code_number == str(number)
    await a.poll()
    assert (await a.line_status(line_id))[0] is DeliveryStatus.ARRIVED
    return incoming.id


async def _answered(a: Deployment, b: Deployment) -> None:
    """B's worker sends what is due (status messages); A's worker polls them in."""
    await b.run_jobs()
    await a.poll()


async def test_a_document_crosses_provinces_and_the_sender_sees_01_03_04_05_06(
        province_a: Deployment, province_b: Deployment) -> None:
    a, b = province_a, province_b
    _doc, line_id, identifier = await _issue(a, 61)
    incoming_id = await _arrives(a, b, 61, line_id, identifier)
    [again] = await b.incoming_by_identifier(identifier)
    assert again.issuer_name and again.summary == "V/v triển khai chuyển đổi số năm 2026"

    clerk = await b.login("vanthu.xanghiphong")
    transitions = f"/api/v1/incoming/{incoming_id}/transitions"
    assert (await clerk.post(transitions, json={"event": "register"})).status_code == 200
    await _answered(a, b)
    assert (await a.line_status(line_id))[0] is DeliveryStatus.ACCEPTED

    assert (await clerk.post(transitions, json={"event": "submit"})).status_code == 200
    leader = await b.login("lanhdao.xanghiphong")
    async with b.sessions() as db:
        agency_id = await db.scalar(sa.text("select id from agency where organ_id = :c"), {"c": TAY_NINH})
    unit = await unit_id(b.sessions, agency_id, "ĐCXD")
    due = (clock.today() + timedelta(days=5)).isoformat()
    assigned = await leader.post(f"/api/v1/incoming/{incoming_id}/assignments",
                                 json={"assignees": [{"role": "lead", "unit_id": unit, "due_on": due}]})
    assert assigned.status_code == 200, assigned.text
    await _answered(a, b)
    assert (await a.line_status(line_id))[0] is DeliveryStatus.ASSIGNED

    handler = await b.login("truongphong.xanghiphong")
    started = await handler.post(transitions, json={"event": "start"})
    assert started.status_code == 200, started.text
    await _answered(a, b)
    assert (await a.line_status(line_id))[0] is DeliveryStatus.PROCESSING

    done = await handler.post(transitions, json={"event": "complete", "reason": "Đã triển khai tới các phòng."})
    assert done.status_code == 200, done.text
    await _answered(a, b)
    assert (await a.line_status(line_id))[0] is DeliveryStatus.DONE
    await a.poll()  # nothing more comes: every status was taken once
    assert (await a.line_status(line_id))[0] is DeliveryStatus.DONE


async def test_a_recall_across_provinces_is_confirmed_15_or_refused_16_with_the_reason(
        province_a: Deployment, province_b: Deployment) -> None:
    a, b = province_a, province_b
    leader_a = await a.login("lanhdao.xanghiphong")
    clerk_b = await b.login("vanthu.xanghiphong")
    for number, answer in ((62, "confirm"), (63, "refuse")):
        doc_id, line_id, identifier = await _issue(a, number)
        incoming_id = await _arrives(a, b, number, line_id, identifier)
        recalled = await leader_a.act(doc_id, "recall", reason="Sai căn cứ pháp lý")
        assert recalled.status_code == 200, recalled.text
        assert (await a.line_status(line_id))[0] is DeliveryStatus.RECALL_REQUESTED
        await a.run_jobs()  # the recall package leaves
        await b.poll()
        if answer == "confirm":
            response = await clerk_b.post(f"/exchange/receipts/{incoming_id}/confirm-recall")
        else:
            response = await clerk_b.post(f"/exchange/receipts/{incoming_id}/refuse-recall",
                                          data={"reason": "Văn bản đã được triển khai tới các thôn"})
        assert response.status_code == 303, response.text
        await _answered(a, b)
        [incoming] = await b.incoming_by_identifier(identifier)
        if answer == "confirm":
            assert incoming.state is IncomingState.CANCELLED
            assert (await a.line_status(line_id))[0] is DeliveryStatus.RECALLED
        else:
            assert incoming.state is IncomingState.RECEIVED
            assert await a.line_status(line_id) == (DeliveryStatus.RECALL_REFUSED,
                                                    "Văn bản đã được triển khai tới các thôn")


async def test_a_replacement_across_provinces_cancels_the_earlier_document_and_its_line_shows_15(
        province_a: Deployment, province_b: Deployment) -> None:
    a, b = province_a, province_b
    earlier_id, earlier_line, earlier = await _issue(a, 64)
    earlier_incoming = await _arrives(a, b, 64, earlier_line, earlier)
    _doc, line_id, identifier = await _issue(a, 65, replaces=earlier_id)
    assert (await a.line_status(earlier_line))[0] is DeliveryStatus.RECALL_REQUESTED, \
        "the replace package asks the recipient to cancel the earlier document"
    await _arrives(a, b, 65, line_id, identifier)
    async with b.sessions() as db:
        old = await db.get(IncomingDocument, earlier_incoming)
        assert old is not None and old.state is IncomingState.CANCELLED
    assert (await a.line_status(earlier_line))[0] is DeliveryStatus.RECALLED
    assert (await a.line_status(line_id))[0] is DeliveryStatus.ARRIVED
