"""The bottom-navigation search finds outgoing documents too, within ``visible_outgoing`` (issue 11, item 10)."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.config.settings import Settings
from tests.support.outgoing import Api, fresh_otp, ids, to_awaiting
from tests.support.signing import SigningEnv

DRAFTER, HEAD, CLERK = "chuyenvien.xanghiphong", "truongphong.xanghiphong", "vanthu.xanghiphong"
LEADER, OTHER_CLERK = "lanhdao.xanghiphong", "vanthu.xanghithai"


async def test_leader_finds_the_document_he_signed_and_another_agency_does_not(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk = (await Api(client).login(DRAFTER), await Api(client).login(HEAD),
                            await Api(client).login(CLERK))
    leader = await Api(client).login(LEADER)
    doc_id = await to_awaiting(drafter, head, clerk, ids_,
                               extra={"summary": "V/v kiểm tra hiện trạng đê sông Lam mùa mưa bão"})
    signed = await leader.act(doc_id, "sign", otp=await fresh_otp(out_signing, LEADER))
    assert signed.status_code == 200, signed.text

    found = await leader.get("/search?q=de song lam")  # accent-insensitive, like the incoming search
    assert found.status_code == 200
    assert f'href="/outgoing/{doc_id}"' in found.text and 'id="search-hits"' in found.text
    assert "Văn bản đi" in found.text and "Đê sông Lam".lower() in found.text.lower()
    fragment = await leader.get("/search?q=Lam mùa", headers={"HX-Request": "true", "HX-Target": "search-results"})
    assert fragment.text.lstrip().startswith('<div id="search-results"') and f"/outgoing/{doc_id}" in fragment.text

    outsider = await Api(client).login(OTHER_CLERK)
    assert f"/outgoing/{doc_id}" not in (await outsider.get("/search?q=de song lam")).text


async def test_outgoing_list_is_a_styled_list(client: AsyncTestClient[Litestar], settings: Settings,
                                              out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk = (await Api(client).login(DRAFTER), await Api(client).login(HEAD),
                            await Api(client).login(CLERK))
    await to_awaiting(drafter, head, clerk, ids_)
    page = (await clerk.get("/outgoing?tab=all")).text
    assert '<ul class="list doc-list">' in page
