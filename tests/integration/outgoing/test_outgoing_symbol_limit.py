"""A symbol longer than QCVN 102's 30 characters is refused when the clerk numbers the document
(with the REAL signing server): a clear Vietnamese message, the document stays signed, no number
is used up; once the abbreviation is shortened the same document gets number 01.

The long abbreviations are written straight into the database, as data from before the
administration check (or from an import) would be.
"""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import Agency, OutgoingCounter, Unit
from tests.support.outgoing import Api, fresh_otp, ids, to_awaiting
from tests.support.signing import SigningEnv

AGENCY = "000.01.21.H41"
LEADER = "lanhdao.xanghiphong"


async def _abbreviations(settings: Settings, agency_abbr: str, unit_abbr: str) -> None:
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db, db.begin():
            agency = await db.scalar(sa.select(Agency).where(Agency.organ_id == AGENCY))
            assert agency is not None
            agency.abbreviation = agency_abbr
            await db.execute(sa.update(Unit).where(Unit.agency_id == agency.id, Unit.abbreviation.like("ĐCXD%"))
                             .values(abbreviation=unit_abbr))
    finally:
        await engine.dispose()


async def _counters(settings: Settings) -> list[int]:
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            return list((await db.scalars(sa.select(OutgoingCounter.last_number))).all())
    finally:
        await engine.dispose()


async def test_numbering_refuses_a_symbol_over_30_characters(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    head = await Api(client).login("truongphong.xanghiphong")
    clerk, leader = await Api(client).login("vanthu.xanghiphong"), await Api(client).login(LEADER)
    doc_id = await to_awaiting(drafter, head, clerk, ids_)
    signed = await leader.act(doc_id, "sign", otp=await fresh_otp(out_signing, LEADER))
    assert signed.status_code == 200 and signed.json()["state"] == "signed", signed.text
    counters_before = await _counters(settings)

    await _abbreviations(settings, "UBNDXANGHIPHONG", "ĐCXDMOITRUONGNN")  # UBNDXANGHIPHONG-ĐCXDMOITRUONGNN: 31
    refused = await clerk.act(doc_id, "number")
    assert refused.status_code == 422, refused.text
    assert "Ký hiệu văn bản “UBNDXANGHIPHONG-ĐCXDMOITRUONGNN” dài 31 ký tự, vượt giới hạn 30 ký tự" \
        in refused.text
    after = (await clerk.get(f"/api/v1/outgoing/{doc_id}")).json()
    assert after["state"] == "signed" and after["code_number"] in (None, "")
    assert await _counters(settings) == counters_before

    await _abbreviations(settings, "UBNDXANGHIPHONG", "ĐCXDMOITRUONGN")  # 30 characters: fits
    numbered = await clerk.act(doc_id, "number")
    assert numbered.status_code == 200, numbered.text
    assert numbered.json()["code_number"] == "01"
    assert numbered.json()["code_notation"] == "UBNDXANGHIPHONG-ĐCXDMOITRUONGN"
    assert numbered.json()["document_identifier"] == \
        f"{AGENCY},{numbered.json()['issued_on'].replace('-', '/')},01/UBNDXANGHIPHONG-ĐCXDMOITRUONGN"
