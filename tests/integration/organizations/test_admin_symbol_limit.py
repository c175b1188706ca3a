"""The administrator is told, on the form, when an abbreviation would give a document symbol longer
than QCVN 102's 30 characters (the recipients on the axis would refuse those documents): for a
unit, agency abbreviation + "-" + unit abbreviation (a Công văn); for an agency, its longest
symbol over its document types and units. Nothing is stored when refused.
"""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.models import Agency, Unit

DISTRICT_ADMIN = "quantri.nghiloc"
COMMUNE = "000.01.21.H41"


async def _agency(db_sessionmaker) -> Agency:
    async with db_sessionmaker() as db:
        agency = await db.scalar(sa.select(Agency).where(Agency.organ_id == COMMUNE))
    assert agency is not None
    return agency


def _form(agency: Agency, abbreviation: str) -> dict[str, str]:
    return {"organ_id": agency.organ_id, "name": agency.name, "abbreviation": abbreviation,
            "place_name": agency.place_name, "level": agency.level.value, "parent_id": str(agency.parent_id),
            "version": str(agency.version)}


async def test_long_abbreviations_are_refused_with_the_symbol_they_would_make(
    as_user, post_form, db_sessionmaker
) -> None:
    await as_user(DISTRICT_ADMIN)
    agency = await _agency(db_sessionmaker)
    first = await post_form(f"/admin/agencies/{agency.id}/edit", _form(agency, "ubndxanghiphong"))
    assert first.status_code == 303
    agency = await _agency(db_sessionmaker)
    assert agency.abbreviation == "UBNDXANGHIPHONG"

    fits = await post_form(f"/admin/agencies/{agency.id}/units/new", {"abbreviation": "vhxhthongtin", "name": "VH"})
    assert fits.status_code == 303  # UBNDXANGHIPHONG-VHXHTHONGTIN: 28
    too_long = await post_form(f"/admin/agencies/{agency.id}/units/new",
                               {"abbreviation": "vanhoaxahoithongtin", "name": "Văn hóa - Xã hội - Thông tin"})
    assert too_long.status_code == 422
    assert ("Với chữ viết tắt này, ký hiệu văn bản “UBNDXANGHIPHONG-VANHOAXAHOITHONGTIN” sẽ dài 35 ký tự, "
            "vượt giới hạn 30 ký tự của chuẩn liên thông (QCVN 102)") in too_long.text
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(Unit.id).where(Unit.abbreviation == "VANHOAXAHOITHONGTIN")) is None

    longer = await post_form(f"/admin/agencies/{agency.id}/edit", _form(agency, "UBNDXANGHIPHONGNGHIL"))
    assert longer.status_code == 422
    assert "ký hiệu văn bản “UBNDXANGHIPHONGNGHIL-VHXHTHONGTIN” sẽ dài 33 ký tự" in longer.text
    assert (await _agency(db_sessionmaker)).abbreviation == "UBNDXANGHIPHONG"
