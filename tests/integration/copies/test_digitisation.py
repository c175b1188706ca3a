"""The digitisation check on paper intake (domain.md §11.4): a scan under 200 dpi or not in colour is
flagged before it is registered (422, a Vietnamese message, nothing stored); a good scan passes; a
born-digital PDF (no image) is not judged."""

from __future__ import annotations

import io

import sqlalchemy as sa
from fpdf import FPDF
from PIL import Image

from backend.db.models import IncomingDocument
from backend.domain.documents.digitisation import parse_image_list
from tests.support.incoming import Clients, doc_id_from, intake, intake_fields, make_pdf, type_id

A4_INCHES = (210 / 25.4, 297 / 25.4)


def scan(dpi: int, mode: str = "RGB", version: bytes = b"1.7") -> bytes:
    """An A4 page that is one image of ``dpi`` drawn at full page size (what a scanner writes), PDF ``version``."""
    size = (round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi))
    image = Image.new(mode, size, "white" if mode == "RGB" else 255)
    out = io.BytesIO()
    image.save(out, "PNG")
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(io.BytesIO(out.getvalue()), x=0, y=0, w=210, h=297)
    data = bytes(pdf.output())
    assert data.startswith(b"%PDF-1.3")
    return b"%PDF-" + version + data[8:]  # same length: the cross-reference offsets stay right


async def test_poor_scan_is_flagged_before_registration(clients: Clients, db_sessionmaker) -> None:
    clerk = await clients("vanthu.xanghiphong")
    doc_type = await type_id(db_sessionmaker)
    paper = intake_fields(doc_type, source="paper")

    low = await intake(clerk, paper, scan(100))
    assert low.status_code == 422
    assert "chưa đạt yêu cầu số hóa" in low.text and "100 dpi" in low.text and "tối thiểu 200 dpi" in low.text
    grey = await intake(clerk, paper, scan(200, "L"))
    assert grey.status_code == 422 and "yêu cầu quét màu" in grey.text
    old = await intake(clerk, paper, scan(300, version=b"1.3"))
    assert old.status_code == 422 and "phiên bản 1.3" in old.text
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(IncomingDocument)) == 0

    good = doc_id_from(await intake(clerk, paper, scan(200)))
    born_digital = doc_id_from(await intake(clerk, intake_fields(doc_type, source="paper", code_number="126"),
                                            make_pdf(1)))
    electronic_low = doc_id_from(await intake(clerk, intake_fields(doc_type, code_number="127"), scan(100)))
    assert len({good, born_digital, electronic_low}) == 3


def test_image_listing_is_read_column_by_column() -> None:
    listing = """page   num  type   width height color comp bpc  enc interp  object ID x-ppi y-ppi size ratio
--------------------------------------------------------------------------------------------
   1     0 image    1654  2339  rgb     3   8  image  no         4  0   200   200 11.1M 100%
   1     1 smask    1654  2339  gray    1   8  image  no         5  0   200   200  1K  0.1%
   2     2 image     827  1170  icc     1   8  jpeg   no         9  0   100   100  50K 5%
"""
    images = parse_image_list(listing)
    assert [(i.page, i.dpi, i.colour) for i in images] == [(1, 200.0, True), (2, 100.0, False)]
