"""Issue 11 item 12: page 1 of a document is readable on a 2G link before any page image arrives.

The document page carries the PDF's text layer as a reflowable reading view (extracted once, kept
as a derived blob) and its style sheet inline (allowed by its CSP hash); the page images are lazy
and sent without gzip (WebP is already compressed).
"""

from __future__ import annotations

import base64
import hashlib
import re

from backend.domain.documents.reading import reading_pages
from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, type_id

CLERK = "vanthu.xanghiphong"


async def test_document_page_carries_the_text_layer_and_its_style_inline(clients, db_sessionmaker,
                                                                        settings) -> None:
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(2)))
    page = await clerk.get(f"/incoming/{doc_id}")
    assert page.status_code == 200
    html = page.text
    reading = html[html.index('id="reading-view"'):html.index("</article>", html.index('id="reading-view"'))]
    assert "Trang 1/2: Đề nghị các cơ quan, đơn vị khẩn trương thực hiện." in reading
    assert "Trang 2/2" in reading and reading.count('class="reading-page"') == 2
    assert len(reading.encode()) < 4096  # a few KB, not an image

    # Page 1 is painted with the HTML: no linked style sheet to wait for, the inline one allowed by its hash.
    assert 'rel="stylesheet"' not in html
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page.headers["content-security-policy"]
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]

    # No page image is fetched before it approaches the viewport.
    images = re.findall(r'<img class="page-image"[^>]*>', html)
    assert len(images) == 2 and all('loading="lazy"' in image for image in images)

    image = await clerk.get(f"/incoming/{doc_id}/pages/1", headers={"Accept-Encoding": "gzip"})
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
    assert "content-encoding" not in image.headers  # WebP is already compressed

    # Extracted once: the text is kept next to the page images.
    derived = list((settings.blob_dir / "derived").rglob("reading-v1.txt"))
    assert len(derived) == 1 and "Trang 2/2" in derived[0].read_text(encoding="utf-8")


async def test_other_pages_keep_the_linked_style_sheet(clients) -> None:
    clerk = await clients(CLERK)
    html = (await clerk.get("/incoming")).text
    assert 'rel="stylesheet"' in html and "<style>" not in html


async def test_a_document_without_text_layer_shows_its_images_only(settings) -> None:
    from fpdf import FPDF

    from backend.db.models import StoredFile
    from backend.domain.documents.files import blob_store

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a "scan": drawing, no text
    blob = await blob_store(settings).put_bytes(bytes(pdf.output()))
    stored = StoredFile(sha256=blob.sha256, size=blob.size, content_type="application/pdf", filename="scan.pdf",
                        page_count=1)
    assert await reading_pages(settings, stored) == []
