"""Document files: accepting an upload into the blob store, recording it, and serving page images.

``accept_pdf_upload`` streams the upload into the content-addressed store while hashing it,
refuses anything that is not a readable unencrypted PDF within the size limit (removing the
rejected blob unless another record already uses it), and returns the facts the form needs.
A request that stores uploads and then fails (invalid metadata, a refused second file, a document
changed meanwhile) accepts them through :class:`RequestUploads`, which rolls back and deletes the
blobs no row references; whatever still escapes (a crash, a failed commit) is deleted by the daily
sweep (:mod:`backend.domain.documents.sweeper`).
The original bytes are never modified; page images are derived, cached blobs.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import StoredFile
from backend.domain.documents.blob_hygiene import is_referenced
from backend.domain.documents.errors import FileRejectedError
from backend.domain.documents.pdf import JAVASCRIPT, PdfProblem, inspect_pdf, render_page_webp
from backend.lib.storage import BlobStore, BlobStoreBase, BlobTooLargeError, InvalidBlobKeyError
from backend.lib.text import clean

__all__ = [
    "PDF_CONTENT_TYPE", "AcceptedFile", "RequestUploads", "accept_pdf_upload", "blob_store", "check_pending",
    "create_stored_file", "discard_unused", "page_image_bytes",
]

PDF_CONTENT_TYPE = "application/pdf"
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class AcceptedFile:
    """A valid PDF now in the blob store, not yet attached to any document."""

    sha256: str
    size: int
    filename: str
    page_count: int
    warning: str = ""
    """Active-content warning code (``javascript``) kept on the stored file and shown on the document."""

    def as_dict(self) -> dict[str, object]:
        return {"sha256": self.sha256, "size": self.size, "filename": self.filename, "page_count": self.page_count,
                "warning": self.warning}


def blob_store(settings: Settings) -> BlobStoreBase:
    """The deployment's blob store: ``<DATA_DIR>/blobs``, or the S3 bucket when ``BLOB_BACKEND=s3``."""
    if settings.blob_backend != "s3":
        return BlobStore(settings.blob_dir)
    return _s3_store(settings.s3_endpoint, settings.s3_bucket, settings.s3_access_key, settings.s3_secret_key,
                     settings.data_dir / "blob-cache")


@functools.lru_cache(maxsize=4)
def _s3_store(endpoint: str, bucket: str, access_key: str, secret_key: str, cache_dir: Path) -> BlobStoreBase:
    """One S3 store (and its connection pool) per configuration, for the life of the process."""
    from backend.lib.storage_s3 import S3BlobStore, S3Config

    return S3BlobStore(S3Config(endpoint, bucket, access_key, secret_key), cache_dir)


def _safe_filename(name: str | None) -> str:
    base = clean((name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*')[:200]
    if not base:
        return "van-ban.pdf"
    return base if base.lower().endswith(".pdf") else f"{base}.pdf"


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(_CHUNK):
        yield chunk


async def accept_pdf_upload(db: AsyncSession, settings: Settings, upload: UploadFile | None, *,
                            signable: bool = False) -> AcceptedFile:
    """Store and check an uploaded PDF (``signable``: it will be signed, see :func:`inspect_pdf`).

    Raises:
        FileRejectedError: missing, empty, too large, not a PDF, encrypted, corrupt or not signable (nothing kept).
    """
    if upload is None or not upload.filename:
        raise FileRejectedError("doc.file.missing")
    store = blob_store(settings)
    limit = settings.upload_max_mb * 1024 * 1024
    try:
        blob = await store.put_stream(_chunks(upload), max_bytes=limit)
    except BlobTooLargeError:
        raise FileRejectedError("doc.file.too_large", limit_mb=settings.upload_max_mb) from None
    try:
        info = await inspect_pdf(blob.path, signable=signable, max_pages=settings.upload_max_pages)
    except PdfProblem as problem:
        await discard_unused(db, settings, blob.sha256)
        raise FileRejectedError(f"doc.file.{problem.reason}", max_pages=settings.upload_max_pages) from None
    return AcceptedFile(sha256=blob.sha256, size=blob.size, filename=_safe_filename(upload.filename),
                        page_count=info.page_count, warning=info.warning)


async def check_pending(settings: Settings, pending: dict[str, object] | None) -> AcceptedFile | None:
    """A file kept from an earlier attempt of the same user (session data), if its blob still exists."""
    if not pending:
        return None
    try:
        sha = BlobStore.check_key(str(pending.get("sha256", "")))
    except InvalidBlobKeyError:
        return None
    if not await blob_store(settings).exists(sha):
        return None
    return AcceptedFile(sha256=sha, size=int(str(pending.get("size", 0))), filename=str(pending.get("filename", "")),
                        page_count=int(str(pending.get("page_count", 0))),
                        warning=JAVASCRIPT if pending.get("warning") == JAVASCRIPT else "")


async def discard_unused(db: AsyncSession, settings: Settings, *keys: str | None) -> None:
    """Delete the blobs no row refers to (uploads of a request that stored nothing; ``None`` is skipped)."""
    for sha256 in keys:
        if sha256 and not await is_referenced(db, sha256):
            await blob_store(settings).delete(sha256)


class RequestUploads:
    """The uploads one request accepts; if the ``async with`` block fails, none of them is kept.

    On an exception the transaction is rolled back, then each accepted blob that no row references
    (another document may hold the same content) is deleted, and the exception propagates::

        async with RequestUploads(db, settings) as uploads:
            main = await uploads.accept(form.file, signable=True)
            await service.create(actor, form, main)
    """

    def __init__(self, db: AsyncSession, settings: Settings) -> None:
        self.db, self.settings = db, settings
        self.keys: list[str] = []

    async def accept(self, upload: UploadFile | None, *, signable: bool = False) -> AcceptedFile:
        """:func:`accept_pdf_upload`, remembering the blob for the clean-up."""
        accepted = await accept_pdf_upload(self.db, self.settings, upload, signable=signable)
        self.keys.append(accepted.sha256)
        return accepted

    async def __aenter__(self) -> RequestUploads:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        if exc is not None and isinstance(exc, Exception) and self.keys:
            await self.db.rollback()
            await discard_unused(self.db, self.settings, *self.keys)


async def create_stored_file(db: AsyncSession, accepted: AcceptedFile, uploaded_by_id: int | None) -> StoredFile:
    """The database record of an accepted file."""
    row = StoredFile(sha256=accepted.sha256, size=accepted.size, content_type=PDF_CONTENT_TYPE,
                     filename=accepted.filename, page_count=accepted.page_count, uploaded_by_id=uploaded_by_id,
                     content_warning=accepted.warning)
    db.add(row)
    await db.flush()
    return row


async def page_image_bytes(settings: Settings, file: StoredFile, page: int) -> bytes:
    """The WebP of ``page`` at phone width (rendered on first request, then kept as a derived blob).

    Raises:
        FileRejectedError: the page cannot be rendered.
    """
    store = blob_store(settings)
    width = settings.page_image_width
    name = f"p{page}-w{width}.webp"
    data = await store.read_derived(file.sha256, name)
    if data is None:
        try:
            data = await render_page_webp(await store.local_path(file.sha256), page, width,
                                          timeout=settings.page_render_timeout_seconds)
        except PdfProblem as problem:
            raise FileRejectedError(f"doc.file.{problem.reason}", page=page) from None
        await store.write_derived(file.sha256, name, data)
    return data
