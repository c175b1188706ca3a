"""Visible PAdES signatures of an outgoing document (domain.md §11.1-11.3) through the signing server.

The order of the outgoing workflow and the function for each step:

1. the leader signs: :func:`sign_personal` -- the blue signature image centred in box 7c (between
   the position title and the printed name, see :func:`~.appearance.locate_signature_box`), all
   PDFs of a batch with one OTP (one SAD for all hashes). Each PDF gets its signature field at
   the box and the reserved number/date fields (:func:`~.formfill.reserve_fields`) in the
   incremental update that the leader's signature then covers (one revision, no re-parse);
2. the clerk numbers: :func:`~.formfill.fill_number_and_date` (form filling, the leader's
   signature stays valid);
3. the clerk seals: :func:`sign_seal` -- the agency credential signs again, the red seal at its
   real size overlapping the left third of the leader's signature image (box 8);
4. each separate-file appendix: :func:`sign_appendix_seal` -- top right of page 1, no image,
   "number/symbol" and the ISO 8601 time with ``+07:00`` in 10 pt black FreeSerif. The field and
   its appearance come from :func:`appendix_stamp`, the one place that builds them (also used by
   the clerk's one-OTP seal batch in ``backend.domain.outgoing._pdf``);
5. an electronic copy (sao y, trích sao, sao lục): :func:`copy_stamp` -- the same image-less
   top-right signature with the copy form, the copying agency and the time (§11.4).

Stamp fonts are FreeSerif/FreeSans OpenType with unitsPerEm 1000 (pyHanko writes widths in font
units; see stack-notes §3). Every pyHanko call is async (``async_sign_pdf`` inside
:class:`~.client.SigningClient`); the CPU-bound preparation runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import Image, UnidentifiedImageError
from pyhanko.pdf_utils import images, layout, text
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.sign import fields
from pyhanko.sign.signers.csc_signer import CSCCredentialInfo
from pyhanko.stamp import BaseStampStyle, NoOpStampStyle, StaticStampStyle, TextStampStyle
from pypdf import PdfReader

from backend.domain.signing.appearance import Area, Placement, locate_signature_box, read_text_layer
from backend.domain.signing.client import SigningClient
from backend.domain.signing.formfill import SERIF, locate_reserved_areas, reserve_fields
from backend.domain.signing.nd30 import vn_timestamp
from backend.domain.signing.pdf_errors import SignatureBoxNotFoundError, SignatureImageError
from backend.domain.signing.stamp_image import EncodedImage, encoded_image, image_stamp_style

__all__ = [
    "APPENDIX_FIELD",
    "COPY_FIELD",
    "PERSONAL_FIELD",
    "SEAL_FIELD",
    "appendix_box",
    "appendix_stamp",
    "copy_stamp",
    "find_signature_widget",
    "seal_box",
    "sign_appendix_seal",
    "sign_personal",
    "sign_seal",
    "top_right_stamp",
]

PERSONAL_FIELD = "chu_ky_ca_nhan"
SEAL_FIELD = "chu_ky_co_quan"
APPENDIX_FIELD = "chu_ky_co_quan_phu_luc"
COPY_FIELD = "chu_ky_ban_sao"
_APPENDIX_FONT_SIZE = 10
"""ND 30 PL I §11.3: 10 pt for the agency signature's text on an appendix (leading 1.2 em, as in the box)."""
_MM = 72 / 25.4


def _png(data: bytes) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise SignatureImageError(f"not a readable image: {exc}") from exc
    return img.convert("RGBA")


def _image_style(img: Image.Image, size: tuple[float, float] | None = None) -> StaticStampStyle:
    """The image stretched (aspect kept) to the widget box; no border, no text, fully opaque.

    :param size: the widget's exact size when known (avoids float overflow notices in pyHanko's layout).
    """
    rule = layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
                                      margins=layout.Margins.uniform(0),
                                      inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT)
    box = BoxConstraints(width=size[0], height=size[1]) if size else None
    return StaticStampStyle(background=images.PdfImage(img, box=box), background_opacity=1.0, border_width=0,
                            background_layout=rule)


def _field_names(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    return set((reader.get_fields() or {}).keys())


def _free_name(pdfs: Sequence[bytes], base: str) -> str:
    taken = set().union(*(_field_names(p) for p in pdfs))
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def _prepare_personal(pdf: bytes, box: Placement, field_name: str, areas: dict[str, Area]
                      ) -> IncrementalPdfFileWriter:
    """The update the signature will cover: reserved number/date fields and the empty signature field."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    reserve_fields(writer, areas)
    fields.append_signature_field(writer, fields.SigFieldSpec(field_name, on_page=box.page,
                                                              box=box.box))  # type: ignore[arg-type]
    return writer


async def sign_personal(client: SigningClient, pdfs: Sequence[bytes], *, credential_id: str, otp: str,
                        signature_png: bytes | None, placements: Sequence[Placement | None],
                        signer_name: str | None = None, reason: str | None = None, location: str | None = None,
                        reserve_number_date: bool = True, number_areas: Sequence[Area | None] | None = None,
                        date_areas: Sequence[Area | None] | None = None,
                        credential_info: CSCCredentialInfo | None = None) -> list[bytes]:
    """The leader's PAdES signature on every PDF, one OTP for the whole batch.

    :param signature_png: the signer's transparent PNG (blue, handwritten); ``None`` signs with a
        blank visible field at the box (no image uploaded yet).
    :param placements: one per PDF: an explicit box (the user tapped, see
        :func:`~.appearance.placement_at`) or ``None`` to locate box 7c from the text layer.
        The image is fitted (aspect kept) and centred in the box; the widget is exactly the image.
    :param signer_name: printed name to look for when locating (recommended).
    :param reserve_number_date: also reserve the number/date fields (located unless
        *number_areas* / *date_areas* give them per PDF); a placeholder that is not found is
        simply not reserved (:func:`~.formfill.fill_number_and_date` will then refuse).
    :param credential_info: ``client.credential_info(credential_id)`` if the caller already has it;
        otherwise it is fetched while a worker thread prepares the PDFs.
    :returns: the signed PDFs in input order.
    :raises SignatureBoxNotFoundError: a box could not be located (``document_index`` says which);
        raised before the OTP is used, so the same code can be retried.
    :raises SigningServiceError: from the signing server (wrong/reused OTP, locked credential...).
    """
    if len(placements) != len(pdfs):
        raise ValueError("one placement (or None) per PDF is required")

    def prepare() -> tuple[list[IncrementalPdfFileWriter], str, EncodedImage | None]:
        image = encoded_image(signature_png, _png) if signature_png is not None else None
        aspect = image.width / image.height if image is not None else 2.5
        boxes, firsts = [], []
        for i, (pdf, placement) in enumerate(zip(pdfs, placements, strict=True)):
            need_areas = reserve_number_date and not (number_areas and number_areas[i] and date_areas
                                                      and date_areas[i])
            pages = read_text_layer(pdf, [0, -1]) if placement is None or need_areas else []
            firsts.append(pages[0] if pages else None)
            found = placement or locate_signature_box(pdf, signer_name=signer_name, text=pages[-1] if pages else None)
            if found is None:
                raise SignatureBoxNotFoundError("no position title / printed name pair", document_index=i)
            boxes.append(found.fit(aspect))
        name = _free_name(pdfs, PERSONAL_FIELD)
        prepared = []
        for i, (pdf, box) in enumerate(zip(pdfs, boxes, strict=True)):
            areas: dict[str, Area] = {}
            if reserve_number_date:
                given_n = number_areas[i] if number_areas else None
                given_d = date_areas[i] if date_areas else None
                areas = locate_reserved_areas(pdf, given_n, given_d, first_page=firsts[i])
            prepared.append(_prepare_personal(pdf, box, name, areas))
        return prepared, name, image

    # The certificates travel over the network while a worker thread prepares the PDFs.
    info = None if credential_info else asyncio.ensure_future(client.credential_info(credential_id))
    try:
        prepared, field_name, image = await asyncio.to_thread(prepare)
    except BaseException:
        if info is not None:
            info.cancel()
            await asyncio.gather(info, return_exceptions=True)
        raise
    if info is not None:
        credential_info = await info
    style: BaseStampStyle = image_stamp_style(image) if image is not None else NoOpStampStyle()
    return await client.sign_pdfs(prepared, credential_id=credential_id, otp=otp, field_name=field_name,
                                  reason=reason, location=location, stamp_style=style,
                                  credential_info=credential_info)


def find_signature_widget(pdf: bytes, field_name: str | None = None) -> Placement | None:
    """Page and rectangle of a signed signature field's widget (the first one, or *field_name*)."""
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    for index, page in enumerate(reader.pages):
        for annot_ref in page.get("/Annots", []) or []:
            annot = annot_ref.get_object()
            field = annot if "/FT" in annot else annot.get("/Parent", annot).get_object()
            if field.get("/FT") != "/Sig" or "/V" not in field:
                continue
            if field_name is not None and str(field.get("/T")) != field_name:
                continue
            x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
            return Placement(index, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    return None


def seal_box(signature: Placement, size_mm: tuple[float, float], page_box: tuple[float, float, float, float]
             ) -> Placement:
    """The seal's rectangle: its right edge one third into the signature, centred on it vertically."""
    width, height = size_mm[0] * _MM, size_mm[1] * _MM
    x1 = signature.x0 + signature.width / 3
    cy = (signature.y0 + signature.y1) / 2
    left, bottom, _, top = page_box
    x0 = max(left, x1 - width)
    y0 = min(max(bottom, cy - height / 2), top - height)
    return Placement(signature.page, x0, y0, x0 + width, y0 + height)


async def sign_seal(client: SigningClient, pdf: bytes, *, credential_id: str, otp: str, seal_png: bytes,
                    signature_box: Placement | None = None, seal_size_mm: tuple[float, float] = (36, 36),
                    reason: str | None = None, location: str | None = None) -> bytes:
    """The agency's seal signature (second PAdES signature) with the red seal at real size.

    :param signature_box: the leader's signature image; default: the first signed field's widget.
    :param seal_size_mm: the physical seal's size (ND 30: real size), converted at 72 pt per inch.
    :raises SignatureBoxNotFoundError: no signature to place the seal against.
    """
    image = _png(seal_png)

    def prepare() -> tuple[Placement, str]:
        sig = signature_box or find_signature_widget(pdf)
        if sig is None:
            raise SignatureBoxNotFoundError("the document carries no signed signature field")
        crop = PdfReader(io.BytesIO(pdf), strict=False).pages[sig.page].cropbox
        page_box = (float(crop.left), float(crop.bottom), float(crop.right), float(crop.top))
        return seal_box(sig, seal_size_mm, page_box), _free_name([pdf], SEAL_FIELD)

    box, name = await asyncio.to_thread(prepare)
    spec = fields.SigFieldSpec(name, on_page=box.page, box=box.box)  # type: ignore[arg-type]
    return await client.sign_pdf(pdf, credential_id=credential_id, otp=otp, field_name=name, reason=reason,
                                 location=location, stamp_style=_image_style(image, (box.width, box.height)),
                                 new_field_spec=spec)


@cache
def _metrics(font: Path) -> tuple[dict[int, str], dict[str, tuple[int, int]], int]:
    tt = TTFont(str(font), lazy=True)
    return tt.getBestCmap(), dict(tt["hmtx"].metrics), int(tt["head"].unitsPerEm)


def _text_width(line: str, font: Path, size: float) -> float:
    cmap, hmtx, upem = _metrics(font)
    return sum(hmtx.get(cmap.get(ord(c), ".notdef"), (upem // 2, 0))[0] for c in line) * size / upem


def appendix_box(pdf: bytes, lines: Sequence[str], *, font: Path = SERIF, font_size: float = 10,
                 margin_mm: tuple[float, float] = (15, 8)) -> Placement:
    """Top-right box of page 1 just large enough for *lines* (right margin, top margin in mm)."""
    crop = PdfReader(io.BytesIO(pdf), strict=False).pages[0].cropbox
    pad = 3.0
    width = max(_text_width(line, font, font_size) for line in lines) + 2 * pad
    height = len(lines) * font_size * 1.2 + 2 * pad
    x1, y1 = float(crop.right) - margin_mm[0] * _MM, float(crop.top) - margin_mm[1] * _MM
    return Placement(0, x1 - width, y1 - height, x1, y1)


def top_right_stamp(pdf: bytes, lines: Sequence[str], field_base: str, *, font: Path = SERIF
                    ) -> tuple[fields.SigFieldSpec, TextStampStyle]:
    """A new signature field at the top right of page 1 showing *lines*: no image, no border, 10 pt black.

    The one builder of the image-less organisation signature of ND 30 PL I: on a separate-file
    appendix (§11.3, :func:`appendix_stamp`) and on an electronic copy (§11.4, :func:`copy_stamp`).
    The field (a free name based on *field_base*) is just large enough for the lines in *font* (a
    Times-like face covering Vietnamese). CPU-bound (reads the PDF): call it from a worker thread.
    """
    box = appendix_box(pdf, lines, font=font, font_size=_APPENDIX_FONT_SIZE)
    rule = layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
                                      margins=layout.Margins.uniform(2))
    style = TextStampStyle(
        stamp_text="\n".join(lines).replace("%", "%%"), border_width=0, background=None,
        text_box_style=text.TextBoxStyle(font=GlyphAccumulatorFactory(str(font)), font_size=_APPENDIX_FONT_SIZE,
                                         text_color=(0.0, 0.0, 0.0), leading=round(_APPENDIX_FONT_SIZE * 1.2),
                                         box_layout_rule=rule))
    spec = fields.SigFieldSpec(_free_name([pdf], field_base), on_page=0, box=box.box)  # type: ignore[arg-type]
    return spec, style


def appendix_stamp(pdf: bytes, number_symbol: str, signed_at: dt.datetime | None = None, *, font: Path = SERIF
                   ) -> tuple[fields.SigFieldSpec, TextStampStyle]:
    """The agency signature's new field and appearance on a separate-file appendix (domain.md §11.3).

    Two lines (:func:`top_right_stamp`): *number_symbol* of the main document, then the signing
    time as ISO 8601 in Vietnam time (``2027-01-05T09:30:15+07:00``, default now).
    """
    return top_right_stamp(pdf, [number_symbol, vn_timestamp(signed_at)], APPENDIX_FIELD, font=font)


def copy_stamp(pdf: bytes, copy_form: str, agency_name: str, signed_at: dt.datetime | None = None, *,
               font: Path = SERIF) -> tuple[fields.SigFieldSpec, TextStampStyle]:
    """The copying agency's signature on an electronic copy (domain.md §11.4, box 14).

    Three lines (:func:`top_right_stamp`): the copy form (``SAO Y``, ``TRÍCH SAO``, ``SAO LỤC``),
    the name of the copying agency and the signing time as ISO 8601 in Vietnam time.
    """
    return top_right_stamp(pdf, [copy_form, agency_name, vn_timestamp(signed_at)], COPY_FIELD, font=font)


async def sign_appendix_seal(client: SigningClient, pdf: bytes, *, credential_id: str, otp: str,
                             number_symbol: str, signed_at: dt.datetime | None = None, font: Path = SERIF,
                             reason: str | None = None, location: str | None = None) -> bytes:
    """The agency's signature on one separate-file appendix (domain.md §11.3), see :func:`appendix_stamp`."""
    spec, style = await asyncio.to_thread(appendix_stamp, pdf, number_symbol, signed_at, font=font)
    return await client.sign_pdf(pdf, credential_id=credential_id, otp=otp, field_name=spec.sig_field_name,
                                 reason=reason, location=location, stamp_style=style, new_field_spec=spec)
