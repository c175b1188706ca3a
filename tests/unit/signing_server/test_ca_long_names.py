"""The development CA issues certificates for agencies whose real name is longer than X.509 allows (64)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from signing_server.ca import NAME_FIELD_LIMIT, DevCa, SubjectInfo

LONG_NAME = "Sở Nông nghiệp và Phát triển nông thôn tỉnh Nghệ An"  # 50 characters, 68 UTF-8 bytes


def test_long_agency_name_is_shortened_at_a_word_boundary(tmp_path: Path) -> None:
    assert len(LONG_NAME.encode()) > NAME_FIELD_LIMIT
    ca = DevCa.load_or_create(tmp_path / "ca")
    spki = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    now = dt.datetime.now(dt.UTC)
    cert = ca.issue(spki, SubjectInfo(common_name=LONG_NAME, organization=LONG_NAME, user_id="000.00.31.H41"),
                    now, now + dt.timedelta(days=30))
    organization = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    common_name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert organization == common_name
    assert isinstance(organization, str)
    assert 32 < len(organization.encode()) <= NAME_FIELD_LIMIT
    assert LONG_NAME.startswith(organization) and LONG_NAME[len(organization)] == " "


def test_short_names_are_kept_whole(tmp_path: Path) -> None:
    ca = DevCa.load_or_create(tmp_path / "ca")
    spki = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    now = dt.datetime.now(dt.UTC)
    cert = ca.issue(spki, SubjectInfo(common_name="Hồ Minh Vinh", organization="Ủy ban nhân dân tỉnh Nghệ An",
                                      user_id="lanhdao.tinh"), now, now + dt.timedelta(days=30))
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Ủy ban nhân dân tỉnh Nghệ An"
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Hồ Minh Vinh"
