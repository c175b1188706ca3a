"""Development CA and certificate helpers. The dev CA is never used in production.

The dev CA is an RSA-3072 key and a self-signed root kept in ``<SIGNING_DATA_DIR>/dev-ca`` (key file
mode 0600). It issues end-entity certificates for public keys whose private halves live in the HSM:

* ``BasicConstraints`` CA=false (critical);
* ``KeyUsage`` digitalSignature + nonRepudiation (critical);
* ``ExtendedKeyUsage`` emailProtection;
* ``SubjectKeyIdentifier`` and ``AuthorityKeyIdentifier``.

For production the server exports a PKCS#10 CSR signed *by the HSM key* (:func:`build_csr`) and
imports the certificate a real CA (for state agencies: the Government Cipher Board CA) returns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import csr as asn1_csr
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["DevCa", "SubjectInfo", "build_csr", "dump_pem_chain", "load_pem_chain"]


@dataclass(frozen=True, slots=True)
class SubjectInfo:
    """Who a certificate names: a person (with their username) or an agency seal."""

    common_name: str
    organization: str
    user_id: str
    """Username of a signer or agency identifier code (mã định danh) of a seal."""


NAME_FIELD_LIMIT = 64
"""RFC 5280 upper bound of O and CN; the ``cryptography`` library enforces it on UTF-8 bytes."""


def _fit(value: str) -> str:
    """``value`` cut to at most 64 UTF-8 bytes, at a word boundary when there is one.

    Real agency names ("Sở Nông nghiệp và Phát triển nông thôn tỉnh Nghệ An" is 68 bytes) can be
    longer than X.509 allows for O and CN; the certificate carries the shortened name and the full
    one stays in the application's records.
    """
    value = value.strip()
    if len(value.encode("utf-8")) <= NAME_FIELD_LIMIT:
        return value
    cut = value
    while len(cut.encode("utf-8")) > NAME_FIELD_LIMIT:
        cut = cut[:-1]
    space = cut.rfind(" ")
    return (cut[:space] if space > len(cut) // 2 else cut).rstrip()


def _name(subject: SubjectInfo) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if subject.organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(subject.organization)))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, _fit(subject.common_name)))
    attrs.append(x509.NameAttribute(NameOID.USER_ID, subject.user_id))
    return x509.Name(attrs)


def load_pem_chain(pem: str) -> list[x509.Certificate]:
    """Parse a PEM bundle, leaf first."""
    return x509.load_pem_x509_certificates(pem.encode("ascii"))


def dump_pem_chain(certs: list[x509.Certificate]) -> str:
    """Serialise certificates as one PEM bundle."""
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certs)


class DevCa:
    """The development root CA (software key; for demo and tests only)."""

    def __init__(self, key: rsa.RSAPrivateKey, cert: x509.Certificate) -> None:
        self.key = key
        self.cert = cert

    @classmethod
    def load_or_create(cls, directory: Path) -> DevCa:
        """Load the CA from *directory*, creating an RSA-3072 root valid 20 years if absent."""
        key_path, cert_path = directory / "ca-key.pem", directory / "ca.pem"
        if key_path.exists() and cert_path.exists():
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise ValueError(f"{key_path} is not an RSA key")
            return cls(key, x509.load_pem_x509_certificate(cert_path.read_bytes()))
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        name = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CongVan (development)"),
            x509.NameAttribute(NameOID.COMMON_NAME, "CongVan Development CA - NOT FOR PRODUCTION"),
        ])
        now = dt.datetime.now(dt.UTC)
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=20 * 365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=True, crl_sign=True, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256())
        )
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        tmp = key_path.with_suffix(".tmp")
        tmp.touch(mode=0o600)
        tmp.write_bytes(key_pem)
        tmp.replace(key_path)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cls(key, cert)

    @property
    def pem(self) -> str:
        """The root certificate as PEM (what verifiers add to their trust store)."""
        return self.cert.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def issue(self, spki_der: bytes, subject: SubjectInfo, not_before: dt.datetime,
              not_after: dt.datetime) -> x509.Certificate:
        """Issue an end-entity signing certificate for the public key *spki_der*."""
        public_key = serialization.load_der_public_key(spki_der)
        ca_ski = self.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(subject)).issuer_name(self.cert.subject)
            .public_key(public_key)  # type: ignore[arg-type]
            .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=False, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key),  # type: ignore[arg-type]
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                           critical=False)
        )
        return builder.sign(self.key, hashes.SHA256())


def build_csr(spki_der: bytes, subject: SubjectInfo, sign_algo: str,
              sign_digest: Callable[[bytes], bytes]) -> bytes:
    """Build a DER PKCS#10 request for an HSM key.

    :param sign_algo: asn1crypto name of the signature algorithm (``sha256_rsa`` or ``sha256_ecdsa``).
    :param sign_digest: signs a SHA-256 digest with the HSM key (the key never leaves the token).
    """
    name_der = _name(subject).public_bytes()
    info = asn1_csr.CertificationRequestInfo({
        "version": "v1",
        "subject": asn1_x509.Name.load(name_der),
        "subject_pk_info": asn1_keys.PublicKeyInfo.load(spki_der),
        "attributes": [],
    })
    signature = sign_digest(hashlib.sha256(info.dump()).digest())
    request = asn1_csr.CertificationRequest({
        "certification_request_info": info,
        "signature_algorithm": {"algorithm": sign_algo},
        "signature": signature,
    })
    return bytes(request.dump())
