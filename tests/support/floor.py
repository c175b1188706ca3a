"""Shared parts of the PDF signing benchmarks: OTP rotation, the local PKCS#11 floor, figures, docs.

Imported as ``tests.support.floor`` by ``bench_sign_flow`` and ``bench_outgoing_sign`` (run as
``python -m tests.perf.<name>``):

* :class:`Otps` -- hands out TOTP codes so that no credential sees a time step twice;
* :func:`local_token` / :class:`Floor` -- pyHanko alone with a ``PKCS11Signer`` on a SoftHSM token of the
  benchmark process (RSA-2048, certificate from a throwaway CA, logged-in session reused): the floor any
  signing path through a remote signing server is compared with;
* :func:`machine`, :func:`write_section` -- machine facts and the marker-delimited
  section of ``docs/performance.md``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"
STEP = 30
_MARGIN = 1.0
"""Seconds before a step boundary in which the previous step (``now - 1``) is no longer handed out."""


class Otps:
    """TOTP codes per owner; each credential accepts steps now-1..now+1, each step once and in increasing order."""

    def __init__(self, enrolments: dict[str, dict[str, str]]) -> None:
        import pyotp

        self.owners = list(enrolments)
        self.items = {o: (e["credential_id"], pyotp.TOTP(e["secret"])) for o, e in enrolments.items()}
        self.last: dict[str, int] = {}
        self._next = 0

    def _step(self, owner: str) -> int | None:
        clock = time.time()
        now = int(clock // STEP)
        oldest = now - 1 if clock % STEP < STEP - _MARGIN else now  # now-1 expires at the boundary
        step = max(oldest, self.last.get(owner, 0) + 1)
        return step if step <= now + 1 else None

    def ready(self, owner: str) -> bool:
        """True when *owner* has a time step left that the server will accept now."""
        return self._step(owner) is not None

    def code(self, owner: str) -> tuple[str, str]:
        """(credential id, OTP) of *owner* for its next unused step; call only right before the request."""
        step = self._step(owner)
        if step is None:
            raise RuntimeError(f"no unused TOTP step of {owner} right now")
        self.last[owner] = step
        credential, totp = self.items[owner]
        return credential, totp.at(step * STEP)

    def next_owner(self) -> str:
        """The next owner in rotation with an unused step; sleeps to the next step boundary if none has."""
        while True:
            for i in range(len(self.owners)):
                owner = self.owners[(self._next + i) % len(self.owners)]
                if self.ready(owner):
                    self._next = (self._next + i + 1) % len(self.owners)
                    return owner
            time.sleep(STEP - time.time() % STEP + 0.05)

    def take(self) -> tuple[str, str]:
        """(credential id, OTP) of the next owner in rotation."""
        return self.code(self.next_owner())


def local_token(root: Path) -> tuple[object, object, list[object]]:
    """A SoftHSM token of this process with an RSA-2048 key and a certificate from a throwaway CA.

    Sets ``SOFTHSM2_CONF`` in this process: start child processes with an environment without it.
    """
    (root / "tokens").mkdir(parents=True)
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}/\nobjectstore.backend = file\nlog.level = ERROR\n"
                    "slots.removable = false\n", encoding="utf-8")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # before the library is loaded
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "floor", "--so-pin", "12345678",
                    "--pin", "1234"], check=True, capture_output=True)
    import pkcs11
    from asn1crypto import x509 as ax509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from pkcs11.util.rsa import encode_rsa_public_key

    lib = pkcs11.lib(SOFTHSM)
    with lib.get_token(token_label="floor").open(user_pin="1234", rw=True) as session:
        pub, _ = session.generate_keypair(pkcs11.KeyType.RSA, 2048, id=b"\x01", label="floor", store=True)
        public_der = encode_rsa_public_key(pub)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)

    def cert(subject: str, issuer: str, key: object, ca: bool) -> x509.Certificate:
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
                   .public_key(key).serial_number(x509.random_serial_number())  # type: ignore[arg-type]
                   .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        return builder.sign(ca_key, hashes.SHA256())

    ca = cert("Floor CA", "Floor CA", ca_key.public_key(), True)
    leaf = cert("Nguyễn Văn A", "Floor CA", serialization.load_der_public_key(public_der), False)
    to_asn1 = [ax509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in (leaf, ca)]
    return lib, to_asn1[0], [to_asn1[1]]


class Floor:
    """pyHanko alone: the image stamp at a box, PAdES, ``PKCS11Signer`` on the local token (session reused)."""

    def __init__(self, token: tuple[object, object, list[object]]) -> None:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

        _, leaf, chain = token
        self.session = open_pkcs11_session(SOFTHSM, token_criteria=TokenCriteria(label="floor"), user_pin="1234")
        self.signer = PKCS11Signer(self.session, key_label="floor", signing_cert=leaf,  # type: ignore[arg-type]
                                   ca_chain=chain)  # type: ignore[arg-type]

    async def sign(self, pdf: bytes, style: Any, page: int, box: tuple[float, float, float, float]) -> bytes:
        """Sign *pdf* with the stamp *style* in a new field at *box* (PDF points) of *page*."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        meta = signers.PdfSignatureMetadata(field_name="chu_ky_ca_nhan", md_algorithm="sha256",
                                            subfilter=fields.SigSeedSubFilter.PADES)
        spec = fields.SigFieldSpec("chu_ky_ca_nhan", on_page=page, box=box)  # type: ignore[arg-type]
        out = await signers.PdfSigner(meta, signer=self.signer, stamp_style=style, new_field_spec=spec
                                      ).async_sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
        return out.getvalue()

    def close(self) -> None:
        self.session.close()


def machine() -> str:
    """``host (N cores, Python x.y.z)`` for the figures' heading."""
    return f"{platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()})"


def write_section(begin: str, end: str, section: str) -> Path:
    """Replace (or append) the text between *begin* and *end* in ``docs/performance.md``."""
    path = REPO / "docs" / "performance.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    block = f"{begin}\n{section.rstrip()}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
    return path
