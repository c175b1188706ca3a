"""Certificate pages, report-compromised, admin scope and revocation, expiry reminders, server down.

Everything runs against the real signing server of ``conftest.py`` (SoftHSM, real HTTP).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from fpdf import FPDF
from litestar.testing import AsyncTestClient

from backend.asgi import create_app
from backend.config.settings import load_settings
from backend.db.models import AuditEvent, JobStatus, Notification, OutboxJob, User
from backend.domain.certificates.jobs import REMIND_EXPIRING, RemindExpiring, ensure_reminder_scheduled, next_run_at
from backend.domain.certificates.reminders import reminder_window
from backend.domain.certificates.services import SigningNotConfiguredError, signing_config
from backend.domain.notifications.kinds import NOTIFY
from backend.domain.signing import CredentialRevokedError, SigningClient
from backend.tasks.outbox import enqueue
from backend.worker_app import run_once
from tests.support.signing import free_port

VN = dt.timezone(dt.timedelta(hours=7))


def _days_left(cert: dict[str, Any]) -> int:
    return (dt.datetime.fromisoformat(cert["not_after"]).astimezone(VN).date() - dt.datetime.now(VN).date()).days


def _cert(cert_signing: Any, owner: str) -> dict[str, Any]:
    rows = json.loads(cert_signing.cli("list", "--json", "--owner", owner).stdout)
    return rows[-1]


async def _switch(client: Any, login: Any, username: str) -> None:
    client.cookies.clear()
    await login(client, username)


async def _user_id(db_sessionmaker: Any, username: str) -> int:
    async with db_sessionmaker() as db:
        return (await db.scalars(sa.select(User.id).where(User.username == username))).one()


async def _jobs(db_sessionmaker: Any, kind: str) -> list[OutboxJob]:
    async with db_sessionmaker() as db:
        return list((await db.scalars(sa.select(OutboxJob).where(OutboxJob.kind == kind).order_by(OutboxJob.id))).all())


async def _audit(db_sessionmaker: Any, action: str) -> list[AuditEvent]:
    async with db_sessionmaker() as db:
        return list((await db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action))).all())


async def test_my_certificates_show_expiry_status_and_the_24_hour_rule(client, login, cert_signing) -> None:
    await login(client, "lanhdao.xanghiphong")
    account = (await client.get("/account")).text
    assert 'href="/account/certificates"' in account
    page = await client.get("/account/certificates")
    assert page.status_code == 200
    mine = _cert(cert_signing, "lanhdao.xanghiphong")
    html = page.text
    assert f'id="cert-{mine["credential_id"]}"' in html and mine["cert_serial"].upper() in html
    assert "Chứng thư số cá nhân" in html and "Đang hiệu lực" in html and "Võ Minh Nam" in html
    not_after = dt.datetime.fromisoformat(mine["not_after"]).astimezone(VN)
    assert not_after.strftime("%H:%M %d/%m/%Y") in html  # valid to, Vietnam time
    assert f"còn {_days_left(mine)} ngày" in html and "24 giờ" in html and "Báo mất/lộ khóa" in html
    assert "con dấu" not in html.split('id="compromise-rule"')[1]  # a leader sees no seal

    await _switch(client, login, "vanthu.xanghiphong")
    html = (await client.get("/account/certificates")).text
    seal = _cert(cert_signing, "000.01.21.H41")
    assert "Chứng thư số của cơ quan (con dấu)" in html and seal["cert_serial"].upper() in html
    assert "000.02.21.H41" not in html and _cert(cert_signing, "000.02.21.H41")["cert_serial"].upper() not in html

    await _switch(client, login, "chuyenvien.xanghiphong")
    html = (await client.get("/account/certificates")).text
    soon = _cert(cert_signing, "chuyenvien.xanghiphong")
    assert "Sắp hết hạn" in html and f"còn {_days_left(soon)} ngày" in html and 8 <= _days_left(soon) <= 11


async def test_report_compromised_revokes_at_once_audits_and_notifies_admins(
        client, login, csrf_token, cert_signing, db_sessionmaker, settings) -> None:
    owner = "capho.xanghiphong"
    cred = _cert(cert_signing, owner)
    await login(client, owner)
    token = await csrf_token(client, "/account/certificates")
    url = f"/account/certificates/{cred['credential_id']}/report"
    refused = await client.post(url, data={"_csrf_token": token, "reason": "Mất điện thoại"})
    assert refused.status_code == 422 and "đánh dấu ô xác nhận" in refused.text
    assert _cert(cert_signing, owner)["status"] == "active"
    other = _cert(cert_signing, "lanhdao.xanghiphong")["credential_id"]  # not the actor's: looks missing
    assert (await client.post(f"/account/certificates/{other}/report",
                              data={"_csrf_token": token, "reason": "x", "confirm": "yes"})).status_code == 404

    done = await client.post(url, data={"_csrf_token": token, "reason": "Mất điện thoại sáng nay", "confirm": "yes"})
    assert done.status_code == 303 and done.headers["location"] == "/account/certificates"
    assert _cert(cert_signing, owner)["status"] == "revoked"
    page = (await client.get("/account/certificates")).text
    assert "Đã báo mất/lộ khóa" in page and "Đã thu hồi" in page and "Chứng thư số đã thu hồi" in page

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Quyet dinh")
    otp = pyotp.TOTP(cert_signing.enrolments[owner]["secret"]).now()
    async with SigningClient(signing_config(settings)) as signer:
        with pytest.raises(CredentialRevokedError) as info:
            await signer.sign_pdf(bytes(pdf.output()), credential_id=cred["credential_id"], otp=otp)
    assert info.value.user_message.startswith("Chứng thư số của bạn đã bị thu hồi")

    [row] = await _audit(db_sessionmaker, "certificate.reported_compromised")
    assert row.object_id == cred["cert_serial"] and row.actor_name == owner
    assert json.loads(row.detail)["reason"] == "Mất điện thoại sáng nay"
    admin_id = await _user_id(db_sessionmaker, "quantri.xanghiphong")
    notes = [json.loads(j.payload) for j in await _jobs(db_sessionmaker, NOTIFY.name)]
    assert [n["user_ids"] for n in notes] == [[admin_id]] and notes[0]["urgent"]
    assert "Ngô Thanh Oanh" in notes[0]["title"] and cred["cert_serial"].upper() in notes[0]["body"]


async def test_admin_sees_only_certificates_in_scope_and_can_revoke(
        client, login, csrf_token, cert_signing, db_sessionmaker) -> None:
    ids = {owner: _cert(cert_signing, owner)["credential_id"] for owner in (
        "lanhdao.xanghiphong", "lanhdao.xanghithai", "000.01.21.H41", "000.02.21.H41", "chuyenvien.xanghiphong",
        "truongphong.xanghiphong", "edxml:000.01.21.H41")}
    await login(client, "quantri.xanghiphong")
    assert 'href="/admin/certificates"' in (await client.get("/admin")).text
    html = (await client.get("/admin/certificates")).text
    assert all(f'id="cert-{ids[o]}"' in html for o in ("lanhdao.xanghiphong", "000.01.21.H41",
                                                        "edxml:000.01.21.H41"))
    assert "Ủy ban nhân dân xã Nghi Phong — khóa ký gói tin liên thông" in html, "the package seal, named"
    assert all(f'id="cert-{ids[o]}"' not in html for o in ("lanhdao.xanghithai", "000.02.21.H41"))
    expiring = (await client.get("/admin/certificates?filter=expiring")).text
    assert f'id="cert-{ids["chuyenvien.xanghiphong"]}"' in expiring and "Sắp hết hạn" in expiring
    assert f'id="cert-{ids["lanhdao.xanghiphong"]}"' not in expiring

    token = await csrf_token(client, "/account")
    outside = await client.post(f"/admin/certificates/{ids['lanhdao.xanghithai']}/revoke",
                                data={"_csrf_token": token, "reason": "thử"})
    assert outside.status_code == 404 and _cert(cert_signing, "lanhdao.xanghithai")["status"] == "active"
    revoked = await client.post(f"/admin/certificates/{ids['truongphong.xanghiphong']}/revoke",
                                data={"_csrf_token": token, "reason": "Chuyển công tác", "filter": "live"})
    assert revoked.status_code == 303 and _cert(cert_signing, "truongphong.xanghiphong")["status"] == "revoked"
    [row] = await _audit(db_sessionmaker, "certificate.revoked")
    assert row.actor_name == "quantri.xanghiphong" and json.loads(row.detail)["reason"] == "Chuyển công tác"
    history = (await client.get("/admin/certificates?filter=revoked")).text
    assert f'id="cert-{ids["truongphong.xanghiphong"]}"' in history and "Chuyển công tác" in history

    await _switch(client, login, "quantri.tinh")
    html = (await client.get("/admin/certificates")).text
    assert all(f'id="cert-{ids[o]}"' in html for o in ("lanhdao.xanghiphong", "lanhdao.xanghithai",
                                                        "000.01.21.H41", "000.02.21.H41"))
    await _switch(client, login, "lanhdao.xanghiphong")
    assert (await client.get("/admin/certificates")).status_code == 403


async def test_reminder_job_notifies_owner_and_admin_once_and_reschedules(
        settings, db_sessionmaker, cert_signing) -> None:
    async with db_sessionmaker() as db:
        await enqueue(db, REMIND_EXPIRING, RemindExpiring())
        await db.commit()
    assert await run_once(settings, db_sessionmaker) == 1
    owner_id = await _user_id(db_sessionmaker, "chuyenvien.xanghiphong")
    admin_id = await _user_id(db_sessionmaker, "quantri.xanghiphong")
    notes = [json.loads(j.payload) for j in await _jobs(db_sessionmaker, NOTIFY.name)]
    assert {n["url"]: n["user_ids"] for n in notes} == {
        "/account/certificates": [owner_id], "/admin/certificates?filter=expiring": [admin_id]}
    assert "Đặng Kim Lan" in notes[0]["title"] and "còn" in notes[0]["body"]
    [row] = await _audit(db_sessionmaker, "certificate.expiry_reminded")
    assert row.object_id == _cert(cert_signing, "chuyenvien.xanghiphong")["cert_serial"]
    assert json.loads(row.detail)["window_days"] == 30
    reminders = await _jobs(db_sessionmaker, REMIND_EXPIRING.name)
    assert [j.status for j in reminders] == [JobStatus.DONE, JobStatus.PENDING]
    assert reminders[1].run_after == next_run_at(reminders[0].finished_at)
    assert reminders[1].run_after.astimezone(VN).time() == dt.time(7, 0)

    await run_once(settings, db_sessionmaker)  # delivers the two notification jobs
    async with db_sessionmaker() as db:
        users = set((await db.scalars(sa.select(Notification.user_id))).all())
    assert users == {owner_id, admin_id}

    async with db_sessionmaker() as db:  # the same day again: nothing new, still one pending run
        await enqueue(db, REMIND_EXPIRING, RemindExpiring())
        await db.commit()
    await run_once(settings, db_sessionmaker)
    assert [j.status for j in await _jobs(db_sessionmaker, REMIND_EXPIRING.name)] == [
        JobStatus.DONE, JobStatus.PENDING, JobStatus.DONE]  # ran, and did not schedule a second next run
    assert len(await _jobs(db_sessionmaker, NOTIFY.name)) == 2
    await ensure_reminder_scheduled(db_sessionmaker)  # the worker's start-up hook keeps it at one
    assert [j.status for j in await _jobs(db_sessionmaker, REMIND_EXPIRING.name)].count(JobStatus.PENDING) == 1


def test_reminder_windows_and_next_run_time() -> None:
    assert [reminder_window(d, 30) for d in (31, 30, 10, 7, 2, 1, 0, -3)] == [None, 30, 30, 7, 7, 1, 0, 0]
    assert reminder_window(5, 5) == 5 and reminder_window(1, 5) == 1
    six_59 = dt.datetime(2026, 1, 1, 23, 59, tzinfo=dt.UTC)  # 06:59 on 2 Jan in Vietnam
    assert next_run_at(six_59) == dt.datetime(2026, 1, 2, 0, 0, tzinfo=dt.UTC)
    assert next_run_at(dt.datetime(2026, 1, 2, 0, 0, tzinfo=dt.UTC)) == dt.datetime(2026, 1, 3, 0, 0, tzinfo=dt.UTC)


async def test_signing_server_down_gives_a_vietnamese_message_not_a_500(
        settings_env, login, csrf_token, db_sessionmaker, cert_signing) -> None:
    down_env = {**settings_env, "SIGNING_URL": f"http://127.0.0.1:{free_port()}"}
    app = create_app(load_settings(down_env))
    try:
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
            client.follow_redirects = False
            await login(client, "quantri.xanghiphong")
            for path in ("/account/certificates", "/admin/certificates?filter=expiring"):
                page = await client.get(path)
                assert page.status_code == 503 and "Không kết nối được máy chủ ký số" in page.text
                assert 'id="signing-error"' in page.text
            token = await csrf_token(client, "/account")
            cred = _cert(cert_signing, "lanhdao.xanghiphong")["credential_id"]
            refused = await client.post(f"/admin/certificates/{cred}/revoke",
                                        data={"_csrf_token": token, "reason": "thử"})
            assert refused.status_code == 303
            assert "Không kết nối được máy chủ ký số" in (await client.get("/account")).text
    finally:
        await app.state.engine.dispose()
    assert _cert(cert_signing, "lanhdao.xanghiphong")["status"] == "active"

    async with db_sessionmaker() as db:  # the reminder job: retried, and on its last attempt it moves on
        await enqueue(db, REMIND_EXPIRING, RemindExpiring(), max_attempts=1)
        await db.commit()
    await run_once(load_settings(down_env), db_sessionmaker)
    assert [j.status for j in await _jobs(db_sessionmaker, REMIND_EXPIRING.name)] == [JobStatus.DONE, JobStatus.PENDING]


async def test_demo_mode_reads_client_file_and_unconfigured_is_explained(settings_env, cert_signing) -> None:
    plain = {k: v for k, v in settings_env.items() if k not in ("SIGNING_CLIENT_ID", "SIGNING_CLIENT_SECRET")}
    settings = load_settings(plain)
    with pytest.raises(SigningNotConfiguredError) as info:
        signing_config(settings)
    assert "chưa được cấu hình" in info.value.user_message
    target = settings.data_dir / "signing" / "client.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text((cert_signing.data_dir / "client.json").read_text())
    config = signing_config(settings)
    assert config.url == cert_signing.url and config.client_id == cert_signing.client["client_id"]
