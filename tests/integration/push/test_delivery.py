"""Push delivery through the real outbox and worker to a loopback push service.

Checks what a real push service would: aes128gcm body decrypts with the device keys, the VAPID
JWT verifies with the server key and names the receiver's origin, TTL is set, Urgency and Topic
are present; 404/410 remove the subscription; 429 and 5xx are retried with backoff.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from backend.db.base import utcnow
from backend.db.models import JobStatus, Notification, OutboxJob, PushPreference, PushSubscription
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.domain.push.jobs import PUSH_SEND
from backend.domain.push.keys import load_vapid
from backend.lib.clock import to_local
from backend.tasks.outbox import enqueue
from tests.support.push_receiver import verify_vapid

CLERK = "vanthu.xanghiphong"


async def _notify(db_sessionmaker, user_ids, **payload) -> None:
    async with db_sessionmaker() as db:
        await enqueue(db, NOTIFY, Notify(**{"user_ids": user_ids, "title": "Văn bản đến", **payload}))
        await db.commit()


async def _push_jobs(db_sessionmaker) -> list[OutboxJob]:
    async with db_sessionmaker() as db:
        return list((await db.scalars(sa.select(OutboxJob).where(OutboxJob.kind == PUSH_SEND.name)
                                      .order_by(OutboxJob.id))).all())


async def test_urgent_notification_is_pushed_encrypted_with_vapid_ttl_urgency_topic(
        subscribe, receiver, user_id, drain, db_sessionmaker, settings) -> None:
    device = await subscribe(CLERK, receiver.endpoint("clerk"))
    uid = await user_id(CLERK)
    await _notify(db_sessionmaker, [uid], title="Hỏa tốc: Công điện về phòng chống bão số 5",
                  body="Sở Nông nghiệp gửi — hạn xử lý hôm nay", url="/incoming/42", urgency="hoa_toc", urgent=True)
    # notification.create, then push.send (and live.publish when Redis carries live updates)
    assert await drain() == (3 if settings.redis_url else 2)

    [request] = receiver.requests
    assert request.headers["content-encoding"] == "aes128gcm"
    assert request.headers["ttl"] == str(settings.push_ttl_seconds) != "0"
    assert request.headers["urgency"] == "high"
    assert request.headers["topic"] == "incoming-42"
    claims = verify_vapid(request.headers["authorization"], receiver.origin, load_vapid(settings).public_key)
    assert claims["sub"] == settings.vapid_subject
    message = device.decrypt(request.body)
    assert message == {"title": "Hỏa tốc: Công điện về phòng chống bão số 5",
                       "body": "Sở Nông nghiệp gửi — hạn xử lý hôm nay", "url": "/incoming/42",
                       "tag": "incoming-42", "urgent": True}
    async with db_sessionmaker() as db:
        row = (await db.scalars(sa.select(PushSubscription))).one()
    assert row.last_success_at is not None and row.last_status == 201 and row.label == "Chrome · Android"


async def test_each_push_service_gets_its_own_audience(subscribe, receiver, user_id, drain, db_sessionmaker,
                                                       settings) -> None:
    from tests.support.push_receiver import PushReceiver

    with PushReceiver() as other:
        await subscribe(CLERK, receiver.endpoint("a"))
        await subscribe(CLERK, other.endpoint("b"))
        await _notify(db_sessionmaker, [await user_id(CLERK)], url="/incoming/7", urgency="khan")
        await drain()
        key = load_vapid(settings).public_key
        verify_vapid(receiver.requests[0].headers["authorization"], receiver.origin, key)
        verify_vapid(other.requests[0].headers["authorization"], other.origin, key)
        assert receiver.requests[0].headers["urgency"] == other.requests[0].headers["urgency"] == "normal"


async def test_gone_subscription_is_removed(subscribe, receiver, user_id, drain, db_sessionmaker) -> None:
    await subscribe(CLERK, receiver.endpoint("old-phone"))
    receiver.respond("old-phone", 410)
    await _notify(db_sessionmaker, [await user_id(CLERK)], urgent=True)
    await drain()
    assert len(receiver.to("old-phone")) == 1
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 0
    [job] = await _push_jobs(db_sessionmaker)
    assert job.status == JobStatus.DONE


async def test_rate_limited_push_is_retried_with_backoff(subscribe, receiver, user_id, drain, db_sessionmaker) -> None:
    device = await subscribe(CLERK, receiver.endpoint("busy"))
    receiver.respond("busy", 429)
    await _notify(db_sessionmaker, [await user_id(CLERK)], urgent=True, title="Thượng khẩn")
    await drain()
    [job] = await _push_jobs(db_sessionmaker)
    assert job.status == JobStatus.PENDING and job.attempts == 1
    assert "429" in job.last_error and job.run_after > utcnow()
    async with db_sessionmaker() as db:  # make the retry due now instead of waiting for the backoff
        (await db.get(OutboxJob, job.id)).run_after = utcnow()
        await db.commit()
    await drain()
    assert [r.path for r in receiver.requests] == ["/push/busy", "/push/busy"]
    assert device.decrypt(receiver.requests[1].body)["title"] == "Thượng khẩn"
    [job] = await _push_jobs(db_sessionmaker)
    assert job.status == JobStatus.DONE and job.attempts == 2


async def test_partial_failure_retries_only_the_failing_device(subscribe, receiver, user_id, drain,
                                                               db_sessionmaker) -> None:
    await subscribe(CLERK, receiver.endpoint("phone"))
    await subscribe(CLERK, receiver.endpoint("tablet"))
    receiver.respond("tablet", 503)
    await _notify(db_sessionmaker, [await user_id(CLERK)], urgent=True)
    await drain()
    first, follow_up = await _push_jobs(db_sessionmaker)
    assert first.status == JobStatus.DONE and follow_up.status == JobStatus.PENDING
    async with db_sessionmaker() as db:
        (await db.get(OutboxJob, follow_up.id)).run_after = utcnow()
        await db.commit()
    await drain()
    assert len(receiver.to("phone")) == 1 and len(receiver.to("tablet")) == 2


async def _quiet_now(db_sessionmaker, uid: int) -> str:
    """Quiet hours for ``uid`` from one hour ago to one hour ahead (Vietnam time); returns the end."""
    now = to_local(utcnow())
    start, end = (now - timedelta(hours=1)).strftime("%H:%M"), (now + timedelta(hours=1)).strftime("%H:%M")
    async with db_sessionmaker() as db:
        db.add(PushPreference(user_id=uid, quiet_enabled=True, quiet_start=start, quiet_end=end))
        await db.commit()
    return end


async def test_quiet_hours_defer_a_normal_push_but_not_an_urgent_one(subscribe, receiver, user_id, drain,
                                                                     db_sessionmaker) -> None:
    await subscribe(CLERK, receiver.endpoint("night"))
    uid = await user_id(CLERK)
    end = await _quiet_now(db_sessionmaker, uid)
    await _notify(db_sessionmaker, [uid], title="Phân công mới", url="/incoming/3")
    await _notify(db_sessionmaker, [uid], title="Hỏa tốc", url="/incoming/4", urgency="hoa_toc")
    await drain()
    assert [r.headers["topic"] for r in receiver.requests] == ["incoming-4"]
    deferred = [job for job in await _push_jobs(db_sessionmaker) if job.status == JobStatus.PENDING]
    assert len(deferred) == 1
    assert to_local(deferred[0].run_after).strftime("%H:%M") == end


async def test_deferred_push_is_dropped_when_read_in_the_app_meanwhile(subscribe, receiver, user_id, drain,
                                                                       db_sessionmaker) -> None:
    await subscribe(CLERK, receiver.endpoint("night"))
    uid = await user_id(CLERK)
    await _quiet_now(db_sessionmaker, uid)
    await _notify(db_sessionmaker, [uid], title="Nhắc hạn xử lý")
    await drain()
    async with db_sessionmaker() as db:
        await db.execute(sa.update(Notification).values(read_at=utcnow()))
        await db.execute(sa.update(OutboxJob).where(OutboxJob.kind == PUSH_SEND.name).values(run_after=utcnow()))
        await db.commit()
    await drain()
    assert receiver.requests == []


async def test_users_without_devices_get_no_push_job(user_id, drain, db_sessionmaker) -> None:
    await _notify(db_sessionmaker, [await user_id(CLERK)], urgent=True)
    await drain()
    assert await _push_jobs(db_sessionmaker) == []
