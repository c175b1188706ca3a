"""The package signature alone (no server): a package signed through :func:`prepare` -- the digest signed by a key
held elsewhere, RSA or P-256 -- verifies, and an independent XML-DSig implementation (signxml) agrees; a field or an
attachment changed after signing, another key's value, a certificate from nobody we trust, an expired one, are each
named; the SDK's legacy form (SHA-1, inclusive c14n, the ``Signature`` in the QCVN 102 namespace, pretty-printed)
verifies too; the three real samples are reported, never raised on; ``edxml inspect`` prints the state.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureConfiguration, SignatureMethod, XMLVerifier

from backend.domain.exchange.edxml.build import build, build_tree, signature_parent, to_bytes
from backend.domain.exchange.edxml.parse import parse
from backend.domain.exchange.edxml.signature import SignatureState, prepare, verify
from backend.domain.exchange.edxml.xmlsafe import NS, read_root
from tests.support.edxml import REPO, our_package, samples_dir

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
NOW = dt.datetime.now(dt.UTC)


def _certificate(key: Key, name: str, issuer: tuple[Key, x509.Name] | None = None, *, ca: bool = False,
                 days: int = 30) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    signer_key, issuer_name = issuer or (key, subject)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(signer_key, hashes.SHA256()))


CA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CA = _certificate(CA_KEY, "CA thử nghiệm", ca=True, days=365)
ROOTS = [asn1_x509.Certificate.load(CA.public_bytes(serialization.Encoding.DER))]


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _sign_digest(key: Key, digest: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    return key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))


def _signed(key: Key, cert: x509.Certificate) -> bytes:
    """Our package signed the way the worker does: only the digest leaves, the value comes back."""
    pending = prepare(build_tree(our_package()), [_der(cert), _der(CA)])
    return pending.finish(_sign_digest(key, pending.digest))


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_CERT = _certificate(RSA_KEY, "Ủy ban nhân dân xã Nghi Phong", (CA_KEY, CA.subject))


@pytest.mark.parametrize("key", [RSA_KEY, ec.generate_private_key(ec.SECP256R1())], ids=["rsa", "p256"])
async def test_a_package_signed_through_its_digest_verifies(key: Key) -> None:
    cert = RSA_CERT if key is RSA_KEY else _certificate(key, "Ủy ban nhân dân xã Nghi Phong", (CA_KEY, CA.subject))
    raw = _signed(key, cert)
    report = await verify(raw, ROOTS)
    assert report.state is SignatureState.VALID, report.reason
    assert report.signer == "Ủy ban nhân dân xã Nghi Phong" and report.serial == format(cert.serial_number, "x")
    assert parse(raw) == our_package(), "the signed package parses to the same values"
    root = read_root(raw)
    assert etree.QName(signature_parent(root)[-1]).localname == "Signature"


def test_an_independent_xmldsig_implementation_accepts_our_signature() -> None:
    raw = _signed(RSA_KEY, RSA_CERT)
    pem = RSA_CERT.public_bytes(serialization.Encoding.PEM).decode()
    config = SignatureConfiguration(signature_methods=frozenset({SignatureMethod.RSA_SHA256}))
    result = XMLVerifier().verify(raw, x509_cert=pem, expect_config=config)
    assert etree.QName(result.signed_xml).localname == "edXML", "the reference covers the whole package"


async def test_changes_after_signing_and_foreign_keys_are_named() -> None:
    raw = _signed(RSA_KEY, RSA_CERT)
    subject = our_package().subject.encode()
    assert subject in raw
    assert (await verify(raw.replace(subject, subject[:-1], 1), ROOTS)).state is SignatureState.MODIFIED
    payload = base64.b64encode(our_package().attachments[0].data)
    other = base64.b64encode(our_package().attachments[0].data[:-1] + b"!")
    assert (await verify(raw.replace(payload, other), ROOTS)).state is SignatureState.MODIFIED

    forged = read_root(raw)
    value = forged.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue")
    assert value is not None
    another = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    value.text = base64.b64encode(another.sign(b"x", padding.PKCS1v15(), hashes.SHA256())).decode()
    assert (await verify(to_bytes(forged), ROOTS)).state is SignatureState.INVALID

    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    report = await verify(_signed(stranger, _certificate(stranger, "Bộ Nội vụ")), ROOTS)
    assert report.state is SignatureState.UNTRUSTED and "Bộ Nội vụ" in report.reason

    later = await verify(raw, ROOTS, moment=NOW + dt.timedelta(days=60))
    assert later.state is SignatureState.EXPIRED
    assert (await verify(build(our_package()), ROOTS)).state is SignatureState.ABSENT


def _legacy_signed(key: rsa.RSAPrivateKey, cert: x509.Certificate) -> bytes:
    """The SDK's form, as in the real samples: pretty-printed, the ``Signature`` without its own namespace (it
    falls into QCVN 102's default one), inclusive c14n of ``SignedInfo``, RSA-SHA1, a SHA-1 digest and the
    ``…/TR/xml-exc-c14n#`` transform URI."""
    root = etree.fromstring(build(our_package()), etree.XMLParser(remove_blank_text=True))

    def sub(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{NS}}}{name}", attributes)
        element.text = text
        return element

    signature = sub(signature_parent(root), "Signature")
    info = sub(signature, "SignedInfo")
    sub(info, "CanonicalizationMethod", Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
    sub(info, "SignatureMethod", Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    reference = sub(info, "Reference", URI="")
    transforms = sub(reference, "Transforms")
    sub(transforms, "Transform", Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature")
    sub(transforms, "Transform", Algorithm="http://www.w3.org/TR/xml-exc-c14n#")
    sub(reference, "DigestMethod", Algorithm="http://www.w3.org/2000/09/xmldsig#sha1")
    digest_value = sub(reference, "DigestValue")
    signature_value = sub(signature, "SignatureValue")
    data = sub(sub(signature, "KeyInfo"), "X509Data")
    sub(data, "X509SubjectName", "CN=user05")
    sub(data, "X509Certificate", base64.b64encode(_der(cert)).decode())
    etree.indent(root)  # whitespace text everywhere: the enveloped transform must keep the signature's tail
    # the enveloped transform done on the text: cut the element out, keep every character around it
    text = etree.tostring(root, encoding="unicode")
    found = re.search(r"<(edXML:)?Signature>.*</(edXML:)?Signature>", text, re.DOTALL)
    assert found is not None
    start, end = found.span()
    without = etree.fromstring((text[:start] + text[end:]).encode())
    digest = hashlib.sha1(etree.tostring(without, method="c14n", exclusive=True)).digest()  # noqa: S324
    digest_value.text = base64.b64encode(digest).decode()
    value = key.sign(etree.tostring(info, method="c14n"), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    signature_value.text = base64.b64encode(value).decode()
    document = root
    return to_bytes(document)


async def test_the_sdk_legacy_form_with_sha1_verifies() -> None:
    raw = _legacy_signed(RSA_KEY, RSA_CERT)
    report = await verify(raw, ROOTS)
    assert report.state is SignatureState.VALID, report.reason
    assert report.signature_method.endswith("rsa-sha1") and report.digest_method.endswith("sha1")
    assert (await verify(raw.replace(b"UBND-VP", b"UBND-VX", 1), ROOTS)).state is SignatureState.MODIFIED


async def test_the_real_samples_are_reported_not_raised_on() -> None:
    states = {name: (await verify(Path(samples_dir(), name).read_bytes(), ROOTS)).state
              for name in ("edoc_new.edxml", "edoc_update.edxml", "status_processing_05.edxml")}
    # the published samples' certificate is cut short ("MIIFqTCCBJG"), so their signature cannot be checked
    assert states == {"edoc_new.edxml": SignatureState.MALFORMED, "edoc_update.edxml": SignatureState.MALFORMED,
                      "status_processing_05.edxml": SignatureState.ABSENT}


def test_inspect_prints_the_signature_state(tmp_path: Path) -> None:
    signed, unsigned, ca = tmp_path / "da-ky.edxml", tmp_path / "chua-ky.edxml", tmp_path / "ca.pem"
    signed.write_bytes(_signed(RSA_KEY, RSA_CERT))
    unsigned.write_bytes(build(our_package()))
    ca.write_bytes(CA.public_bytes(serialization.Encoding.PEM))
    files = [signed, unsigned, Path(samples_dir(), "edoc_new.edxml")]
    result = subprocess.run([sys.executable, "-m", "backend", "edxml", "inspect", "--trust", str(ca),
                             *map(str, files)], capture_output=True, text=True, cwd=REPO, timeout=60, check=False,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed[0]["signature"]["state"] == "valid" and printed[0]["signature"]["signer"] == RSA_CERT.subject \
        .get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert printed[1]["signature"]["state"] == "absent" and printed[1]["signed"] is False
    assert printed[2]["document_id"] == "000.00.11.H53,2020/10/30,2491/STC-BCTC"
    assert printed[2]["signature"]["state"] == "malformed" and printed[2]["signed"] is True
