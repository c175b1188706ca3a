"""edXML test material: where the real sample packages are, a complete package of ours, and the
bad-input corpus (each case: bytes, the refusal class expected, and a fragment of its reason).

The corpus is generated (a 60 MB package is not kept in the repository) from a package our builder
makes, so each case differs from a good package by exactly the fault it names. Other tests (the
axis stand-in, the poller) can feed the same cases through their own path.
"""

from __future__ import annotations

import base64
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from backend.domain.exchange.edxml import errors
from backend.domain.exchange.edxml.attachments import zip_files
from backend.domain.exchange.edxml.build import build
from backend.domain.exchange.edxml.codes import BusinessDocType
from backend.domain.exchange.edxml.limits import MAX_PACKAGE_BYTES
from backend.domain.exchange.edxml.model import (
    Attachment,
    Business,
    Code,
    DocumentType,
    Organ,
    OtherInfo,
    Package,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusMessage,
    TraceHeader,
    document_id,
)

REPO = Path(__file__).resolve().parents[2]
ZIPPED_PDF = zip_files({"15-UBND-VP.pdf": b"%PDF-1.7 test"})


SAMPLES = REPO / "tests/data/edxml"


def samples_dir() -> Path:
    """The three real packages (domain.md §20), kept in ``tests/data/edxml``; ``EDXML_SAMPLES_DIR`` points
    the tests at another copy. A missing package fails the tests that read it: they are never skipped."""
    return Path(os.environ.get("EDXML_SAMPLES_DIR") or SAMPLES)


def our_package(**changes: object) -> Package:
    """A new-document package from UBND xã Nghi Phong with one zipped PDF attachment."""
    promulgated = date(2026, 12, 7)
    values: dict[str, object] = {
        "sender": Organ("000.01.21.H41", "Ủy ban nhân dân xã Nghi Phong", "Ủy ban nhân dân huyện Nghi Lộc",
                        "xã Nghi Phong, huyện Nghi Lộc, tỉnh Nghệ An", "ubnd.nghiphong@nghean.gov.vn",
                        "0238 3861 111"),
        "recipients": (Organ("000.00.00.G09", "Bộ Nội vụ", "Chính phủ"),),
        "document_id": document_id("000.01.21.H41", promulgated, "15", "UBND-VP"),
        "code": Code("15", "UBND-VP"),
        "promulgation_place": "Nghi Phong",
        "promulgation_date": promulgated,
        "document_type": DocumentType("1", "0", "Công văn"),
        "subject": "V/v báo cáo công tác văn thư, lưu trữ năm 2026",
        "business": Business(BusinessDocType.NEW, reason="Văn bản điện tử mới",
                             staff=StaffInfo("Văn phòng", "Lê Thị Hoa", "vanthu@nghiphong.gov.vn", "0912000111")),
        "content": "Báo cáo công tác văn thư, lưu trữ",
        "signer": SignerInfo("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Võ Minh Nam"),
        "due_date": date(2026, 12, 31),
        "to_places": ("Như trên", "Lưu: VT, VP"),
        "other_info": OtherInfo(priority=1, sphere_of_promulgation="Liên thông văn bản quốc gia",
                                typer_notation="LTH", promulgation_amount=3, page_amount=2, direction=False,
                                appendixes=("Phụ lục I",)),
        "steering_type": 0,
        "traces": (TraceHeader("000.01.21.H41", datetime(2026, 12, 7, 9, 30, 0)),),
        "attachments": (Attachment("cid:1", "15-UBND-VP.pdf", ZIPPED_PDF, "application/zip", "Văn bản chính"),),
    }
    values.update(changes)
    return Package(**values)  # type: ignore[arg-type]


def a_status(**changes: object) -> StatusMessage:
    """Bộ Nội vụ reports status 05 on our package (:func:`our_package`)."""
    package = our_package()
    values: dict[str, object] = {
        "sender": Organ("000.00.00.G09", "Bộ Nội vụ", "Chính phủ", "Số 8 Tôn Thất Thuyết, Hà Nội"),
        "response_for": ResponseFor(package.sender.organ_id, f"{package.code.number}/{package.code.notation}",
                                    package.promulgation_date, package.document_id),
        "status_code": "05",
        "timestamp": datetime(2026, 12, 8, 14, 5, 9),
        "description": "Đang xử lý văn bản đến",
        "staff": StaffInfo("Văn phòng Bộ", "Trần Văn Bình", "binh@moha.gov.vn", "0904000222"),
    }
    values.update(changes)
    return StatusMessage(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class BadCase:
    """One bad input: the bytes, the refusal expected, and words its reason must contain."""

    name: str
    make: Callable[[], bytes]
    error: type[errors.EdxmlError]
    reason: str


def _good() -> str:
    return build(our_package()).decode("utf-8")


def _replace(old: str, new: str) -> Callable[[], bytes]:
    def make() -> bytes:
        text = _good()
        assert old in text, old
        return text.replace(old, new, 1).encode("utf-8")
    return make


def _payload(data: bytes) -> Callable[[], bytes]:
    good_payload = base64.b64encode(our_package().attachments[0].data).decode()
    return _replace(good_payload, base64.b64encode(data).decode())


def _without(element: str) -> bytes:
    text = _good()
    start, end = text.index(f"<edXML:{element}>"), text.index(f"</edXML:{element}>") + len(f"</edXML:{element}>")
    return (text[:start] + text[end:]).encode("utf-8")


def _without_content() -> bytes:
    text = _good()
    start = text.index("<ContentTransferEncoded>")
    end = text.index("</ContentTransferEncoded>") + len("</ContentTransferEncoded>")
    return (text[:start] + text[end:]).encode("utf-8")


def _crc_broken_zip() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.pdf", b"%PDF-1.7 original content")
    data = bytearray(buffer.getvalue())
    offset = data.index(b"original")
    data[offset:offset + 8] = b"ORIGINAL"  # the content changes, the stored CRC-32 does not
    return bytes(data)


def _sixty_megabytes() -> bytes:
    head, tail = _good().split("</ContentTransferEncoded>", 1)
    filler = "A" * (60 * 1024 * 1024 - len(head) - len(tail))
    return (head + filler + "</ContentTransferEncoded>" + tail).encode("utf-8")


_LAUGHS = "".join(
    f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, 10)
)
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY lol0 "lol">' + _LAUGHS + ']>'
    '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol9;</edXML>'
).encode()
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&xxe;</edXML>'
)

BAD_CASES: list[BadCase] = [
    BadCase("empty", lambda: b"", errors.MalformedPackageError, "không phải XML"),
    BadCase("malformed", lambda: _good()[: len(_good()) // 2].encode(), errors.MalformedPackageError,
            "không phải XML hợp lệ"),
    BadCase("not xml", lambda: b"%PDF-1.7 not a package", errors.MalformedPackageError, "không phải XML"),
    BadCase("wrong namespace", _replace('xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"', 'xmlns="urn:other"'),
            errors.WrongRootError, "urn:other"),
    BadCase("wrong root", lambda: b'<?xml version="1.0"?><Package xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>',
            errors.WrongRootError, "Package"),
    BadCase("no envelope", lambda: b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>',
            errors.WrongRootError, "thiếu edXMLEnvelope"),
    BadCase("billion laughs", lambda: BILLION_LAUGHS, errors.ForbiddenConstructError, "DOCTYPE"),
    BadCase("external entity", lambda: EXTERNAL_ENTITY, errors.ForbiddenConstructError, "DOCTYPE"),
    BadCase("60 MB package", _sixty_megabytes, errors.PackageTooLargeError, f"vượt giới hạn {MAX_PACKAGE_BYTES} byte"),
    BadCase("attachment over 7.5 MB", lambda: _good().replace(
        base64.b64encode(ZIPPED_PDF).decode(), "A" * 10_000_004).encode(), errors.ElementTooLargeError,
            "mỗi tệp tối đa 7500000 byte"),
    BadCase("attachment without content", lambda: _without_content(), errors.MissingFieldError,
            "Attachment/ContentTransferEncoded"),
    BadCase("bad base64", _replace("<ContentTransferEncoded>", "<ContentTransferEncoded>*not-base64*"),
            errors.AttachmentError, "không giải mã được base64"),
    BadCase("zip is not a zip", _payload(b"plain bytes, no archive"), errors.AttachmentError, "bị hỏng"),
    BadCase("zip CRC mismatch", _payload(_crc_broken_zip()), errors.AttachmentError, "CRC"),
    BadCase("attachment not in manifest", _replace("<edXML:ContentId>cid:1</edXML:ContentId>",
                                                   "<edXML:ContentId>cid:9</edXML:ContentId>"),
            errors.AttachmentError, "cid:"),
    BadCase("invalid date", _replace("<edXML:PromulgationDate>2026/12/07", "<edXML:PromulgationDate>2026/02/30"),
            errors.InvalidValueError, "2026/02/30"),
    BadCase("date in no known form", _replace("<edXML:DueDate>2026/12/31", "<edXML:DueDate>31.12.2026"),
            errors.InvalidValueError, "DueDate"),
    BadCase("invalid timestamp", _replace("2026/12/07 09:30:00", "2026/12/07 25:61:00"),
            errors.InvalidValueError, "TraceHeader/Timestamp"),
    BadCase("unknown business type", _replace("<edXML:BussinessDocType>0", "<edXML:BussinessDocType>7"),
            errors.InvalidValueError, "BussinessDocType “7”"),
    BadCase("priority not a number", _replace("<edXML:Priority>1", "<edXML:Priority>khẩn"),
            errors.InvalidValueError, "OtherInfo/Priority"),
    BadCase("empty document id", lambda: _good().replace(
        f"<edXML:DocumentId>{our_package().document_id}</edXML:DocumentId>", "<edXML:DocumentId/>").encode(),
            errors.MissingFieldError, "DocumentId"),
    BadCase("no recipient", lambda: _without("To"), errors.MissingFieldError, "“To”"),
    BadCase("bad sender identifier", _replace("<edXML:OrganId>000.01.21.H41", "<edXML:OrganId>ubnd nghi phong"),
            errors.InvalidValueError, "mã định danh"),
]
