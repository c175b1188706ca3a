"""The blob store's disk full during an upload: a clear Vietnamese error, nothing half-written.

The store's directory is a 1 MB tmpfs (mounted for this test; the suite runs as root on CI) filled to
the last 8 KB, so the upload's bytes start to land and then the disk refuses them (ENOSPC): the answer
is 507 naming the cause, no document row, no blob and no temporary upload file left behind. After space
is freed, the same upload succeeds.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from backend.config.settings import Settings
from backend.db.models import IncomingDocument
from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, type_id

CLERK = "vanthu.xanghiphong"
FREE_BYTES = 8 * 1024
STORAGE_FULL = "Kho lưu trữ tệp của hệ thống đã đầy"


@pytest.fixture
def full_blob_disk(settings: Settings) -> Iterator[Path]:
    """A 1 MB tmpfs at the blob directory, filled to ``FREE_BYTES`` free; yields the filler file."""
    assert os.geteuid() == 0, "mounting a tmpfs needs root (as on CI); run the suite as root"
    root = settings.blob_dir
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(root)], check=True)
    try:
        filler = root / "filler"
        with filler.open("wb") as out:
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        os.truncate(filler, filler.stat().st_size - FREE_BYTES)
        yield filler
    finally:
        subprocess.run(["umount", "-l", str(root)], check=True)


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


async def test_upload_to_a_full_disk_is_refused_cleanly_and_works_once_space_is_freed(
        clients: Any, db_sessionmaker: Any, full_blob_disk: Path, settings: Settings) -> None:
    clerk = await clients(CLERK)
    pdf = make_pdf(30)
    assert len(pdf) > 2 * FREE_BYTES
    fields = intake_fields(await type_id(db_sessionmaker), code_number="907")

    response = await intake(clerk, fields, pdf)
    assert response.status_code == 507, response.text[:2000]
    assert STORAGE_FULL in response.text and "Traceback" not in response.text and "Errno" not in response.text
    assert _files(settings.blob_dir) == ["filler"]  # no blob, no partial upload file
    async with db_sessionmaker() as db:
        assert (await db.scalar(sa.select(sa.func.count()).select_from(IncomingDocument)
                                .where(IncomingDocument.code_number == "907"))) == 0

    full_blob_disk.unlink()
    doc_id = doc_id_from(await intake(clerk, fields, pdf))
    page = await clerk.get(f"/incoming/{doc_id}")
    assert page.status_code == 200 and "907" in page.text
