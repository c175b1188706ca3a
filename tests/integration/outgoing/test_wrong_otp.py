"""A wrong OTP is an ordinary mistake: the message says how many tries remain, the log says INFO (issue 11)."""

from __future__ import annotations

import logging

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.config.settings import Settings
from tests.support.outgoing import Api, fresh_otp, ids, to_awaiting
from tests.support.signing import SigningEnv

DRAFTER, HEAD, CLERK, LEADER = ("chuyenvien.xanghiphong", "truongphong.xanghiphong", "vanthu.xanghiphong",
                                "lanhdao.xanghiphong")


async def test_wrong_otp_counts_down_the_tries_and_logs_no_error(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv,
        caplog: pytest.LogCaptureFixture) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk = (await Api(client).login(DRAFTER), await Api(client).login(HEAD),
                            await Api(client).login(CLERK))
    leader = await Api(client).login(LEADER)
    doc_id = await to_awaiting(drafter, head, clerk, ids_)
    caplog.set_level(logging.INFO)
    caplog.clear()
    first = await leader.act(doc_id, "sign", otp=out_signing.wrong_otp(LEADER))
    second = await leader.act(doc_id, "sign", otp=out_signing.wrong_otp(LEADER))
    assert first.status_code == second.status_code == 422
    assert first.json()["reason_code"] == "SIGN_OTP_INVALID"
    tries = [first.json()["title"], second.json()["title"]]
    left = int(tries[0].split("Còn ")[1].split(" lần")[0])
    assert f"Còn {left - 1} lần" in tries[1], tries
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or (r.exc_info and r.levelno > logging.DEBUG)]
    assert errors == [], [(r.name, r.levelname, r.getMessage()) for r in errors]
    assert any("SIGN_OTP_INVALID" in r.getMessage() and r.levelno == logging.INFO for r in caplog.records)
    # The right code resets the count (the signing server is shared by the session's tests).
    assert (await leader.act(doc_id, "sign", otp=await fresh_otp(out_signing, LEADER))).status_code == 200
