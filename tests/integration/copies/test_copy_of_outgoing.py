"""A sao y of an ISSUED outgoing document keeps the leader's and the seal's signatures valid beside the copy's.

The document goes the whole way (draft, approval, format check, the leader's signature, number,
seal, issue) with the real signing server; the copy is an incremental update of the sealed file, so
pyHanko finds three signatures, all intact and trusted, and the copy's is the last.
"""

from __future__ import annotations

import io

from litestar import Litestar
from litestar.testing import AsyncTestClient
from pyhanko.pdf_utils.reader import PdfFileReader

from backend.config.settings import Settings
from tests.support.copies import validate_all
from tests.support.incoming import Clients, post_form
from tests.support.outgoing import Api, fresh_otp, ids, to_awaiting
from tests.support.signing import SigningEnv

SEAL = "000.01.21.H41"
LEADER = "lanhdao.xanghiphong"


async def test_sao_y_of_an_issued_outgoing_document(client: AsyncTestClient[Litestar], clients: Clients,
                                                    settings: Settings, copy_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    head = await Api(client).login("truongphong.xanghiphong")
    clerk = await Api(client).login("vanthu.xanghiphong")
    leader = await Api(client).login(LEADER)
    doc_id = await to_awaiting(drafter, head, clerk, ids_)
    assert (await leader.act(doc_id, "sign", otp=await fresh_otp(copy_signing, LEADER))).status_code == 200
    assert (await clerk.act(doc_id, "number")).status_code == 200
    assert (await clerk.act(doc_id, "seal", otp=await fresh_otp(copy_signing, SEAL))).status_code == 200
    before = await post_form(await clients("vanthu.xanghiphong"), f"/copies/of/outgoing/{doc_id}",
                             {"kind": "sao_y", "otp": await fresh_otp(copy_signing, SEAL)})
    assert before.status_code == 409  # sealed but not issued yet
    assert (await clerk.act(doc_id, "issue")).status_code == 200

    made = await post_form(await clients("vanthu.xanghiphong"), f"/copies/of/outgoing/{doc_id}",
                           {"kind": "sao_y", "otp": await fresh_otp(copy_signing, SEAL)})
    assert made.status_code == 303 and made.headers["location"] == f"/outgoing/{doc_id}", made.text[:2000]
    section = await (await clients("vanthu.xanghiphong")).get(f"/copies/of/outgoing/{doc_id}")
    link = section.text.split('href="/copies/')[1].split('"')[0]
    pdf = (await (await clients("vanthu.xanghiphong")).get(f"/copies/{link}")).content
    assert await validate_all(pdf, copy_signing.ca_pem) == 3
    names = [s.field_name for s in PdfFileReader(io.BytesIO(pdf)).embedded_signatures]
    assert names[-1].startswith("chu_ky_ban_sao") and "chu_ky_ca_nhan" in names and "chu_ky_co_quan" in names
