"""The incoming flow with blobs in a real S3 server (SeaweedFS): upload, page image, download.

Nothing is written under ``<DATA_DIR>/blobs``: the original and its page image are objects in the
bucket, and the web process reads them back through the store (a verified local cache for the PDF).
"""

from __future__ import annotations

import hashlib

import pytest
from minio import Minio

from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, type_id

CLERK = "vanthu.xanghiphong"


@pytest.fixture
def settings_env(s3_settings_env: dict[str, str]) -> dict[str, str]:
    return s3_settings_env


async def test_upload_page_image_and_download_go_through_the_s3_store(clients, db_sessionmaker, settings,
                                                                      seaweed_s3) -> None:
    assert settings.blob_backend == "s3"
    clerk = await clients(CLERK)
    pdf = make_pdf(2)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), pdf))
    page = await clerk.get(f"/incoming/{doc_id}/pages/2")
    assert page.status_code == 200 and page.headers["content-type"] == "image/webp"
    assert page.content[:4] == b"RIFF" and page.content[8:12] == b"WEBP"
    again = await clerk.get(f"/incoming/{doc_id}/pages/2")
    assert again.content == page.content
    download = await clerk.get(f"/incoming/{doc_id}/file")
    assert download.status_code == 200 and download.content == pdf

    sha = hashlib.sha256(pdf).hexdigest()
    raw = Minio(seaweed_s3.endpoint.removeprefix("http://"), access_key=seaweed_s3.access_key,
                secret_key=seaweed_s3.secret_key, secure=False)
    names = {item.object_name for item in raw.list_objects(seaweed_s3.bucket, prefix=f"derived/{sha[:2]}/{sha}/",
                                                           recursive=True)}
    assert names == {f"derived/{sha[:2]}/{sha}/p2-w{settings.page_image_width}.webp"}
    assert raw.stat_object(seaweed_s3.bucket, f"blobs/{sha[:2]}/{sha[2:4]}/{sha}").size == len(pdf)
    assert not (settings.blob_dir).exists() or not any(p.is_file() for p in settings.blob_dir.rglob("*"))
