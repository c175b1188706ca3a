"""The three real packages (domain.md §20) parse into the values written in them, including their
oddities: a ``dd/MM/yyyy`` promulgation date, empty signer fields, an SHA-1 signature in the
default namespace, an impossible date inside the ``Bussiness/DocumentId`` (kept as text), and a
``.doc`` attachment sent as a zip whose CRC checks. Each then round-trips through our builder.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from backend.domain.exchange.edxml.attachments import unzip_files
from backend.domain.exchange.edxml.build import build
from backend.domain.exchange.edxml.codes import BusinessDocType
from backend.domain.exchange.edxml.model import Package, ReceiverChange, StatusMessage
from backend.domain.exchange.edxml.parse import parse, parse_package, parse_status
from tests.support.edxml import samples_dir


def _read(name: str) -> bytes:
    return Path(samples_dir(), name).read_bytes()


def test_new_document_package() -> None:
    package = parse_package(_read("edoc_new.edxml"))
    assert package.document_id == "000.00.11.H53,2020/10/30,2491/STC-BCTC"
    assert package.business.doc_type is BusinessDocType.NEW
    assert package.business.reason == "Văn bản điện tử mới"
    assert package.business.document_id == "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"  # 30 February, kept as text
    assert package.business.staff is not None and package.business.staff.staff == "Nguyễn Thị Ngọc Trâm"
    assert (package.sender.organ_id, package.sender.name, package.sender.email) == \
        ("000.00.11.H53", "Sở Tính", "stc@tayninh.gov.vn")
    assert [(r.organ_id, r.name) for r in package.recipients] == [("000.00.01.A53",
                                                                    "Văn phòng tỉnh ủy")]
    assert (package.code.number, package.code.notation) == ("2491", "STC-BCTC")
    assert package.promulgation_date == date(2020, 10, 30)  # written 30/10/2020
    assert package.promulgation_place == "Tây Ninh"
    assert (package.document_type.type, package.document_type.type_name) == ("1", "Công văn")
    assert package.subject == "Báo cáo tài chính tỉnh"
    assert (package.signer.competence, package.signer.position, package.signer.full_name) == ("", "", "")
    assert package.due_date is None
    assert package.other_info.page_amount == 22 and package.other_info.promulgation_amount == 2
    assert package.other_info.direction is False and package.other_info.appendixes == ()
    assert package.steering_type == 1
    assert package.to_places == ("Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP")
    assert package.traces[0].organ_id == "000.00.00.G22" and package.traces[0].timestamp == datetime(2018, 9, 28)
    assert package.signature is not None and b"rsa-sha1" in package.signature
    [attachment] = package.attachments
    assert (attachment.content_id, attachment.name, attachment.zipped) == \
        ("cid:209", "1896_QD-TTg_m_294779.doc", True)
    assert list(unzip_files(attachment.data)) == ["32da2890-1a55-4ccd-9ac9-cd0d98559e67.edxml"]


def test_update_package() -> None:
    package = parse_package(_read("edoc_update.edxml"))
    assert package.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert package.business.doc_type is BusinessDocType.UPDATE
    assert package.sender.organ_id == "000.00.00.G22" and package.sender.name == "Văn phòng Chính phủ"
    assert [r.organ_id for r in package.recipients] == ["000.00.00.H53", "000.00.12.H53", "000.00.00.G17"]
    assert package.promulgation_date == date(2018, 9, 28) and package.due_date == date(2018, 9, 28)
    assert (package.signer.competence, package.signer.full_name) == ("TL. BO TRUONG", "Nguyen Thanh Phuc")
    info = package.business.document_info
    assert info is not None and (info.document_info, info.document_receiver) == ("1", "1")
    assert info.receivers == (ReceiverChange("000.00.00.H41", 0), ReceiverChange("000.00.00.H14", 1))
    assert package.other_info.appendixes == ("Công văn về việc kết nối, liên thông phần mềm quản lý văn bản",)


def test_status_message_05() -> None:
    status = parse_status(_read("status_processing_05.edxml"))
    assert status.status_code == "05" and status.description == "Đang xử lý văn bản đến"
    assert status.sender.organ_id == "000.00.00.H41" and status.sender.telephone == "0383 840418"
    assert status.response_for.organ_id == "000.00.00.G22"
    assert status.response_for.code == "7816/VPCP-TTĐT"
    assert status.response_for.promulgation_date == date(2015, 9, 30)
    assert status.response_for.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert status.timestamp == datetime(2015, 9, 20, 11, 8, 36)
    assert status.staff is not None and status.staff.department == "Phong hanh chinh"


@pytest.mark.parametrize("name", ["edoc_new.edxml", "edoc_update.edxml", "status_processing_05.edxml"])
def test_real_samples_round_trip_through_our_builder(name: str) -> None:
    parsed = parse(_read(name))
    assert isinstance(parsed, Package | StatusMessage)
    assert parse(build(parsed)) == parsed
