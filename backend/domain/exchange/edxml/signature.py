"""The package signature: an enveloped W3C XML-DSig ``Signature``, last child of ``edXMLHeader`` (domain.md §16).

Signing never sees a key. :func:`prepare` puts a ``Signature`` whose ``SignedInfo`` is complete
(exclusive c14n, RSA-SHA256 or ECDSA-SHA256 by the key's type, one ``Reference URI=""`` to the whole
package with the enveloped-signature and exclusive-c14n transforms, SHA-256 digest) and whose
``KeyInfo/X509Data`` carries the certificate chain into the tree, and returns the SHA-256 digest
of the canonical ``SignedInfo``; whoever holds the key (the signing server's ``signHash``) signs that
digest, and :meth:`PendingSignature.finish` writes the value and serialises the package.

:func:`verify` checks a received package (TT 41/2017 / domain.md §12.2): the ``Reference`` digest
over the package without its signature (the package is intact), the ``SignatureValue`` with the
certificate's public key, and the certificate's path to a trusted root, valid and not revoked
(pyhanko-certvalidator, no network). It is tolerant of what real traffic carries: SHA-1 digests and
RSA-SHA1, inclusive or exclusive c14n (including the non-standard ``…/TR/xml-exc-c14n#`` URI of the
SDK samples), and a ``Signature`` that lost its XML-DSig namespace (the samples' elements are read
by local name). The answer is a :class:`SignatureReport` whose ``state`` says what holds and whose
``reason`` is the Vietnamese cause for a status 02; :func:`verify` itself never raises.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from lxml.etree import _Element
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    DisallowedAlgorithmError,
    ExpiredError,
    NotYetValidError,
    PathBuildingError,
    RevokedError,
    ValidationError,
)

from backend.domain.exchange.edxml.build import signature_parent, to_bytes
from backend.domain.exchange.edxml.errors import EdxmlError
from backend.domain.exchange.edxml.xmlsafe import local_name, read_root
from backend.lib.i18n import t

__all__ = ["DSIG_NS", "PendingSignature", "SignatureReport", "SignatureState", "prepare", "verify"]

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
_C14N_METHODS = {  # algorithm URI -> (exclusive, with comments)
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315": (False, False),
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments": (False, True),
    EXC_C14N: (True, False),
    EXC_C14N + "WithComments": (True, True),
    "http://www.w3.org/TR/xml-exc-c14n#": (True, False),  # as the SDK samples spell it
}
ENVELOPED = DSIG_NS + "enveloped-signature"
_DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    DSIG_NS + "sha1": hashes.SHA1,
}
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
_SIGNATURE_METHODS: dict[str, tuple[str, type[hashes.HashAlgorithm]]] = {
    RSA_SHA256: ("rsa", hashes.SHA256),
    DSIG_NS + "rsa-sha1": ("rsa", hashes.SHA1),
    ECDSA_SHA256: ("ecdsa", hashes.SHA256),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1": ("ecdsa", hashes.SHA1),
}


def _q(name: str) -> str:
    return f"{{{DSIG_NS}}}{name}"


def _c14n(node: _Element | etree._ElementTree, exclusive: bool = True, comments: bool = False) -> bytes:
    return bytes(etree.tostring(node, method="c14n", exclusive=exclusive, with_comments=comments))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True, slots=True)
class PendingSignature:
    """A package whose ``Signature`` waits for its value; ``digest`` is what the key signs."""

    root: _Element
    value_element: _Element
    signed_info: bytes
    """The canonical (exclusive c14n) ``SignedInfo``: the bytes the signature covers."""
    ecdsa: bool

    @property
    def digest(self) -> bytes:
        """SHA-256 of :attr:`signed_info` (what ``signatures/signHash`` is given)."""
        return hashlib.sha256(self.signed_info).digest()

    def finish(self, value: bytes) -> bytes:
        """The signed package as bytes, given the key's signature of :attr:`digest`.

        ``value`` is PKCS#1 v1.5 for RSA, or DER ``ECDSA-Sig-Value`` for P-256 (written as XML-DSig
        wants it: the two integers side by side, 32 bytes each).
        """
        if self.ecdsa:
            r, s = decode_dss_signature(value)
            value = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        self.value_element.text = _b64(value)
        return to_bytes(self.root)


def _sub(parent: _Element, name: str, text: str | None = None, **attributes: str) -> _Element:
    element = etree.SubElement(parent, _q(name), attributes)
    element.text = text
    return element


def prepare(root: _Element, chain: Sequence[bytes]) -> PendingSignature:
    """Put the unsigned ``Signature`` for the certificate chain ``chain`` (DER, signer first) into ``root``.

    ``root`` is an unsigned tree from :func:`~.build.build_tree`; its key type (RSA or P-256) picks the
    signature method.
    """
    leaf = x509.load_der_x509_certificate(chain[0])
    ecdsa = isinstance(leaf.public_key(), ec.EllipticCurvePublicKey)
    digest = hashlib.sha256(_c14n(root.getroottree())).digest()
    signature = etree.SubElement(signature_parent(root), _q("Signature"), nsmap={None: DSIG_NS})
    signed_info = _sub(signature, "SignedInfo")
    _sub(signed_info, "CanonicalizationMethod", Algorithm=EXC_C14N)
    _sub(signed_info, "SignatureMethod", Algorithm=ECDSA_SHA256 if ecdsa else RSA_SHA256)
    reference = _sub(signed_info, "Reference", URI="")
    transforms = _sub(reference, "Transforms")
    _sub(transforms, "Transform", Algorithm=ENVELOPED)
    _sub(transforms, "Transform", Algorithm=EXC_C14N)
    _sub(reference, "DigestMethod", Algorithm=SHA256)
    _sub(reference, "DigestValue", _b64(digest))
    value = _sub(signature, "SignatureValue")
    data = _sub(_sub(signature, "KeyInfo"), "X509Data")
    _sub(data, "X509SubjectName", leaf.subject.rfc4514_string())
    for der in chain:
        _sub(data, "X509Certificate", _b64(der))
    return PendingSignature(root=root, value_element=value, signed_info=_c14n(signed_info), ecdsa=ecdsa)


class SignatureState(StrEnum):
    """What a package signature check found (:attr:`SignatureReport.state`)."""

    VALID = "valid"
    ABSENT = "absent"
    MALFORMED = "malformed"
    MODIFIED = "modified"
    INVALID = "invalid"
    UNTRUSTED = "untrusted"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class SignatureReport:
    """The package signature as checked: state, signer, algorithms, and the Vietnamese ``reason``."""

    state: SignatureState
    reason: str
    signer: str = ""
    organization: str = ""
    serial: str = ""
    signature_method: str = ""
    digest_method: str = ""

    @property
    def ok(self) -> bool:
        """Whether the package is intact and signed by a trusted, valid certificate."""
        return self.state is SignatureState.VALID

    def as_dict(self) -> dict[str, str]:
        """The JSON form (``edxml inspect``, the arrival's verification record)."""
        return {"state": str(self.state), "reason": self.reason, "signer": self.signer,
                "organization": self.organization, "serial": self.serial,
                "signature_method": self.signature_method, "digest_method": self.digest_method}


class _Refused(Exception):
    def __init__(self, state: SignatureState, detail: str = "") -> None:
        super().__init__(detail)
        self.state, self.detail = state, detail


def _one(parent: _Element | None, name: str) -> _Element:
    """The child ``name`` of ``parent`` in any namespace (the samples' signature lost its own)."""
    found = None if parent is None else next((c for c in parent if local_name(c) == name), None)
    if found is None:
        raise _Refused(SignatureState.MALFORMED, t("edxml.signature.missing_part", part=name))
    return found


def _all(parent: _Element, name: str) -> list[_Element]:
    return [c for c in parent if local_name(c) == name]


def _algorithm(element: _Element, known: dict[str, object]) -> str:
    algorithm = str(element.get("Algorithm", ""))
    if algorithm not in known:
        raise _Refused(SignatureState.MALFORMED, t("edxml.signature.unsupported", algorithm=algorithm[:120]))
    return algorithm


def _decoded(element: _Element) -> bytes:
    try:
        return base64.b64decode("".join((element.text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise _Refused(SignatureState.MALFORMED, t("edxml.signature.bad_base64", part=local_name(element))) from None


def _find_signature(root: _Element) -> _Element | None:
    return next((c for c in signature_parent(root) if local_name(c) == "Signature"), None)


def _without_signature(root: _Element, signature: _Element) -> etree._ElementTree:
    """The enveloped-signature transform: the package minus the ``Signature`` element (its tail text stays)."""
    parent = signature.getparent()
    assert parent is not None
    previous = signature.getprevious()
    if signature.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + signature.tail
        else:
            parent.text = (parent.text or "") + signature.tail
    parent.remove(signature)
    return root.getroottree()


def _reference_digest(root: _Element, signature: _Element, reference: _Element) -> bool:
    if reference.get("URI", "") not in ("", "#xpointer(/)"):
        raise _Refused(SignatureState.MALFORMED, t("edxml.signature.reference", uri=reference.get("URI", "")[:80]))
    exclusive, comments = False, False
    enveloped = False
    for transform in _all(_one(reference, "Transforms"), "Transform") if _all(reference, "Transforms") else []:
        algorithm = transform.get("Algorithm", "")
        if algorithm == ENVELOPED:
            enveloped = True
        elif algorithm in _C14N_METHODS:
            exclusive, comments = _C14N_METHODS[algorithm]
        else:
            raise _Refused(SignatureState.MALFORMED, t("edxml.signature.unsupported", algorithm=algorithm[:120]))
    if not enveloped:
        raise _Refused(SignatureState.MALFORMED, t("edxml.signature.not_enveloped"))
    digest_method = _algorithm(_one(reference, "DigestMethod"), _DIGESTS)  # type: ignore[arg-type]
    expected = _decoded(_one(reference, "DigestValue"))
    tree = _without_signature(root, signature)
    hasher = hashes.Hash(_DIGESTS[digest_method]())
    hasher.update(_c14n(tree, exclusive, comments))
    return hmac.compare_digest(hasher.finalize(), expected)


def _certificates(signature: _Element) -> list[x509.Certificate]:
    data = _one(_one(signature, "KeyInfo"), "X509Data")
    certificates = []
    for element in _all(data, "X509Certificate"):
        try:
            certificates.append(x509.load_der_x509_certificate(_decoded(element)))
        except ValueError:
            raise _Refused(SignatureState.MALFORMED, t("edxml.signature.bad_certificate")) from None
    if not certificates:
        raise _Refused(SignatureState.MALFORMED, t("edxml.signature.missing_part", part="X509Certificate"))
    return certificates


def _check_value(certificate: x509.Certificate, method: str, signed_info: bytes, value: bytes) -> None:
    kind, digest = _SIGNATURE_METHODS[method]
    key = certificate.public_key()
    try:
        if kind == "rsa" and isinstance(key, rsa.RSAPublicKey):
            key.verify(value, signed_info, padding.PKCS1v15(), digest())
        elif kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey) and len(value) % 2 == 0:
            half = len(value) // 2
            der = encode_dss_signature(int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big"))
            key.verify(der, signed_info, ec.ECDSA(digest()))
        else:
            raise _Refused(SignatureState.INVALID, t("edxml.signature.key_mismatch"))
    except InvalidSignature:
        raise _Refused(SignatureState.INVALID) from None


async def _check_path(chain: list[x509.Certificate], roots: Sequence[asn1_x509.Certificate],
                      moment: dt.datetime | None) -> None:
    ders = [c.public_bytes(Encoding.DER) for c in chain]
    context = ValidationContext(trust_roots=list(roots), allow_fetching=False, revocation_mode="soft-fail",
                                moment=moment)
    validator = CertificateValidator(asn1_x509.Certificate.load(ders[0]),
                                     [asn1_x509.Certificate.load(d) for d in ders[1:]], validation_context=context)
    try:
        await validator.async_validate_usage(set())  # type: ignore[no-untyped-call]
    except RevokedError:
        raise _Refused(SignatureState.REVOKED) from None
    except (ExpiredError, NotYetValidError):
        raise _Refused(SignatureState.EXPIRED) from None
    except (PathBuildingError, DisallowedAlgorithmError, ValidationError) as exc:
        raise _Refused(SignatureState.UNTRUSTED, str(exc)[:200]) from None


def _report(state: SignatureState, detail: str = "", certificate: x509.Certificate | None = None,
            method: str = "", digest: str = "") -> SignatureReport:
    signer = organization = serial = ""
    if certificate is not None:
        names = certificate.subject
        signer = ", ".join(str(a.value) for a in names.get_attributes_for_oid(x509.NameOID.COMMON_NAME))
        organization = ", ".join(str(a.value) for a in names.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME))
        serial = format(certificate.serial_number, "x")
    reason = t(f"edxml.signature.{state}", signer=signer or "?")
    if detail and state is SignatureState.MALFORMED:
        reason = f"{reason}: {detail}"
    return SignatureReport(state=state, reason=reason, signer=signer, organization=organization, serial=serial,
                           signature_method=method, digest_method=digest)


async def verify(raw: bytes, trust_roots: Sequence[asn1_x509.Certificate], *,
                 moment: dt.datetime | None = None) -> SignatureReport:
    """Check the package signature of ``raw`` against ``trust_roots`` (at ``moment``, default now).

    A package the safe reader refuses (:func:`~.xmlsafe.read_root`) is reported ``malformed``; nothing raises.
    """
    certificate: x509.Certificate | None = None
    method = digest = ""
    try:
        try:
            root = read_root(raw)
            signature = _find_signature(root)
        except (EdxmlError, AssertionError) as exc:
            raise _Refused(SignatureState.MALFORMED, getattr(exc, "reason", "")) from None
        if signature is None:
            return _report(SignatureState.ABSENT)
        signed_info_element = _one(signature, "SignedInfo")
        exclusive, comments = _C14N_METHODS[_algorithm(_one(signed_info_element, "CanonicalizationMethod"),
                                                       _C14N_METHODS)]  # type: ignore[arg-type]
        method = _algorithm(_one(signed_info_element, "SignatureMethod"), _SIGNATURE_METHODS)  # type: ignore[arg-type]
        references = _all(signed_info_element, "Reference")
        if len(references) != 1:
            raise _Refused(SignatureState.MALFORMED, t("edxml.signature.reference", uri=f"{len(references)} Reference"))
        digest = _one(references[0], "DigestMethod").get("Algorithm", "")
        value = _decoded(_one(signature, "SignatureValue"))
        chain = _certificates(signature)
        certificate = chain[0]
        signed_info = _c14n(signed_info_element, exclusive, comments)
        if not _reference_digest(root, signature, references[0]):
            raise _Refused(SignatureState.MODIFIED)
        _check_value(certificate, method, signed_info, value)
        await _check_path(chain, trust_roots, moment)
    except _Refused as refused:
        return _report(refused.state, refused.detail, certificate, method, digest)
    return _report(SignatureState.VALID, "", certificate, method, digest)
