"""A unit imported from CSV whose Công văn symbol would exceed QCVN 102's 30 characters is rejected
with the reason, like the form does; the other rows are imported."""

from __future__ import annotations

import re

import sqlalchemy as sa

from backend.db.models import Agency, Unit

DISTRICT_ADMIN = "quantri.nghiloc"


async def test_a_unit_giving_a_symbol_over_30_characters_is_rejected(
    as_user, client, post_form, db_sessionmaker
) -> None:
    async with db_sessionmaker() as db, db.begin():
        await db.execute(sa.update(Agency).where(Agency.organ_id == "000.01.21.H41")
                         .values(abbreviation="UBNDXANGHIPHONG"))
    await as_user(DISTRICT_ADMIN)
    units = ("agency_organ_id,abbreviation,name\n"
             "000.01.21.H41,vhxhthongtin,Văn hóa - Xã hội\n"
             "000.01.21.H41,vanhoaxahoithongtin,Văn hóa - Xã hội - Thông tin\n")
    upload = await post_form("/admin/import", {"kind": "units"},
                             files={"file": ("units.csv", units.encode(), "text/csv")})
    assert upload.status_code == 303
    report = await client.get("/admin/import/report")
    rejected = dict(re.findall(r"<tr><td>(\d+)</td><td>[^<]*</td><td>(.*?)</td></tr>", report.text, re.DOTALL))
    assert list(rejected) == ["3"]
    assert "ký hiệu văn bản “UBNDXANGHIPHONG-VANHOAXAHOITHONGTIN” sẽ dài 35 ký tự" in rejected["3"]
    async with db_sessionmaker() as db:
        created = set((await db.scalars(sa.select(Unit.abbreviation).where(
            Unit.abbreviation.in_(["VHXHTHONGTIN", "VANHOAXAHOITHONGTIN"])))).all())
    assert created == {"VHXHTHONGTIN"}
