"""Blob hygiene (issue 16, item 4): no upload is kept without its row, the sweeper removes what escapes, and
``python -m backend check`` reports both halves of the invariant on a real database and store."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from backend.cli.seaweedfs import SeaweedS3
from backend.config.settings import Settings, load_settings
from backend.db.engine import create_engine, create_read_sessionmaker, create_sessionmaker
from backend.db.models import AuditEvent, AxisArrival, JobStatus, OutboxJob, SigningImage, SigningImageKind, StoredFile
from backend.domain.documents.blob_hygiene import BLOB_COLUMNS, sweep
from backend.domain.documents.files import blob_store
from backend.domain.documents.kinds import SWEEP_BLOBS, SweepBlobs
from backend.lib.storage import BlobStore
from backend.tasks.outbox import enqueue
from backend.worker_app import REGISTRY, run_once
from tests.support.outgoing import Api, create_draft, draft_pdf, ids


def _files(settings: Settings) -> set[str]:
    return {p.name for p in settings.blob_dir.rglob("*") if p.is_file() and len(p.name) == 64}


def _age(settings: Settings, key: str, hours: float) -> None:
    """Make a local blob look ``hours`` old (the sweeper reads the store's modified time)."""
    path = BlobStore(settings.blob_dir).path_for(key)
    stamp = (datetime.now(UTC) - timedelta(hours=hours)).timestamp()
    os.utime(path, (stamp, stamp))


async def test_a_refused_draft_keeps_none_of_its_uploads(client, settings) -> None:
    look_ups = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    await create_draft(drafter, look_ups)
    before = _files(settings)
    fields = {"document_type_id": str(look_ups["cong_van"]), "summary": "V/v hợp lệ", "urgency": "khan",
              "signer_id": str(look_ups["leader"]), "signing_authority": "TM.",
              "recipient_agencies": str(look_ups["nghithai"])}
    main = ("du-thao.pdf", draft_pdf(symbol="UBND-VP"), "application/pdf")
    # a valid main file, then a refused appendix (API)
    not_a_pdf = ("phu-luc.pdf", b"khong phai pdf", "application/pdf")
    refused = await drafter.post("/api/v1/outgoing", data=fields, files={"file": main, "appendix": not_a_pdf})
    assert refused.status_code == 422, refused.text
    # a valid file, then refused metadata (the HTML form)
    refused = await drafter.post("/outgoing/new", data={**fields, "summary": ""}, files={"file": main})
    assert refused.status_code == 422 and "Trích yếu" in refused.text
    assert _files(settings) == before


async def test_the_sweeper_deletes_old_orphans_only(client, settings) -> None:
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    doc_id = await create_draft(drafter, await ids(settings))
    store = blob_store(settings)
    old_orphan = (await store.put_bytes(b"%PDF-1.4 bo do " + secrets.token_bytes(16))).sha256
    young_orphan = (await store.put_bytes(b"%PDF-1.4 dang tai " + secrets.token_bytes(16))).sha256
    in_use = _files(settings) - {old_orphan, young_orphan}
    assert in_use, "the draft's file is stored"
    for key in [*in_use, old_orphan]:
        _age(settings, key, 25)
    engine = create_engine(settings.database_url, pool=False)
    try:
        sessions = create_sessionmaker(engine)
        async with sessions() as db:  # the daily job, as the worker schedules and runs it
            await enqueue(db, SWEEP_BLOBS, SweepBlobs(), run_after=datetime.now(UTC) - timedelta(seconds=1))
            await db.commit()
        assert SWEEP_BLOBS.name in REGISTRY
        assert await run_once(settings, sessions) >= 1
        async with sessions() as db:
            audit = await db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "documents.orphan_blobs_deleted"))
            assert audit is not None
            detail = json.loads(audit.detail)
            assert detail["deleted"] == 1 and detail["kept_young"] == 1
            next_run = await db.scalar(sa.select(OutboxJob).where(OutboxJob.kind == SWEEP_BLOBS.name,
                                                                  OutboxJob.status == JobStatus.PENDING))
            assert next_run is not None, "the next daily sweep is scheduled"
    finally:
        await engine.dispose()
    assert _files(settings) == in_use | {young_orphan}
    assert (await drafter.get(f"/api/v1/outgoing/{doc_id}")).status_code == 200


async def test_the_sweeper_keeps_content_stored_again_during_the_grace_period(settings) -> None:
    """An old orphan whose content is uploaded again (its row not yet committed) is not deleted."""
    store = blob_store(settings)
    data = b"%PDF-1.4 tai lai " + secrets.token_bytes(16)
    key = (await store.put_bytes(data)).sha256
    _age(settings, key, 48)
    await store.put_bytes(data)  # the same file uploaded again: its age starts over
    engine = create_engine(settings.database_url, pool=False)
    try:
        result = await sweep(create_read_sessionmaker(engine), store, now=datetime.now(UTC), grace=timedelta(hours=24))
    finally:
        await engine.dispose()
    assert result.deleted == 0 and await store.exists(key)


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backend", "check"], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120)


async def test_check_reports_rows_without_blobs_and_blobs_without_rows(client, settings_env: dict[str, str],
                                                                       db_sessionmaker: Any) -> None:
    settings = load_settings(settings_env)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    await create_draft(drafter, await ids(settings))
    Path(settings_env["DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    intact = _check(settings_env)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "Kho tệp: OK" in intact.stdout and "WARNING" not in intact.stdout

    store = blob_store(settings)
    orphan = await store.put_bytes(b"%PDF-1.4 mo coi " + secrets.token_bytes(2000))
    warned = _check(settings_env)
    assert warned.returncode == 0, warned.stdout + warned.stderr
    assert f"1 tệp ({orphan.size} B) không thuộc bản ghi nào" in warned.stdout

    lost_pdf = hashlib.sha256(b"never stored pdf").hexdigest()
    lost_png = hashlib.sha256(b"never stored png").hexdigest()
    lost_package = hashlib.sha256(b"never stored edxml").hexdigest()
    async with db_sessionmaker() as db:
        stored_file = await db.scalar(sa.select(StoredFile).order_by(StoredFile.id.desc()).limit(1))
        removed = stored_file.sha256
        await store.delete(removed)  # a blob lost from the disk
        user_id = (await db.scalar(sa.select(StoredFile.uploaded_by_id).where(StoredFile.id == stored_file.id)))
        image = SigningImage(kind=SigningImageKind.SIGNATURE, user_id=user_id, sha256=lost_png, width_px=10,
                             height_px=10)
        agency_id = await db.scalar(sa.text("SELECT id FROM agency ORDER BY id LIMIT 1"))
        arrival = AxisArrival(agency_id=agency_id, sender_code="000.00.00.G12", document_id="X", axis_doc_id="1",
                              package_sha256=lost_package, received_at=datetime.now(UTC))
        file_row = StoredFile(sha256=lost_pdf, size=1, content_type="application/pdf", filename="x.pdf")
        db.add_all([image, arrival, file_row])
        await db.commit()
        names = {f"{c.table.name}.{c.name}" for c in BLOB_COLUMNS}
        assert names >= {"stored_file.sha256", "signing_image.sha256", "axis_arrival.package_sha256"}
        expected = [f"stored_file {stored_file.id}: {removed}", f"stored_file {file_row.id}: {lost_pdf}",
                    f"signing_image {image.id}: {lost_png}", f"axis_arrival {arrival.id}: {lost_package}"]
    broken = _check(settings_env)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "4 bản ghi không còn tệp trong kho" in broken.stdout
    for line in expected:
        assert line in broken.stdout, broken.stdout
    assert "1 tệp" in broken.stdout and "không thuộc bản ghi nào" in broken.stdout


@pytest.fixture
def own_seaweed() -> Iterator[Any]:
    """A SeaweedFS of this test's own: the sweeper deletes whatever of its bucket no row here references (the
    session's shared bucket holds other tests' blobs), and each extra bucket would reserve volumes of the shared one."""
    root = Path(tempfile.mkdtemp(prefix="congvan-sweep-"))
    server = SeaweedS3(root, access_key=f"ak{secrets.token_hex(8)}", secret_key=secrets.token_hex(20), bucket="sweep")
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


async def test_the_sweeper_works_on_the_s3_store(settings_env: dict[str, str], own_seaweed: Any) -> None:
    settings = load_settings({**settings_env, "BLOB_BACKEND": "s3", "S3_ENDPOINT": own_seaweed.endpoint,
                              "S3_BUCKET": own_seaweed.bucket, "S3_ACCESS_KEY": own_seaweed.access_key,
                              "S3_SECRET_KEY": own_seaweed.secret_key})
    store = blob_store(settings)
    orphan = await store.put_bytes(b"%PDF-1.4 s3 mo coi " + secrets.token_bytes(16))
    engine = create_engine(settings.database_url, pool=False)
    try:
        sessions = create_read_sessionmaker(engine)
        now = datetime.now(UTC)
        kept = await sweep(sessions, store, now=now, grace=timedelta(hours=24))
        assert kept.young >= 1 and await store.exists(orphan.sha256)
        swept = await sweep(sessions, store, now=now + timedelta(hours=25), grace=timedelta(hours=24))
        assert swept.deleted >= 1 and not await store.exists(orphan.sha256)
    finally:
        await engine.dispose()
