"""PDF inspection (type sniffing, encryption, corruption, page count) and page images.

The type is decided from the content, never from the client's file name or ``Content-Type``: a
PDF starts with ``%PDF-`` within its first 1024 bytes (ISO 32000 tolerates leading junk).
pypdf then parses the cross-reference table and page tree; encrypted files are refused because
nobody downstream could read, render or archive them. Page images are rendered by poppler's
``pdftoppm`` (Debian ``poppler-utils``) and compressed to WebP with Pillow at phone width.

Active content (:mod:`backend.domain.documents.pdf_active`): a PDF with a Launch action or an
embedded executable is refused; one with JavaScript is accepted and :attr:`PdfInfo.warning` is set
(``javascript``), which the file's row keeps and the document page shows.

Files that will be signed (outgoing drafts and appendices) must also open in pyHanko's strict
reader, which every signature's incremental update uses: pypdf repairs a broken cross-reference
table silently, pyHanko does not, and such a file would otherwise only fail at the signing step.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import anyio
from PIL import Image
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from backend.domain.documents.pdf_active import find_active_content

__all__ = ["JAVASCRIPT", "PDF_MAGIC", "PdfInfo", "PdfProblem", "active_content_warning", "inspect_pdf",
           "looks_like_pdf", "render_page_webp"]

JAVASCRIPT = "javascript"
"""The warning code of a PDF that carries JavaScript (``stored_file.content_warning``)."""

PDF_MAGIC = b"%PDF-"
# Exceptions pypdf lets escape on malformed input besides its own hierarchy.
_PARSE_ERRORS = (PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError,
                 AssertionError, OSError, ZeroDivisionError)


class PdfProblem(Exception):
    """Why a file is not an acceptable PDF (or a page cannot be shown).

    ``not_pdf``, ``encrypted``, ``corrupt``, ``empty``, ``not_signable``, ``too_many_pages``,
    ``launch_action``, ``executable_attachment``, or ``render_timeout`` (a page too heavy to render
    within the time limit).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PdfInfo:
    """Facts read from a valid PDF."""

    page_count: int
    warning: str = ""
    """``""``, or :data:`JAVASCRIPT` when the file carries JavaScript."""


def _active_warning(reader: PdfReader) -> str:
    """``""`` or :data:`JAVASCRIPT`; :class:`PdfProblem` for a Launch action or an executable attachment."""
    try:
        found = find_active_content(reader)
    except _PARSE_ERRORS:
        raise PdfProblem("corrupt") from None
    if found.launch:
        raise PdfProblem("launch_action")
    if found.executables:
        raise PdfProblem("executable_attachment")
    return JAVASCRIPT if found.javascript else ""


def looks_like_pdf(head: bytes) -> bool:
    """True when the PDF header appears within the first 1024 bytes."""
    return PDF_MAGIC in head[:1024]


def _inspect(path: Path, signable: bool, max_pages: int) -> PdfInfo:
    with path.open("rb") as handle:
        head = handle.read(1024)
    if not head:
        raise PdfProblem("empty")
    if not looks_like_pdf(head):
        raise PdfProblem("not_pdf")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            raise PdfProblem("encrypted")
        pages = len(reader.pages)
    except PdfProblem:
        raise
    except _PARSE_ERRORS:
        raise PdfProblem("corrupt") from None
    if pages < 1:
        raise PdfProblem("corrupt")
    if pages > max_pages:
        raise PdfProblem("too_many_pages")
    warning = _active_warning(reader)
    if signable:
        try:
            with path.open("rb") as handle:
                PdfFileReader(handle, strict=True)
        except (PdfError, *_PARSE_ERRORS):
            raise PdfProblem("not_signable") from None
    return PdfInfo(page_count=pages, warning=warning)


async def inspect_pdf(path: Path, *, signable: bool = False, max_pages: int = 2000) -> PdfInfo:
    """Check that ``path`` is a readable, unencrypted PDF of at most ``max_pages`` pages (in a worker thread).

    With ``signable`` the file must also open for a signature's incremental update.

    Raises:
        PdfProblem: with the reason the file is refused.
    """
    return await anyio.to_thread.run_sync(_inspect, path, signable, max_pages)


def _warning_of(path: Path) -> str:
    try:
        return _active_warning(PdfReader(path, strict=False))
    except (PdfProblem, *_PARSE_ERRORS):
        return ""  # our own output (signed, numbered, sealed): never refused after the fact


async def active_content_warning(path: Path) -> str:
    """The warning code of a PDF the system produced from an accepted one (a signed version keeps its scripts)."""
    return await anyio.to_thread.run_sync(_warning_of, path)


def _to_webp(png: bytes, quality: int) -> bytes:
    with Image.open(io.BytesIO(png)) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, "WEBP", quality=quality, method=4)
        return out.getvalue()


async def render_page_webp(path: Path, page: int, width: int, *, timeout: float, quality: int = 60) -> bytes:
    """Page ``page`` (1-based) of the PDF at ``path`` as a WebP image ``width`` pixels wide.

    The renderer is killed after ``timeout`` seconds (a page holding a huge image, for instance).

    Raises:
        PdfProblem: ``corrupt`` when poppler cannot render the page, ``render_timeout`` when it
            took too long.
    """
    with tempfile.TemporaryDirectory(prefix="cv-page-") as tmp:
        prefix = Path(tmp) / "page"
        process = await asyncio.create_subprocess_exec(
            "pdftoppm", "-png", "-f", str(page), "-l", str(page), "-scale-to-x", str(width), "-scale-to-y", "-1",
            "-singlefile", str(path), str(prefix),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        try:
            _out, _err = await asyncio.wait_for(process.communicate(), timeout=timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise PdfProblem("render_timeout") from None
        png_path = prefix.with_suffix(".png")
        if process.returncode != 0 or not png_path.exists():
            raise PdfProblem("corrupt")
        png = png_path.read_bytes()
    return await anyio.to_thread.run_sync(_to_webp, png, quality)
