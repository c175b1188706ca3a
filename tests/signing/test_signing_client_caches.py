"""What the signing path keeps between requests must never change what gets signed or break signing.

Each web request opens its own :class:`SigningClient`; the process shares the bearer token between
them, computes the CMS space once per certificate chain and compresses a signer's image once. These
tests sign through a real signing server (its own process, SoftHSM) and check the results a leader
relies on: signing still works after the signing server restarted (the shared token is stale), and
every signed PDF shows exactly the signer's PNG and carries a valid signature, for RSA and P-256
credentials one after the other.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from asn1crypto import pem, x509
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from backend.domain.signing import SigningClient, SigningServiceConfig
from backend.domain.signing.assets import signature_png
from backend.domain.signing.samples import DraftSpec, outgoing_draft_pdf
from backend.domain.signing.stamping import sign_personal
from tests.support.signing import ServerProcess, SigningEnv, base_env

OWNERS = {"cache.rsa": "rsa2048", "cache.p256": "p256", "cache.restart": "p256"}
SIGNER = "Nguyễn Văn A"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    """A signing server of this module's own (it is restarted by a test)."""
    root = tmp_path_factory.mktemp("caches")
    env = base_env(root / "signing")
    (root / "owners.json").write_text(json.dumps(
        [{"owner_kind": "user", "owner": owner, "display_name": SIGNER, "agency": "UBND xã Thử Nghiệm", "algo": algo}
         for owner, algo in OWNERS.items()], ensure_ascii=False), encoding="utf-8")
    senv = SigningEnv(env=env, data_dir=root / "signing", server=ServerProcess(env=env, log_path=root / "server.log"))
    senv.cli("ensure-demo", str(root / "owners.json"))
    senv.enrolments = json.loads((senv.data_dir / "demo-otp.json").read_text(encoding="utf-8"))
    senv.server.start()
    try:
        yield senv
    finally:
        senv.server.stop()


def _config(senv: SigningEnv) -> SigningServiceConfig:
    return SigningServiceConfig(url=senv.url, client_id=senv.client["client_id"],
                                client_secret=senv.client["client_secret"])


async def _valid(pdf: bytes, senv: SigningEnv) -> bool:
    _, _, der = pem.unarmor(senv.ca_pem)
    vc = ValidationContext(trust_roots=[x509.Certificate.load(der)])
    status = await async_validate_pdf_signature(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0], vc)
    return bool(status.bottom_line)


def _images(obj: Any, seen: set[int] | None = None) -> list[generic.StreamObject]:
    """Every ``/Image`` XObject reachable from an appearance stream's resources."""
    seen = set() if seen is None else seen
    found: list[generic.StreamObject] = []
    xobjects = obj.get("/Resources", generic.DictionaryObject()).get("/XObject", generic.DictionaryObject())
    for ref in xobjects.values():
        if isinstance(ref, generic.IndirectObject):
            if ref.idnum in seen:
                continue
            seen.add(ref.idnum)
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Image":
            found.append(xobject)
        else:
            found += _images(xobject, seen)
    return found


async def test_new_client_after_a_signing_server_restart_still_signs(server: SigningEnv) -> None:
    owner = "cache.restart"
    async with SigningClient(_config(server)) as first:  # one request: logs in, the process keeps the token
        assert server.cred(owner) in await first.list_credentials()
    server.server.stop()
    server.server.start()  # the server forgot every token
    draft = outgoing_draft_pdf(DraftSpec(signer_name=SIGNER))
    async with SigningClient(_config(server)) as second:  # the next request starts from the stale token
        assert server.cred(owner) in await second.list_credentials()
        [signed] = await sign_personal(second, [draft], credential_id=server.cred(owner), otp=server.otp(owner),
                                       signature_png=signature_png(owner), placements=[None], signer_name=SIGNER)
    assert await _valid(signed, server)


@pytest.mark.parametrize("owner", ["cache.rsa", "cache.p256"])
async def test_every_signature_shows_the_signers_png_and_is_valid(server: SigningEnv, owner: str) -> None:
    png = signature_png(owner)
    expected = Image.open(io.BytesIO(png)).convert("RGBA")
    draft = outgoing_draft_pdf(DraftSpec(signer_name=SIGNER))
    for _ in range(2):  # the second signature reuses what the first one computed
        async with SigningClient(_config(server)) as client:
            [signed] = await sign_personal(client, [draft], credential_id=server.cred(owner),
                                           otp=server.otp(owner), signature_png=png, placements=[None],
                                           signer_name=SIGNER)
        assert await _valid(signed, server)
        field = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0].sig_field
        widget = field if "/AP" in field else field["/Kids"][0].get_object()
        [image] = _images(widget["/AP"]["/N"].get_object())
        assert (image["/Width"], image["/Height"]) == expected.size
        assert image["/ColorSpace"] == "/DeviceRGB" and image.data == expected.convert("RGB").tobytes()
        mask = image["/SMask"].get_object()
        assert mask["/ColorSpace"] == "/DeviceGray" and mask.data == expected.getchannel("A").tobytes()

