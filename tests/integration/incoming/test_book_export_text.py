"""The incoming register's XLSX export survives pasted control characters and keeps formulas inert."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from backend.db.models import IncomingDocument
from backend.lib import clock
from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, type_id

CLERK = "vanthu.xanghiphong"


async def test_register_xlsx_exports_word_line_breaks_and_formula_text_as_plain_text(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    fields = intake_fields(await type_id(db_sessionmaker), code_number="71", summary="Về kế hoạch")
    doc_id = doc_id_from(await intake(clerk, fields, make_pdf(1)))
    async with db_sessionmaker() as db:  # text as it arrives pasted from Word or through the exchange
        await db.execute(sa.update(IncomingDocument).where(IncomingDocument.id == doc_id).values(
            summary="Về kế hoạch\x0bnăm 2027\x07", issuer_name='=HYPERLINK("http://evil.example","Sở Tài chính")'))
        await db.commit()
    today = clock.today().isoformat()
    response = await clerk.get(f"/incoming/book.xlsx?from={today}&to={today}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["F3"].value.endswith("Về kế hoạch\nnăm 2027")
    assert sheet["C3"].value == '=HYPERLINK("http://evil.example","Sở Tài chính")'
    assert sheet["C3"].data_type == "s" and sheet["C3"].quotePrefix
    assert sheet["B3"].value == 1
