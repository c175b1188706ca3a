"""Every package and status message we build parses back to the same values (property-style over
300 seeded random values), the builder refuses what QCVN 102 does not allow, and ``DocumentId``
is built as the standard says.
"""

from __future__ import annotations

import random
import string
from datetime import date, datetime, timedelta

import pytest
from lxml import etree

from backend.domain.exchange.edxml.attachments import unzip_files, zip_files
from backend.domain.exchange.edxml.build import build, build_tree, signature_parent, to_bytes
from backend.domain.exchange.edxml.codes import BusinessDocType, StatusCode
from backend.domain.exchange.edxml.errors import (
    ElementTooLargeError,
    FieldTooLongError,
    InvalidValueError,
    MissingFieldError,
)
from backend.domain.exchange.edxml.limits import FIELD_LIMITS, MAX_ATTACHMENT_BYTES
from backend.domain.exchange.edxml.model import (
    Attachment,
    Business,
    BusinessDocumentInfo,
    Code,
    DocumentType,
    Organ,
    OtherInfo,
    Package,
    ReceiverChange,
    Replacement,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusMessage,
    TraceHeader,
    document_id,
)
from backend.domain.exchange.edxml.parse import parse
from backend.domain.exchange.edxml.xmlsafe import NS
from tests.support.edxml import a_status, our_package

_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩị" \
           "òóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ0123456789"
_AWKWARD = " &<>\"'/,.;:-–()[]{}%#@!?\u00a0"


def _text(rng: random.Random, limit: int, *, empty: bool = True) -> str:
    if empty and rng.random() < 0.2:
        return ""
    length = rng.randint(1, min(limit, 60 if rng.random() < 0.9 else limit))
    chars = [rng.choice(_LETTERS if rng.random() < 0.8 else _AWKWARD) for _ in range(length)]
    value = "".join(chars).strip()
    return value or rng.choice(_LETTERS)


def _organ_id(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return f"{rng.randint(0, 999):03d}.{rng.randint(0, 99):02d}.{rng.randint(0, 99):02d}." \
               f"{rng.choice('AGHK')}{rng.randint(0, 99):02d}"
    return "".join(rng.choice(string.ascii_uppercase + string.digits + ".") for _ in range(rng.randint(3, 35)))


def _organ(rng: random.Random) -> Organ:
    return Organ(_organ_id(rng), *(_text(rng, FIELD_LIMITS[f]) for f in (
        "OrganName", "OrganizationInCharge", "OrganAdd", "Email", "Telephone", "Fax", "Website")))


def _date(rng: random.Random) -> date:
    return date(2000, 1, 1) + timedelta(days=rng.randint(0, 15000))


def _moment(rng: random.Random) -> datetime:
    return datetime(2000, 1, 1) + timedelta(seconds=rng.randint(0, 10**9))


def _attachment(rng: random.Random, index: int) -> Attachment:
    payload = rng.randbytes(rng.randint(0, 3000))
    name = f"{_text(rng, 40, empty=False)}.pdf"
    if rng.random() < 0.5:
        return Attachment(f"cid:{index}", name, zip_files({name: payload}), "application/zip", _text(rng, 100))
    return Attachment(f"cid:{index}", name, payload, "application/pdf", _text(rng, 100))


def random_package(rng: random.Random) -> Package:
    """A package with every optional part present or absent at random."""
    code = Code(str(rng.randint(1, 99999)), _text(rng, 30, empty=False).replace(" ", "-"))
    promulgated = _date(rng)
    sender = _organ(rng)
    doc_type = rng.choice(list(BusinessDocType))
    staff = StaffInfo(*(_text(rng, FIELD_LIMITS[f]) for f in ("Department", "Staff", "Email", "Mobile")))
    business = Business(
        doc_type=doc_type,
        document_id=document_id(sender.organ_id, _date(rng), "1", "X") if doc_type else "",
        reason=_text(rng, 500),
        paper=rng.randint(0, 1),
        document_info=BusinessDocumentInfo("1", rng.choice(["0", "1"]), tuple(
            ReceiverChange(_organ_id(rng), rng.randint(0, 1)) for _ in range(rng.randint(0, 3))))
        if doc_type == BusinessDocType.UPDATE else None,
        staff=staff if rng.random() < 0.7 else None,
        replacements=tuple(Replacement(document_id(_organ_id(rng), _date(rng), "2", "Y"),
                                       tuple(_organ_id(rng) for _ in range(rng.randint(0, 3))))
                           for _ in range(rng.randint(1, 2))) if doc_type == BusinessDocType.REPLACE else (),
    )
    return Package(
        sender=sender,
        recipients=tuple(_organ(rng) for _ in range(rng.randint(1, 5))),
        document_id=document_id(sender.organ_id, promulgated, code.number, code.notation),
        code=code,
        promulgation_place=_text(rng, 100),
        promulgation_date=promulgated,
        document_type=DocumentType(str(rng.randint(0, 40)), str(rng.randint(0, 3)), _text(rng, 100)),
        subject=_text(rng, 500),
        business=business,
        content=_text(rng, 2000),
        signer=SignerInfo(_text(rng, 100), _text(rng, 100), _text(rng, 50)),
        due_date=_date(rng) if rng.random() < 0.5 else None,
        to_places=tuple(_text(rng, 100, empty=False) for _ in range(rng.randint(0, 4))),
        other_info=OtherInfo(
            priority=rng.randint(0, 4),
            sphere_of_promulgation=_text(rng, 200),
            typer_notation=_text(rng, 20),
            promulgation_amount=rng.choice([None, rng.randint(0, 999)]),
            page_amount=rng.choice([None, rng.randint(0, 999)]),
            direction=rng.choice([None, True, False]),
            appendixes=tuple(_text(rng, 500, empty=False) for _ in range(rng.randint(0, 3))),
        ),
        response_for=tuple(ResponseFor(_organ_id(rng), f"{rng.randint(1, 999)}/UBND-VP",
                                       rng.choice([None, _date(rng)]), _text(rng, 80))
                           for _ in range(rng.randint(0, 2))),
        steering_type=rng.choice([None, 0, 1, 2]),
        traces=tuple(TraceHeader(_organ_id(rng), _moment(rng)) for _ in range(rng.randint(0, 3))),
        attachments=tuple(_attachment(rng, i) for i in range(rng.randint(0, 3))),
    )


def random_status(rng: random.Random) -> StatusMessage:
    return StatusMessage(
        sender=_organ(rng),
        response_for=ResponseFor(_organ_id(rng), f"{rng.randint(1, 999)}/QĐ-UBND", _date(rng),
                                 document_id(_organ_id(rng), _date(rng), "7", "QĐ-UBND")),
        status_code=rng.choice([c.value for c in StatusCode]),
        timestamp=_moment(rng),
        description=_text(rng, 500),
        staff=rng.choice([None, StaffInfo(_text(rng, 50), _text(rng, 50), _text(rng, 50), _text(rng, 20))]),
    )


@pytest.mark.parametrize("seed", range(200))
def test_random_packages_round_trip(seed: int) -> None:
    package = random_package(random.Random(seed))
    assert parse(build(package)) == package


@pytest.mark.parametrize("seed", range(100))
def test_random_status_messages_round_trip(seed: int) -> None:
    status = random_status(random.Random(seed))
    assert parse(build(status)) == status


def test_our_package_round_trips_and_its_attachment_unzips() -> None:
    parsed = parse(build(our_package()))
    assert parsed == our_package()
    assert isinstance(parsed, Package)
    assert unzip_files(parsed.attachments[0].data) == {"15-UBND-VP.pdf": b"%PDF-1.7 test"}
    assert parse(build(a_status())) == a_status()


def test_document_id_is_built_as_the_standard_says() -> None:
    assert document_id("000.00.00.G22", date(2015, 9, 30), "7816", "VPCP-TTĐT") == \
        "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert our_package().document_id == "000.01.21.H41,2026/12/07,15/UBND-VP"


def test_a_symbol_over_30_characters_is_refused() -> None:
    long_symbol = "UBND-" + "X" * 26
    with pytest.raises(FieldTooLongError) as caught:
        build(our_package(code=Code("15", long_symbol)))
    assert caught.value.reason == "trường “CodeNotation” dài 31 ký tự, vượt giới hạn 30 ký tự của QCVN 102"
    assert len(build(our_package(code=Code("15", long_symbol[:30])))) > 0


@pytest.mark.parametrize(("field", "changes"), [
    ("Subject", {"subject": "x" * 501}),
    ("FullName", {"signer": SignerInfo("TM.", "CHỦ TỊCH", "N" * 51)}),
    ("CodeNumber", {"code": Code("1" * 12, "QĐ-UBND")}),
    ("OrganName", {"recipients": (Organ("000.00.00.G09", "B" * 201),)}),
    ("PageAmount", {"other_info": OtherInfo(page_amount=1000)}),
])
def test_every_limited_field_is_refused_when_too_long(field: str, changes: dict[str, object]) -> None:
    with pytest.raises(FieldTooLongError) as caught:
        build(our_package(**changes))
    assert f"“{field}”" in caught.value.reason


def test_the_builder_refuses_an_attachment_the_parser_could_not_read() -> None:
    fits = Attachment("cid:1", "a.pdf", bytes(MAX_ATTACHMENT_BYTES), "application/pdf")
    parsed = parse(build(our_package(attachments=(fits,))))
    assert isinstance(parsed, Package) and len(parsed.attachments[0].data) == MAX_ATTACHMENT_BYTES
    with pytest.raises(ElementTooLargeError):
        build(our_package(attachments=(Attachment("cid:1", "a.pdf", bytes(MAX_ATTACHMENT_BYTES + 1)),)))


def test_the_builder_refuses_bad_identifiers_control_characters_and_no_recipient() -> None:
    with pytest.raises(InvalidValueError, match="mã định danh"):
        build(our_package(recipients=(Organ("bộ nội vụ"),)))
    with pytest.raises(InvalidValueError, match="ký tự điều khiển"):
        build(our_package(subject="V/v \x01"))
    with pytest.raises(MissingFieldError):
        build(our_package(recipients=()))


def test_the_signature_hook_places_an_enveloped_signature_in_the_header_and_parsing_keeps_it() -> None:
    tree = build_tree(our_package())
    header = signature_parent(tree)
    assert etree.QName(header).localname == "edXMLHeader" and etree.QName(header).namespace == NS
    dsig = "http://www.w3.org/2000/09/xmldsig#"
    signature = etree.SubElement(header, f"{{{dsig}}}Signature", nsmap={None: dsig})
    etree.SubElement(signature, f"{{{dsig}}}SignatureValue").text = "c2ln"
    parsed = parse(to_bytes(tree))
    assert parsed == our_package()  # the signature is kept beside the values, not compared
    assert isinstance(parsed, Package) and parsed.signature is not None
    assert parsed.signature.startswith(b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"')
    assert b"<SignatureValue>c2ln</SignatureValue></Signature>" in parsed.signature
