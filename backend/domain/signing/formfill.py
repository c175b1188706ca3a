"""Number and date written into a signed PDF without breaking the signature (domain.md §6.1 IMPL).

Why form fields, and why reserved *before* the leader signs: pyHanko's diff policy (the one a
receiving agency runs) accepts, after a signature, only extra signatures and *filling existing
form fields* (``ModificationLevel.FORM_FILLING``: new ``/V`` and a new ``/AP`` stream). It rejects
new non-signature fields ("More form fields added than expected"), any change to a widget's
``/Rect``, page content edits and other annotations (FreeText counts as ``OTHER``); each of those
turns ``docmdp_ok`` and the ``bottom_line`` false. So:

1. before the personal signature, :func:`reserve_fields` adds two empty, read-only, printable text
   fields over the placeholders: :data:`NUMBER_FIELD` over "Số:      /UBND-VX" and
   :data:`DATE_FIELD` over "<place>, ngày     tháng     năm 20.." (positions from
   :mod:`~backend.domain.signing.appearance`, or explicit :class:`Area` values the clerk chose on
   the page image at the format check). They are part of what the leader signs;
2. after the signature, :func:`fill_number_and_date` sets each field's value and a new
   appearance stream as an incremental update: an opaque white box hiding the placeholder and
   the full "Số: 12/UBND-VX" / date line drawn in FreeSerif (unitsPerEm 1000, Vietnamese glyphs,
   Times-like as ND 30 asks; the date in italic). Viewers draw it, and poppler's ``pdftotext``
   reads it as part of the page's text.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader

from backend.domain.signing.appearance import (
    Area,
    PageText,
    locate_date_area,
    locate_number_area,
    read_text_layer,
)
from backend.domain.signing.nd30 import parse_date_line
from backend.domain.signing.pdf_errors import ReservedFieldsMissingError

__all__ = [
    "DATE_FIELD",
    "NUMBER_FIELD",
    "SERIF",
    "SERIF_ITALIC",
    "fill_number_and_date",
    "locate_reserved_areas",
    "reserve_fields",
    "reserve_number_and_date",
    "reserved_fields",
]

NUMBER_FIELD = "so_ky_hieu"
DATE_FIELD = "ngay_ban_hanh"
SERIF = Path("/usr/share/fonts/opentype/freefont/FreeSerif.otf")
SERIF_ITALIC = Path("/usr/share/fonts/opentype/freefont/FreeSerifItalic.otf")
_READ_ONLY = 1
_PRINT = 4
_DA_RE = re.compile(r"/(\S+)\s+([\d.]+)\s+Tf")

logging.getLogger("fontTools").setLevel(logging.ERROR)


def _num(value: float) -> generic.FloatObject:
    return generic.FloatObject(round(value, 3))


def _form_xobject(width: float, height: float, ops: bytes, resources: generic.DictionaryObject | None = None
                  ) -> generic.StreamObject:
    entries: dict[generic.NameObject, generic.PdfObject] = {
        pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
        pdf_name("/BBox"): generic.ArrayObject([_num(0), _num(0), _num(width), _num(height)])}
    if resources is not None:
        entries[pdf_name("/Resources")] = resources
    return generic.StreamObject(entries, stream_data=ops)


def _sub_dict(writer: IncrementalPdfFileWriter, parent: generic.DictionaryObject, key: str
              ) -> generic.DictionaryObject:
    """``parent[key]`` as a dictionary that will be written (created when missing)."""
    if key not in parent:
        parent[pdf_name(key)] = generic.DictionaryObject()
    raw = parent.raw_get(key)
    if isinstance(raw, generic.IndirectObject):
        writer.mark_update(raw)
    result: generic.DictionaryObject = raw.get_object()
    return result


def _acroform(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    """The document's AcroForm (created when missing), with Helvetica as ``/Helv`` in ``/DR``."""
    root = writer.root
    if "/AcroForm" not in root:
        root[pdf_name("/AcroForm")] = writer.add_object(
            generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()}))
        writer.update_root()
    raw = root.raw_get("/AcroForm")
    form: generic.DictionaryObject = raw.get_object()
    if isinstance(raw, generic.IndirectObject):
        writer.mark_update(raw)
    else:
        writer.update_root()
    dr = _sub_dict(writer, form, "/DR")
    fonts = _sub_dict(writer, dr, "/Font")
    if "/Helv" not in fonts:
        fonts[pdf_name("/Helv")] = writer.add_object(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
            pdf_name("/BaseFont"): pdf_name("/Helvetica"), pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding")}))
    return form


def _field_refs(form: generic.DictionaryObject) -> dict[str, generic.IndirectObject]:
    fields = form["/Fields"] if "/Fields" in form else generic.ArrayObject()
    out = {}
    for i in range(len(fields)):
        ref = fields.raw_get(i)
        name = ref.get_object().get("/T")
        if name is not None:
            out[str(name)] = ref
    return out


def reserve_fields(writer: IncrementalPdfFileWriter, areas: dict[str, Area]) -> list[str]:
    """Add empty read-only text fields ``name -> area`` to *writer*; existing names are skipped.

    :returns: the names actually added.
    """
    if not areas:
        return []
    form = _acroform(writer)
    existing = _field_refs(form)
    added = []
    for name, area in areas.items():
        if name in existing:
            continue
        page_ref = writer.find_page_for_modification(area.page)[0]
        x0, y0, x1, y1 = area.rect
        blank = writer.add_object(_form_xobject(x1 - x0, y1 - y0, b""))
        field = generic.DictionaryObject({
            pdf_name("/FT"): pdf_name("/Tx"), pdf_name("/T"): pdf_string(name),
            pdf_name("/Ff"): generic.NumberObject(_READ_ONLY),
            pdf_name("/DA"): pdf_string(f"/Helv {area.font_size:g} Tf 0 g"),
            pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/Rect"): generic.ArrayObject([_num(x0), _num(y0), _num(x1), _num(y1)]),
            pdf_name("/F"): generic.NumberObject(_PRINT), pdf_name("/P"): page_ref,
            pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): blank}),
        })
        ref = writer.add_object(field)
        form["/Fields"].append(ref)
        writer.register_annotation(page_ref, ref)
        added.append(name)
    return added


def locate_reserved_areas(pdf: bytes, number_area: Area | None = None, date_area: Area | None = None,
                          first_page: PageText | None = None) -> dict[str, Area]:
    """Number/date areas to reserve: the given ones, else those located in the first page's text layer."""
    if first_page is None and (number_area is None or date_area is None):
        first_page = read_text_layer(pdf, [0])[0]
    areas = {NUMBER_FIELD: number_area or locate_number_area(pdf, text=first_page),
             DATE_FIELD: date_area or locate_date_area(pdf, text=first_page)}
    return {name: area for name, area in areas.items() if area is not None}


def reserve_number_and_date(pdf: bytes, *, number_area: Area | None = None, date_area: Area | None = None
                            ) -> bytes:
    """Reserve the number and date fields of an unsigned draft (located unless given); new bytes.

    :func:`~backend.domain.signing.stamping.sign_personal` does this itself; call it directly
    only to show the clerk the reserved areas before the leader signs.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    if not reserve_fields(writer, locate_reserved_areas(pdf, number_area, date_area)):
        return pdf
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def reserved_fields(pdf: bytes) -> dict[str, Area]:
    """The number/date fields present in *pdf* (empty or filled), as areas."""
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages) if page.indirect_reference}
    out = {}
    for field_ref in reader.root_object.get("/AcroForm", {}).get("/Fields", []):
        field = field_ref.get_object()
        name = str(field.get("/T", ""))
        if name not in (NUMBER_FIELD, DATE_FIELD):
            continue
        match = _DA_RE.search(str(field.get("/DA", "")))
        page = field.get("/P")
        index = pages.get(page.idnum, 0) if hasattr(page, "idnum") else 0
        x0, y0, x1, y1 = (float(v) for v in field["/Rect"])
        out[name] = Area(index, (x0, y0, x1, y1), float(match.group(2)) if match else 13.0,
                         italic=name == DATE_FIELD)
    return out


def _appearance(writer: IncrementalPdfFileWriter, engine: GlyphAccumulator, text: str, width: float,
                height: float, size: float) -> generic.StreamObject:
    """White box over the placeholder and *text* centred in it (shrunk to fit when needed)."""
    shaped = engine.shape(text)
    if shaped.x_advance * size > width - 2:
        size = max(6.0, (width - 2) / shaped.x_advance)
    x = (width - shaped.x_advance * size) / 2
    baseline = (height - 0.66 * size) / 2
    ops = (b"/Tx BMC q 1 g 0 0 %g %g re f BT /F1 %g Tf 0 g %g %g Td %s ET Q EMC"
           % (width, height, size, x, baseline, shaped.graphics_ops))
    resources = generic.DictionaryObject({pdf_name("/Font"): generic.DictionaryObject(
        {pdf_name("/F1"): engine.as_resource()})})
    return _form_xobject(width, height, ops, resources)


def fill_number_and_date(pdf: bytes, *, number_symbol: str, date_line: str, number_prefix: str = "Số: ",
                         font: Path = SERIF, italic_font: Path = SERIF_ITALIC) -> bytes:
    """Write "Số: <number_symbol>" and *date_line* into the reserved fields (incremental update).

    :param number_symbol: e.g. ``"12/UBND-VX"`` (see :func:`~backend.domain.signing.nd30.number_symbol`).
    :param date_line: e.g. ``"Nghi Phong, ngày 05 tháng 01 năm 2027"`` (checked against ND 30's form).
    :raises ReservedFieldsMissingError: the PDF was signed without the reserved fields; adding
        fields now would invalidate the leader's signature, so nothing is written.
    """
    parse_date_line(date_line)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    form_raw = writer.root.get("/AcroForm")
    refs = _field_refs(form_raw.get_object()) if form_raw is not None else {}
    missing = [name for name in (NUMBER_FIELD, DATE_FIELD) if name not in refs]
    if missing:
        raise ReservedFieldsMissingError(f"no reserved field(s) {missing} in this PDF")
    factory = {False: GlyphAccumulatorFactory(str(font)), True: GlyphAccumulatorFactory(str(italic_font))}
    for name, text in ((NUMBER_FIELD, number_prefix + number_symbol), (DATE_FIELD, " ".join(date_line.split()))):
        ref = refs[name]
        field = ref.get_object()
        x0, y0, x1, y1 = (float(v) for v in field["/Rect"])
        match = _DA_RE.search(str(field.get("/DA", "")))
        size = float(match.group(2)) if match else 13.0
        engine = factory[name == DATE_FIELD].create_font_engine(writer)
        stream = writer.add_object(_appearance(writer, engine, text, x1 - x0, y1 - y0, size))
        field[pdf_name("/V")] = pdf_string(text[len(number_prefix):] if name == NUMBER_FIELD else text)
        field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): stream})
        writer.mark_update(ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
