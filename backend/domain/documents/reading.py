"""The reading view: a document's PDF text layer as reflowable paragraphs, sent inside the page's HTML.

On a weak link (2G: 250 kbit/s, 300 ms RTT) a page image of 55–95 KB takes seconds, while the
text of a dense page is a few KB and arrives with the HTML. The text is extracted once per file by
poppler's ``pdftotext`` (Debian ``poppler-utils``, already required for page images and signature
placement) and kept as a derived blob next to the page images (``reading-v1.txt``), so later views
read a small file instead of starting a process.

Reflow: ``pdftotext`` (reading order, no ``-layout``) gives one text line per PDF line, a blank line
between blocks and a form feed between pages. Lines of a block are joined into one paragraph unless
a line ends well short of the block's longest line (the end of a paragraph, a heading or a line of
the ND 30 header), so the text wraps to a 360 px screen instead of keeping the A4 line breaks.
A scanned document without a text layer gives no paragraphs: the page then shows its images only.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from backend.config.settings import Settings
from backend.db.models import StoredFile
from backend.domain.documents.files import blob_store
from backend.lib.storage import BlobMissingError

__all__ = ["MAX_READING_PAGES", "ReadingPage", "extract_text", "reading_pages", "reflow"]

MAX_READING_PAGES = 40
_NAME = "reading-v1.txt"
_TIMEOUT = 30
_SHORT_LINE = 0.8
"""A line shorter than this share of its block's longest line ends a paragraph."""


@dataclass(frozen=True, slots=True)
class ReadingPage:
    """One page of the reading view: its number and its paragraphs (empty when the page has no text)."""

    number: int
    paragraphs: tuple[str, ...]


def _block_paragraphs(lines: list[str]) -> list[str]:
    longest = max(len(line) for line in lines)
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        current.append(line)
        if len(line) < _SHORT_LINE * longest:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def reflow(text: str) -> list[ReadingPage]:
    """Split ``pdftotext`` output into pages of paragraphs (see the module docstring)."""
    pages: list[ReadingPage] = []
    raw_pages = text.split("\f")
    if raw_pages and not raw_pages[-1].strip():
        raw_pages.pop()  # pdftotext ends every page, the last one included, with a form feed
    for number, raw in enumerate(raw_pages, start=1):
        paragraphs: list[str] = []
        block: list[str] = []
        for line in [*raw.splitlines(), ""]:
            stripped = " ".join(line.split())
            if stripped:
                block.append(stripped)
            elif block:
                paragraphs.extend(_block_paragraphs(block))
                block = []
        pages.append(ReadingPage(number, tuple(paragraphs)))
    return pages


async def extract_text(path: str, last_page: int) -> str:
    """The text layer of pages 1..``last_page`` of the PDF at ``path`` ("" when poppler cannot read it)."""
    process = await asyncio.create_subprocess_exec(
        "pdftotext", "-q", "-enc", "UTF-8", "-f", "1", "-l", str(last_page), path, "-",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        out, _err = await asyncio.wait_for(process.communicate(), timeout=_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        return ""
    return out.decode("utf-8", "replace") if process.returncode == 0 else ""


async def reading_pages(settings: Settings, file: StoredFile) -> list[ReadingPage]:
    """The reading view of ``file`` (its first :data:`MAX_READING_PAGES` pages); ``[]`` without a text layer.

    The extracted text is stored once as a derived blob; a missing original gives ``[]`` (the page
    still renders, with its images' own error handling).
    """
    store = blob_store(settings)
    kept = await store.read_derived(file.sha256, _NAME)
    if kept is not None:
        text = kept.decode("utf-8")
    else:
        try:
            original = await store.local_path(file.sha256)
        except BlobMissingError:
            return []
        text = await extract_text(str(original), min(file.page_count, MAX_READING_PAGES))
        await store.write_derived(file.sha256, _NAME, text.encode("utf-8"))
    pages = reflow(text)
    return pages if any(page.paragraphs for page in pages) else []
