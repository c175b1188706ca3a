"""A number the counter hands out twice (the counter row set back, e.g. by a partial restore) is refused
with a precise 409 in Vietnamese, with the REAL signing server: the document stays signed, nothing is
stored, and once the counter is right again the same document gets the next number.

Before the validation edge this was the unique constraint's IntegrityError answered as a 500.
"""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import OutgoingCounter, StoredFile
from tests.support.outgoing import Api, fresh_otp, ids, to_awaiting
from tests.support.signing import SigningEnv

LEADER = "lanhdao.xanghiphong"


async def _set_counter(settings: Settings, last: int | None = None) -> tuple[int, int]:
    """(counter value, stored files) — setting every counter of the series to ``last`` first when given."""
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db, db.begin():
            if last is not None:
                await db.execute(sa.update(OutgoingCounter).values(last_number=last))
            value = await db.scalar(sa.select(sa.func.max(OutgoingCounter.last_number)))
            files = await db.scalar(sa.select(sa.func.count()).select_from(StoredFile))
            return int(value or 0), int(files or 0)
    finally:
        await engine.dispose()


async def test_a_number_taken_twice_is_a_clear_conflict(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    head = await Api(client).login("truongphong.xanghiphong")
    clerk, leader = await Api(client).login("vanthu.xanghiphong"), await Api(client).login(LEADER)
    first, second = await to_awaiting(drafter, head, clerk, ids_), await to_awaiting(drafter, head, clerk, ids_)
    for doc_id in (first, second):
        signed = await leader.act(doc_id, "sign", otp=await fresh_otp(out_signing, LEADER))
        assert signed.status_code == 200 and signed.json()["state"] == "signed", signed.text
    numbered = await clerk.act(first, "number")
    assert numbered.status_code == 200 and numbered.json()["code_number"] == "01", numbered.text

    _, files_before = await _set_counter(settings, last=0)  # the counter set back: it would hand out 01 again
    refused = await clerk.act(second, "number")
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["code"] == "OUT_NUMBER_TAKEN"
    assert "đã được cấp cho một văn bản khác" in problem["title"] and "năm" in problem["title"]
    assert "quản trị hệ thống" in problem["title"]  # says what to do
    after = (await clerk.get(f"/api/v1/outgoing/{second}")).json()
    assert after["state"] == "signed" and after["code_number"] in (None, "")
    assert await _set_counter(settings) == (0, files_before)  # nothing stored, the counter untouched

    await _set_counter(settings, last=1)
    renumbered = await clerk.act(second, "number")
    assert renumbered.status_code == 200 and renumbered.json()["code_number"] == "02", renumbered.text
