"""The PDF steps of an outgoing document on top of :mod:`backend.domain.signing`.

* :func:`find_layout` -- where box 7c and the number/date placeholders are (text layer), at the
  format check, so that tapping "Ký số" runs no text extraction;
* :func:`layout_from_tap` -- a box or area chosen by tapping the page image (fractions of the image);
* :func:`credential_for` -- the signing server credential of a person or an agency seal
  (re-exported from :mod:`backend.domain.signing.credentials`);
* :func:`seal_with_appendices` -- the agency seal on the main file (red seal over the left third
  of the leader's signature, :func:`~backend.domain.signing.stamping.sign_seal`) and on every
  separate-file appendix (top right, no image, number/symbol and ISO 8601 time in 10 pt black,
  built by :func:`~backend.domain.signing.stamping.appendix_stamp`), all with **one** OTP: one
  ``CSCSigner`` batch, one SAD for every hash. pyHanko's ``PdfSigner`` fixes one stamp style per
  signer, so the batch runs one ``PdfSigner`` per file over a shared ``CSCSigner`` (the same
  technique as ``SigningClient.sign_pdfs``). Every appendix is opened the way the signer will open
  it *before* the OTP is used: a file pyHanko cannot extend (a broken cross-reference table that
  lenient readers repair on display) refuses the whole batch with
  :class:`AppendixNotSignableError`, nothing signed and the code still unused.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from PIL import Image
from pyhanko.pdf_utils import images, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.csc_signer import CSCServiceSessionInfo, CSCSigner
from pyhanko.stamp import BaseStampStyle, StaticStampStyle
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from backend.domain.signing.appearance import Area, Placement, locate_layout, placement_at
from backend.domain.signing.client import OtpAuthorizationManager, SigningClient
from backend.domain.signing.credentials import NoCredentialError, credential_for
from backend.domain.signing.errors import SigningFailedError, SigningServiceError
from backend.domain.signing.pdf_errors import PdfSigningError, SignatureBoxNotFoundError
from backend.domain.signing.stamping import SEAL_FIELD, appendix_stamp, find_signature_widget, seal_box
from backend.lib.i18n import t

__all__ = ["AppendixNotSignableError", "DocLayout", "NoCredentialError", "credential_for", "find_layout",
           "layout_from_tap", "seal_with_appendices"]

# What pyHanko and pypdf let escape on a malformed file besides their own error classes.
_PARSE_ERRORS = (PdfError, PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError,
                 AssertionError, OSError, ZeroDivisionError)


class AppendixNotSignableError(PdfSigningError):
    """A separate-file appendix cannot take the agency signature (pyHanko cannot extend the file).

    ``document_index`` is the appendix's place in the batch (0 = the first appendix).
    """

    code = "PDF_APPENDIX_NOT_SIGNABLE"
    message_key = "exchange_attachments.seal.appendix_not_signable"

    @property
    def user_message(self) -> str:
        return t(self.message_key, ordinal=(self.document_index or 0) + 1)


@dataclass(frozen=True, slots=True)
class DocLayout:
    """Where the signature goes and where the number/date are written (``None``: not known).

    ``previous`` is the JSON of the layout before the last tap (empty: nothing to undo); one step of
    "Hoàn tác" restores it.
    """

    signature: Placement | None = None
    number: Area | None = None
    date: Area | None = None
    tapped: tuple[str, ...] = ()
    previous: str = ""

    def to_json(self) -> str:
        def area(a: Area | None) -> dict[str, Any] | None:
            return None if a is None else {"page": a.page, "rect": list(a.rect), "font_size": a.font_size,
                                           "italic": a.italic}
        sig = self.signature
        return json.dumps({"signature": None if sig is None else [sig.page, sig.x0, sig.y0, sig.x1, sig.y1],
                           "number": area(self.number), "date": area(self.date), "tapped": list(self.tapped),
                           **({"previous": self.previous} if self.previous else {})})

    @classmethod
    def from_json(cls, raw: str) -> DocLayout:
        if not raw:
            return cls()
        data = json.loads(raw)

        def area(d: dict[str, Any] | None) -> Area | None:
            if d is None:
                return None
            x0, y0, x1, y1 = (float(v) for v in d["rect"])
            return Area(int(d["page"]), (x0, y0, x1, y1), float(d["font_size"]), bool(d["italic"]))
        sig = data.get("signature")
        return cls(Placement(int(sig[0]), *map(float, sig[1:])) if sig else None, area(data.get("number")),
                   area(data.get("date")), tuple(data.get("tapped", ())), str(data.get("previous", "")))


def find_layout(pdf: bytes, signer_name: str, keep: DocLayout | None = None) -> DocLayout:
    """Locate box 7c and the placeholders; positions the user tapped earlier are kept."""
    found = locate_layout(pdf, signer_name=signer_name or None)
    keep = keep or DocLayout()
    return DocLayout(keep.signature if "signature" in keep.tapped else found.signature,
                     keep.number if "number" in keep.tapped else found.number,
                     keep.date if "date" in keep.tapped else found.date, keep.tapped)


def layout_from_tap(pdf: bytes, current: DocLayout, what: str, page: int, fx: float, fy: float) -> DocLayout:
    """``current`` with the signature box (or the number/date area) centred where the user tapped;
    ``current`` (without its own undo step) becomes the ``previous`` of the result."""
    undo = replace(current, previous="").to_json()
    if what == "signature":
        box = placement_at(pdf, page, fx, fy, fractions=True)
        return DocLayout(box, current.number, current.date, tuple(sorted({*current.tapped, "signature"})), undo)
    width = 150.0 if what == "number" else 260.0
    spot = placement_at(pdf, page, fx, fy, fractions=True, width=width, height=18.0)
    area = Area(spot.page, spot.box, 13.0, italic=what == "date")
    number, date = (area, current.date) if what == "number" else (current.number, area)
    return DocLayout(current.signature, number, date, tuple(sorted({*current.tapped, what})), undo)


def _image_style(png: bytes, size: tuple[float, float]) -> StaticStampStyle:
    rule = layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
                                      margins=layout.Margins.uniform(0),
                                      inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT)
    img = Image.open(io.BytesIO(png)).convert("RGBA")
    return StaticStampStyle(background=images.PdfImage(img, box=BoxConstraints(width=size[0], height=size[1])),
                            background_opacity=1.0, border_width=0, background_layout=rule)


@dataclass(frozen=True, slots=True)
class _Job:
    pdf: bytes
    field: str
    spec: fields.SigFieldSpec
    style: BaseStampStyle


def _seal_jobs(main: bytes, appendices: Sequence[bytes], seal_png: bytes, size_mm: int, number_symbol: str,
               signed_at: dt.datetime) -> list[_Job]:
    sig = find_signature_widget(main)
    if sig is None:
        raise SignatureBoxNotFoundError("the document carries no signed signature field")
    crop = PdfReader(io.BytesIO(main), strict=False).pages[sig.page].cropbox
    box = seal_box(sig, (size_mm, size_mm), (float(crop.left), float(crop.bottom), float(crop.right),
                                              float(crop.top)))
    jobs = [_Job(main, SEAL_FIELD, fields.SigFieldSpec(SEAL_FIELD, on_page=box.page, box=box.box),  # type: ignore[arg-type]
                 _image_style(seal_png, (box.width, box.height)))]
    for index, pdf in enumerate(appendices):
        try:
            IncrementalPdfFileWriter(io.BytesIO(pdf))  # what PdfSigner will do with it, after the OTP
            spec, style = appendix_stamp(pdf, number_symbol, signed_at)
        except _PARSE_ERRORS as exc:
            raise AppendixNotSignableError(f"appendix {index + 1}: {exc!r}", document_index=index) from exc
        jobs.append(_Job(pdf, spec.sig_field_name, spec, style))
    return jobs


async def seal_with_appendices(client: SigningClient, main: bytes, appendices: Sequence[bytes], *,
                               credential_id: str, otp: str, seal_png: bytes, seal_size_mm: int, number_symbol: str,
                               signed_at: dt.datetime, reason: str, location: str) -> tuple[bytes, list[bytes]]:
    """Seal the main file and every appendix with one OTP; returns (main, appendices) in order.

    Raises:
        SignatureBoxNotFoundError: the main file has no leader's signature to place the seal against.
        AppendixNotSignableError: an appendix cannot be extended by pyHanko (raised before the OTP is used).
        SigningServiceError: wrong/reused OTP, locked credential, server unreachable (nothing signed).
    """
    jobs = await asyncio.to_thread(_seal_jobs, main, appendices, seal_png, seal_size_mm, number_symbol, signed_at)
    cred_info = await client.credential_info(credential_id)
    session_info = CSCServiceSessionInfo(service_url=client.config.url.rstrip("/"), credential_id=credential_id,
                                         oauth_token=await client.access_token())
    timeout = aiohttp.ClientTimeout(total=client.config.timeout_seconds)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        manager = OtpAuthorizationManager(session_info, cred_info, http, otp, description=f"{len(jobs)} file(s)")
        signer = CSCSigner(http, auth_manager=manager, batch_size=len(jobs))

        async def one(job: _Job) -> bytes:
            meta = signers.PdfSignatureMetadata(field_name=job.field, md_algorithm="sha256", reason=reason,
                                                location=location, subfilter=fields.SigSeedSubFilter.PADES)
            pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=job.style, new_field_spec=job.spec)
            out: io.BytesIO = await pdf_signer.async_sign_pdf(IncrementalPdfFileWriter(io.BytesIO(job.pdf)))
            return out.getvalue()

        tasks = [asyncio.ensure_future(one(job)) for job in jobs]
        try:
            results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=client.config.timeout_seconds * 2)
        except (TimeoutError, SigningError, aiohttp.ClientError, *_PARSE_ERRORS) as exc:
            if manager.error is not None:
                raise manager.error from exc
            if isinstance(exc, SigningServiceError):
                raise
            raise SigningFailedError(f"seal batch failed: {exc!r}") from exc
        finally:  # one failed job leaves the others waiting for a batch that never fills
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    return results[0], list(results[1:])
