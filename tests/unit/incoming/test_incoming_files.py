"""The content-addressed blob store and PDF inspection (sniffing, encryption, corruption, pages)."""

from __future__ import annotations

import hashlib
import io
import subprocess

import pytest
from fpdf import FPDF

from backend.domain.documents.pdf import PdfProblem, inspect_pdf, render_page_webp
from backend.lib.storage import BlobStore, BlobTooLargeError, InvalidBlobKeyError

FONT = "/usr/share/fonts/opentype/freefont/FreeSans.otf"


def _pdf(pages: int) -> bytes:
    pdf = FPDF()
    pdf.add_font("FreeSans", fname=FONT)
    pdf.set_font("FreeSans", size=12)
    for number in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"Trang {number + 1}: Ủy ban nhân dân xã Nghi Phong")
    return bytes(pdf.output())


async def test_blob_store_keys_content_by_sha256_and_keeps_one_copy(tmp_path) -> None:
    store = BlobStore(tmp_path)
    data = b"%PDF-1.4 noi dung"
    first, second = await store.put_bytes(data), await store.put_bytes(data)
    assert first.sha256 == second.sha256 == hashlib.sha256(data).hexdigest()
    assert first.path.read_bytes() == data and await store.exists(first.sha256)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [first.path]


async def test_blob_store_refuses_oversized_streams_and_keeps_nothing(tmp_path) -> None:
    store = BlobStore(tmp_path)

    async def chunks():
        for _ in range(3):
            yield b"x" * 1000

    with pytest.raises(BlobTooLargeError):
        await store.put_stream(chunks(), max_bytes=2500)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("key", ["../../etc/passwd", "A" * 64, "abc", "0" * 63 + "/", ""])
def test_blob_store_never_builds_paths_from_bad_keys(tmp_path, key) -> None:
    with pytest.raises(InvalidBlobKeyError):
        BlobStore(tmp_path).path_for(key)


def test_derived_names_are_restricted(tmp_path) -> None:
    store = BlobStore(tmp_path)
    assert store.derived_path("a" * 64, "p1-w800.webp").name == "p1-w800.webp"
    with pytest.raises(InvalidBlobKeyError):
        store.derived_path("a" * 64, "../x")


async def test_pdf_inspection_counts_pages_and_refuses_bad_files(tmp_path) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(b"garbage-before-header\n" + _pdf(3))  # header within the first 1024 bytes is fine
    assert (await inspect_pdf(good)).page_count == 3
    cases = {
        "not_pdf": b"<html>not a pdf</html>",
        "corrupt": b"%PDF-1.5\n1 0 obj << /Type /Catalog >> trailer garbage",
        "empty": b"",
    }
    for reason, content in cases.items():
        path = tmp_path / f"{reason}.pdf"
        path.write_bytes(content)
        with pytest.raises(PdfProblem) as problem:
            await inspect_pdf(path)
        assert problem.value.reason == reason


async def test_pdf_encrypted_with_qpdf_is_refused(tmp_path) -> None:
    plain, locked = tmp_path / "plain.pdf", tmp_path / "locked.pdf"
    plain.write_bytes(_pdf(1))
    subprocess.run(["qpdf", "--encrypt", "user", "owner", "256", "--", str(plain), str(locked)], check=True)
    with pytest.raises(PdfProblem) as problem:
        await inspect_pdf(locked)
    assert problem.value.reason == "encrypted"


async def test_page_rendering_gives_webp_of_the_requested_width(tmp_path) -> None:
    path = tmp_path / "two.pdf"
    path.write_bytes(_pdf(2))
    image = await render_page_webp(path, 2, 360, timeout=30)
    from PIL import Image

    with Image.open(io.BytesIO(image)) as picture:
        assert picture.format == "WEBP" and picture.width == 360 and picture.height > 360
    with pytest.raises(PdfProblem):
        await render_page_webp(path, 9, 360, timeout=30)


async def test_a_pdf_over_the_page_ceiling_is_refused_before_anything_renders_it(tmp_path) -> None:
    path = tmp_path / "three.pdf"
    path.write_bytes(_pdf(3))
    assert (await inspect_pdf(path, max_pages=3)).page_count == 3
    with pytest.raises(PdfProblem) as refused:
        await inspect_pdf(path, max_pages=2)
    assert refused.value.reason == "too_many_pages"


async def test_page_rendering_that_outlasts_its_time_limit_is_stopped(tmp_path) -> None:
    path = tmp_path / "one.pdf"
    path.write_bytes(_pdf(1))
    with pytest.raises(PdfProblem) as refused:
        await render_page_webp(path, 1, 2000, timeout=0.001)
    assert refused.value.reason == "render_timeout"
