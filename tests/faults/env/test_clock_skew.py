"""Clock skew of ±2 minutes between the web process and the signing server (real server under libfaketime).

The signing server runs under libfaketime (``LD_PRELOAD``, ``FAKETIME=±120s``) from its first CLI call,
so its certificates, OTP steps and SAD lifetimes all follow its own skewed clock; the web side (the
backend's :class:`SigningClient`, pyHanko's validation) and this test run on the true clock. The user's
authenticator is in step with the signing server (it is the server's clock that judges OTPs, and only it).

What must hold: an OTP within the server's window (its previous step too) is accepted and the PDF signed
then validates on the web's clock; a code two minutes off the *server's* clock is still refused (skew
does not widen the window); a SAD lives exactly ``SIGNING_SAD_TTL_SECONDS`` of real time, wherever the
web's clock stands. No test-only clock hook is used: the skew is the process's real clock.
"""

from __future__ import annotations

import email.utils
import glob
import io
import time
from collections.abc import Iterator

import httpx
import pyotp
import pytest
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from backend.domain.signing import OtpInvalidError, SigningClient, SigningServiceConfig
from tests.signing.test_signing_negative import authorize, error_of, new_hashes, sign_hash
from tests.support.incoming import make_pdf
from tests.support.signing import DemoOwner, SigningEnv, running_signing_server

SKEWS = (120, -120)
SAD_TTL_SECONDS = 2
OWNERS = ("skew.sign", "skew.window", "skew.sad")


def _libfaketime() -> str:
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    assert found, "libfaketime is required (apt-get install faketime)"
    return found[0]


@pytest.fixture(scope="module")
def signing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    """One token and CA (made under the first skew), one set of credentials per skew."""
    faketime = {"LD_PRELOAD": _libfaketime(), "FAKETIME": f"{SKEWS[0]:+d}s", "FAKETIME_DONT_FAKE_MONOTONIC": "1",
                "SIGNING_SAD_TTL_SECONDS": str(SAD_TTL_SECONDS)}
    owners = [DemoOwner(f"{owner}{skew:+d}", "user", f"Người ký {owner}", "UBND xã Thử Nghiệm")
              for owner in OWNERS for skew in SKEWS]
    with running_signing_server(tmp_path_factory.mktemp("skew"), owners, extra_env=faketime) as senv:
        yield senv


@pytest.fixture(params=SKEWS, ids=["server-ahead", "server-behind"])
def skewed(request: pytest.FixtureRequest, signing_server: SigningEnv) -> tuple[SigningEnv, int]:
    """The server restarted with its clock ``request.param`` seconds off ours."""
    skew = int(request.param)
    if signing_server.env["FAKETIME"] != f"{skew:+d}s":
        signing_server.server.stop()
        signing_server.env["FAKETIME"] = f"{skew:+d}s"
        signing_server.server.start()
    return signing_server, skew


def _code(senv: SigningEnv, owner: str, at: float) -> str:
    return pyotp.TOTP(senv.enrolments[owner]["secret"], interval=senv.step_seconds).at(at)


def _at_step_start(senv: SigningEnv, skew: int) -> float:
    """The signing server's time, first waiting for the start of its next OTP step unless one has just
    begun: the codes computed from it must stay in the server's window through every call below, and
    on a loaded machine a signature alone can take seconds."""
    into_step = (time.time() + skew) % senv.step_seconds
    if into_step > 1:
        time.sleep(senv.step_seconds - into_step + 0.1)
    return time.time() + skew


def _owners(skew: int) -> tuple[str, ...]:
    return tuple(f"{owner}{skew:+d}" for owner in OWNERS)


def _config(senv: SigningEnv) -> SigningServiceConfig:
    return SigningServiceConfig(url=senv.url, client_id=senv.client["client_id"],
                                client_secret=senv.client["client_secret"])


async def test_otp_and_sad_follow_the_signing_servers_clock_under_two_minutes_of_skew(
        skewed: tuple[SigningEnv, int]) -> None:
    senv, skew = skewed
    signer, other, sad_owner = _owners(skew)
    served = email.utils.parsedate_to_datetime(httpx.get(f"{senv.url}/healthz").headers["date"]).timestamp()
    assert abs(served - time.time() - skew) < 5, "the signing server's clock is not skewed"
    server_now = _at_step_start(senv, skew)

    # a code of the server's previous step is still within its window; the signed PDF validates on our clock
    async with SigningClient(_config(senv)) as client:
        signed = await client.sign_pdf(make_pdf(1), credential_id=senv.cred(signer),
                                       otp=_code(senv, signer, server_now - senv.step_seconds))
    _, _, der = pem.unarmor(senv.ca_pem)
    status = await async_validate_pdf_signature(PdfFileReader(io.BytesIO(signed)).embedded_signatures[0],
                                                ValidationContext(trust_roots=[x509.Certificate.load(der)]))
    assert status.bottom_line, status.pretty_print_details()

    # a code for the web's clock (two minutes = four steps off the server's) is refused: no wider window
    with pytest.raises(OtpInvalidError):
        async with SigningClient(_config(senv)) as client:
            await client.sign_pdf(make_pdf(1), credential_id=senv.cred(other),
                                  otp=_code(senv, other, time.time()))

    # a SAD is good right away and for SAD_TTL_SECONDS of real time, then expired — whatever the skew
    token = senv.token()
    hashes = new_hashes(1)
    granted = authorize(senv, sad_owner, hashes, otp=_code(senv, sad_owner, server_now), token=token)
    assert granted.status_code == 200 and granted.json()["expiresIn"] == SAD_TTL_SECONDS
    assert sign_hash(senv, sad_owner, granted.json()["SAD"], hashes, token=token).status_code == 200
    hashes = new_hashes(1)
    later = authorize(senv, sad_owner, hashes, otp=_code(senv, sad_owner, server_now + senv.step_seconds),
                      token=token)
    assert later.status_code == 200
    time.sleep(SAD_TTL_SECONDS + 0.5)
    assert error_of(sign_hash(senv, sad_owner, later.json()["SAD"], hashes, token=token)) == (400, "expired_sad")
