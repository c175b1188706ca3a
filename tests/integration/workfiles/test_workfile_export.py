"""The exports of a closed file: the XML validates against docs/workfile.xsd; the PDF carries the signed
originals byte for byte, and their signatures still verify (pyHanko and poppler's pdfsig)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import subprocess
from pathlib import Path
from typing import Any

from lxml import etree
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from backend.lib import clock
from tests.support.incoming import make_pdf
from tests.support.workfiles import arrange_incoming, arrange_outgoing, signer

XSD = Path(__file__).resolve().parents[3] / "docs" / "workfile.xsd"


async def _closed_file(api: Any, demo: Any, sessions: Any, settings: Any) -> tuple[Any, int, list[bytes]]:
    specialist = await api("chuyenvien.tinh")
    me = await specialist.user_id(sessions, "chuyenvien.tinh")
    agency = await demo.agency_id("000.00.00.H41")
    originals = [await signer().sign(make_pdf(1, f"Công văn số {i} về việc thử & kiểm tra <hồ sơ>")) for i in range(3)]
    docs = [await arrange_incoming(sessions, settings, agency, number=200 + i, summary=f"Về việc thử <{i}> & xuất",
                                   issued_on=clock.today() - dt.timedelta(days=3 - i), pdf=pdf, assign_to=me)
            for i, pdf in enumerate(originals[:2])]
    outgoing = await arrange_outgoing(sessions, settings, agency, drafter=me, summary="Báo cáo", pdf=originals[2])
    file_id = (await specialist.call("POST", "/api/v1/work-files/", {
        "title": "Hồ sơ xuất thử", "file_notation": "03.TH", "retention": "Vĩnh viễn"})).json()["id"]
    for kind, doc in (("incoming", docs[0]), ("incoming", docs[1]), ("outgoing", outgoing)):
        assert (await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents",
                                      {"kind": kind, "document_id": doc})).status_code == 200
    assert (await specialist.call("POST", f"/api/v1/work-files/{file_id}/close", {})).status_code == 200
    return specialist, file_id, originals


async def test_xml_export_validates_against_the_schema(api: Any, demo: Any, db_sessionmaker: Any,
                                                       settings: Any) -> None:
    specialist, file_id, _ = await _closed_file(api, demo, db_sessionmaker, settings)
    response = await specialist.call("GET", f"/api/v1/work-files/{file_id}/export.xml")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    tree = etree.fromstring(response.content)
    schema.assertValid(tree)
    ns = {"w": "urn:congvan:workfile:1"}
    assert tree.findtext("w:FileCode/w:OrganId", namespaces=ns) == "000.00.00.H41"
    assert tree.findtext("w:DocTotal", namespaces=ns) == "3"
    assert [d.findtext("w:Direction", namespaces=ns) for d in tree.findall("w:Document", ns)] == [
        "incoming", "incoming", "outgoing"]
    assert tree.findall("w:Document", ns)[0].findtext("w:Subject", namespaces=ns) == "Về việc thử <0> & xuất"
    broken = etree.fromstring(response.content.replace(b"<Maintenance>V\xc4\xa9nh vi\xe1\xbb\x85n",
                                                       b"<Maintenance>15 n\xc4\x83m"))
    assert not schema.validate(broken)


async def test_pdf_export_keeps_the_signed_originals(api: Any, demo: Any, db_sessionmaker: Any, settings: Any,
                                                     tmp_path: Path) -> None:
    specialist, file_id, originals = await _closed_file(api, demo, db_sessionmaker, settings)
    response = await specialist.call("GET", f"/api/v1/work-files/{file_id}/export.pdf")
    assert response.status_code == 200
    exported = tmp_path / "ho-so.pdf"
    exported.write_bytes(response.content)
    # two independent readers open it: qpdf checks the structure, poppler lists the attachments
    subprocess.run(["qpdf", "--check", str(exported)], check=True, capture_output=True)
    listing = subprocess.run(["pdfdetach", "-list", str(exported)], check=True, capture_output=True, text=True)
    assert "3 embedded files" in listing.stdout
    text = subprocess.run(["pdftotext", str(exported), "-"], check=True, capture_output=True, text=True).stdout
    assert "MỤC LỤC VĂN BẢN" in text and "0003.pdf" in text
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(exported)], check=True, capture_output=True)
    trust = ValidationContext(trust_roots=[signer().cert])
    for index, original in enumerate(originals, start=1):
        extracted = (tmp_path / f"{index:04d}.pdf").read_bytes()
        assert hashlib.sha256(extracted).digest() == hashlib.sha256(original).digest()
        status = await async_validate_pdf_signature(PdfFileReader(io.BytesIO(extracted)).embedded_signatures[0], trust)
        assert status.intact and status.valid and status.trusted
        pdfsig = subprocess.run(["pdfsig", str(tmp_path / f"{index:04d}.pdf")], capture_output=True, text=True)
        assert "Signature is Valid" in pdfsig.stdout, pdfsig.stdout
    # pyHanko reads the attachments of the export itself, in the file's order
    reader = PdfFileReader(io.BytesIO(response.content))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert [str(names[i]) for i in range(0, len(names), 2)] == ["0001", "0002", "0003"]
    stream = names[1].get_object()["/EF"]["/F"].get_object()
    assert stream.data == originals[0]
