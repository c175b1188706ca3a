"""Helpers of the copy tests (imported as ``tests.support.copies``): signature validation and reading the
copy's organisation signature back from the PDF."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from backend.domain.signing.stamping import COPY_FIELD

__all__ = ["copy_widget", "text_in", "validate_all"]


def copy_widget(pdf: bytes) -> tuple[int, tuple[float, ...], tuple[float, ...]]:
    """(page index, widget rectangle, page box) of the copy's signature field."""
    reader = PdfReader(io.BytesIO(pdf))
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots", []) or []:
            obj = annot.get_object()
            if obj.get("/FT") == "/Sig" and str(obj.get("/T", "")).startswith(COPY_FIELD):
                return index, tuple(float(v) for v in obj["/Rect"]), tuple(float(v) for v in page.mediabox)
    raise AssertionError("no copy signature field")


def text_in(pdf: bytes, tmp_path: Path, rect: tuple[float, ...], page_box: tuple[float, ...]) -> str:
    """The text poppler reads inside ``rect`` of page 1 (PDF points, origin bottom left)."""
    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf)
    x0, y0, x1, y1 = rect
    top = page_box[3] - y1
    crop = ["-x", str(int(x0) - 1), "-y", str(int(top) - 1), "-W", str(int(x1 - x0) + 2), "-H", str(int(y1 - y0) + 2)]
    out = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-r", "72", *crop, "-layout", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


async def validate_all(pdf: bytes, ca_pem: bytes) -> int:
    """Validate every signature of ``pdf`` against the dev CA (intact, valid, trusted); their number."""
    roots = [x509.Certificate.load(der) for _, _, der in pem.unarmor(ca_pem, multiple=True)]
    sigs = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    for sig in sigs:
        status = await async_validate_pdf_signature(sig, ValidationContext(trust_roots=roots))
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    return len(sigs)
