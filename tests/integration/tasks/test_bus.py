"""The typed job bus: payloads round-trip through the outbox, wrong payloads are refused, wiring is checked."""

from __future__ import annotations

import json
from string import Formatter

import msgspec
import pytest
import sqlalchemy as sa

from backend.db.models import JobStatus, Notification, OutboxJob, User
from backend.domain.exchange.kinds import DELIVER, Deliver
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.lib.urls import ROUTE_PATHS, RouteUrls
from backend.tasks.bus import Handles, JobContext, Registry, UnknownJobKindError
from backend.tasks.outbox import enqueue
from backend.worker_app import REGISTRY, run_once


def test_payload_round_trips_and_wrong_type_is_refused() -> None:
    payload = Notify(user_ids=[3, 4], title="Văn bản đến", urgent=True, urgency="hoa_toc")
    stored = json.loads(json.dumps(NOTIFY.encode(payload)))
    assert NOTIFY.decode(stored) == payload
    with pytest.raises(TypeError):
        NOTIFY.encode(Deliver(recipient_id=1))  # type: ignore[arg-type]
    with pytest.raises(msgspec.ValidationError):
        DELIVER.decode({"recipient_id": "not a number"})


def test_registry_refuses_a_kind_twice_and_names_unknown_kinds() -> None:
    async def handler(ctx: JobContext, payload: Deliver) -> None:
        return None

    with pytest.raises(ValueError, match="exchange.deliver"):
        Registry([Handles(DELIVER, handler), Handles(DELIVER, handler)])
    with pytest.raises(UnknownJobKindError):
        Registry([]).entry("exchange.deliver")


def test_worker_registry_covers_every_kind() -> None:
    assert REGISTRY.kinds() == ["certificates.remind_expiring", "documents.render_pages", "documents.sweep_blobs",
                                "exchange.deliver",
                                "exchange.poll_axis", "exchange.recall", "exchange.status", "exchange.sync_directory",
                                "live.publish", "notification.create", "push.send", "reminders.digest",
                                "reminders.scan", "search.extract_text", "workfiles.transfer_package"]


def test_route_urls_build_paths_and_refuse_unknown_names() -> None:
    urls = RouteUrls()
    assert urls("incoming.detail", doc_id=12) == "/incoming/12"
    with pytest.raises(LookupError):
        urls("no.such.route")


async def test_malformed_stored_payload_fails_the_job_instead_of_running_it(db_sessionmaker, settings) -> None:
    async with db_sessionmaker() as db:
        uid = (await db.scalars(sa.select(User.id).limit(1))).one()
        job = await enqueue(db, NOTIFY, Notify(user_ids=[uid], title="x"))
        job.payload = json.dumps({"user_ids": "everyone"})  # written by hand, not through the kind
        await db.commit()
    assert await run_once(settings, db_sessionmaker) == 1
    async with db_sessionmaker() as db:
        row = await db.get(OutboxJob, job.id)
        assert row.status == JobStatus.PENDING and "ValidationError" in row.last_error
        assert await db.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0




def test_route_table_matches_the_apps_own_route_names(app) -> None:
    """Links built in jobs are the paths the web app would build for the same route names."""
    urls = RouteUrls()
    for name in ROUTE_PATHS:
        template = ROUTE_PATHS[name]
        params = {field: 7 for _text, field, _spec, _conv in Formatter().parse(template) if field}
        assert urls(name, **params) == app.route_reverse(name, **params), name
