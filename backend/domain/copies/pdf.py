"""The PDF of an electronic copy: the source's content plus the copying agency's signature (§11.4).

* sao y / sao lục -- the source file itself, extended by an incremental update: the source's own
  signatures stay intact and verifiable inside the copy;
* trích sao -- a new file with the chosen pages only (:func:`extract_pages`); the source's
  signature widgets are left out, because their signatures cover pages that are no longer there.

Then :func:`sign_copy` adds the organisation signature through the signing server with the
agency's seal credential: top right of page 1, no image, the copy form, the copying agency's name
and the signing time in 10 pt black Times-like text (:func:`~backend.domain.signing.stamping.copy_stamp`).
"""

from __future__ import annotations

import datetime as dt
import io

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields
from pyhanko.stamp import TextStampStyle
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, NameObject

from backend.domain.signing.client import SigningClient
from backend.domain.signing.stamping import copy_stamp

__all__ = ["PARSE_ERRORS", "extract_pages", "page_count", "prepare_copy", "sign_copy"]

PARSE_ERRORS = (PdfError, PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError,
                AssertionError, OSError, ZeroDivisionError)
"""What pyHanko and pypdf let escape on a malformed file besides their own error classes."""


def page_count(pdf: bytes) -> int:
    """Number of pages of ``pdf``."""
    return len(PdfReader(io.BytesIO(pdf), strict=False).pages)


def extract_pages(pdf: bytes, first: int, last: int) -> bytes:
    """A new PDF with pages ``first``..``last`` (1-based, inclusive), without form widgets."""
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    writer = PdfWriter()
    for index in range(first - 1, last):
        page = writer.add_page(reader.pages[index])
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = ArrayObject(a for a in annots.get_object() if a.get_object().get("/Subtype") != "/Widget")
        if kept:
            page[NameObject("/Annots")] = kept
        else:
            del page["/Annots"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def prepare_copy(pdf: bytes, copy_form: str, agency_name: str, signed_at: dt.datetime
                 ) -> tuple[fields.SigFieldSpec, TextStampStyle]:
    """The copy signature's field and appearance for ``pdf`` (CPU-bound: call it from a worker thread).

    Done before the signing server is called, so that no connection to it sits idle meanwhile.

    Raises:
        PdfError (and the other :data:`PARSE_ERRORS`): pyHanko cannot extend the file.
    """
    IncrementalPdfFileWriter(io.BytesIO(pdf))  # what the signer will do with it, before the OTP is spent
    return copy_stamp(pdf, copy_form, agency_name, signed_at)


async def sign_copy(client: SigningClient, pdf: bytes, prepared: tuple[fields.SigFieldSpec, TextStampStyle], *,
                    credential_id: str, otp: str, reason: str, location: str) -> bytes:
    """The organisation signature of an electronic copy on ``pdf`` with the :func:`prepare_copy` field (one OTP).

    Raises:
        SigningServiceError: wrong/reused OTP, locked credential, server unreachable (nothing signed).
    """
    spec, style = prepared
    return await client.sign_pdf(pdf, credential_id=credential_id, otp=otp, field_name=spec.sig_field_name,
                                 reason=reason, location=location, stamp_style=style, new_field_spec=spec)
