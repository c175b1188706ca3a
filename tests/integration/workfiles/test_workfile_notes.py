"""Notes (ghi chú) as members of a work file: in the ordered list, on the page, in both exports, removable
while the file is open and read-only once it is closed; the same through the API and the page forms."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from lxml import etree

from backend.db.models import AuditEvent, WorkFileDocument
from backend.lib import clock
from tests.conftest import csrf_from
from tests.support.incoming import Clients
from tests.support.workfiles import arrange_incoming, arrange_outgoing

XSD = Path(__file__).resolve().parents[3] / "docs" / "workfile.xsd"
NS = {"w": "urn:congvan:workfile:1"}
NOTE = "Đã gọi điện cho phòng Tài chính – Kế hoạch: số liệu quý III sẽ gửi bổ sung trước ngày 15."


async def _links(sessions: Any) -> int:
    async with sessions() as db:
        return int(await db.scalar(sa.select(sa.func.count(WorkFileDocument.id))) or 0)


async def test_notes_sit_in_the_order_show_and_export(api: Any, demo: Any, db_sessionmaker: Any, settings: Any,
                                                      tmp_path: Path) -> None:
    specialist = await api("chuyenvien.tinh")
    me = await specialist.user_id(db_sessionmaker, "chuyenvien.tinh")
    agency = await demo.agency_id("000.00.00.H41")
    incoming = await arrange_incoming(db_sessionmaker, settings, agency, number=600, summary="Về số liệu quý III",
                                      issued_on=clock.today() - dt.timedelta(days=2), assign_to=me)
    draft = await arrange_outgoing(db_sessionmaker, settings, agency, drafter=me, summary="Dự thảo báo cáo quý III")
    file_id = (await specialist.call("POST", "/api/v1/work-files/", {
        "title": "Hồ sơ báo cáo quý III", "file_notation": "07.TH", "retention": "10 năm"})).json()["id"]
    await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents", {"kind": "incoming",
                                                                              "document_id": incoming})
    noted = await specialist.call("POST", f"/api/v1/work-files/{file_id}/notes", {"text": f"  {NOTE}  "})
    assert noted.status_code == 200, noted.text
    # a draft (an outgoing document not yet issued) is a member like any other
    body = (await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents",
                                  {"kind": "outgoing", "document_id": draft})).json()
    assert [(m["kind"], m["position"], m["document_id"]) for m in body["documents"]] == [
        ("incoming", 1, incoming), ("note", 2, None), ("outgoing", 3, draft)]
    assert body["documents"][1]["note"] == NOTE and body["documents"][1]["issued_on"] == clock.today().isoformat()
    assert [e["kind"] for e in body["history"]] == ["open", "add_document", "add_note", "add_document"]

    # refusals leave nothing behind
    before = await _links(db_sessionmaker)
    empty = await specialist.call("POST", f"/api/v1/work-files/{file_id}/notes", {"text": "   "})
    assert empty.status_code == 422 and "Ghi chú" in empty.json()["errors"]["note"]
    long = await specialist.call("POST", f"/api/v1/work-files/{file_id}/notes", {"text": "ă" * 1001})
    assert long.status_code == 422 and "1000" in long.json()["errors"]["note"]
    outsider = await api("vanthu.sonoivu")
    assert (await outsider.call("POST", f"/api/v1/work-files/{file_id}/notes", {"text": NOTE})).status_code == 404
    assert await _links(db_sessionmaker) == before

    # notes move with the documents
    links = [m["link_id"] for m in body["documents"]]
    ordered = await specialist.call("PUT", f"/api/v1/work-files/{file_id}/order",
                                    {"link_ids": [links[1], links[0], links[2]]})
    assert [m["kind"] for m in ordered.json()["documents"]] == ["note", "incoming", "outgoing"]

    page = await specialist.client.get(f"/work-files/{file_id}")
    assert NOTE in page.text and "Văn bản trong hồ sơ (2) · 1 ghi chú" in page.text

    closed = await specialist.call("POST", f"/api/v1/work-files/{file_id}/close", {})
    assert closed.status_code == 200, closed.text
    assert closed.json()["doc_total"] == 2 and closed.json()["page_total"] == 2  # a note is no document

    xml = await specialist.call("GET", f"/api/v1/work-files/{file_id}/export.xml")
    tree = etree.fromstring(xml.content)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(tree)
    members = [etree.QName(el).localname for el in tree if etree.QName(el).localname in ("Document", "Note")]
    assert members == ["Note", "Document", "Document"]
    assert tree.findtext("w:Note/w:Text", namespaces=NS) == NOTE
    assert [d.findtext("w:DocOrdinal", namespaces=NS) for d in tree.findall("w:Document", NS)] == ["1", "2"]
    assert tree.findtext("w:DocTotal", namespaces=NS) == "2"

    pdf = tmp_path / "ho-so.pdf"
    pdf.write_bytes((await specialist.call("GET", f"/api/v1/work-files/{file_id}/export.pdf")).content)
    subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)
    listing = subprocess.run(["pdfdetach", "-list", str(pdf)], check=True, capture_output=True, text=True)
    assert "2 embedded files" in listing.stdout
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert "Số văn bản: 2" in text and "Ghi chú" in text and "phòng Tài chính" in text and "0002.pdf" in text

    # closed: read-only for notes too
    refused = await specialist.call("POST", f"/api/v1/work-files/{file_id}/notes", {"text": NOTE})
    assert refused.status_code == 403 and "đã đóng" in refused.json()["title"]
    assert (await specialist.call("DELETE", f"/api/v1/work-files/{file_id}/documents/{links[1]}")).status_code == 403
    assert await _links(db_sessionmaker) == 3
    async with db_sessionmaker() as db:
        actions = (await db.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "workfiles", AuditEvent.object_id == str(file_id),
            AuditEvent.action.like("workfiles.note%")))).all()
    assert actions == ["workfiles.note_added"]


async def _open_on_page(specialist: Any, title: str, notation: str) -> int:
    """Open a work file through the page's form, as the specialist would; its id."""
    page = await specialist.get("/work-files/")
    opened = await specialist.post("/work-files/", data={"_csrf_token": csrf_from(page.text), "title": title,
                                                         "file_notation": notation, "retention": "5 năm"})
    return int(opened.headers["location"].rsplit("/", 1)[1])


async def test_notes_through_the_page_and_a_file_of_notes_only(client: Any, login: Any, demo: Any,
                                                               db_sessionmaker: Any) -> None:
    clients = Clients(client, login)
    specialist = await clients("chuyenvien.tinh")
    file_id = await _open_on_page(specialist, "Hồ sơ ghi chú", "09.TH")
    detail = await specialist.get(f"/work-files/{file_id}")
    assert 'id="wf-note"' in detail.text
    token = csrf_from(detail.text)
    added = await specialist.post(f"/work-files/{file_id}/notes", data={"_csrf_token": token, "text": NOTE})
    assert added.status_code == 303
    shown = await specialist.get(f"/work-files/{file_id}")
    assert "Đã thêm ghi chú vào hồ sơ." in shown.text and NOTE in shown.text
    empty = await specialist.post(f"/work-files/{file_id}/notes", data={"_csrf_token": token, "text": ""})
    assert empty.status_code == 303
    assert "Chưa nhập Ghi chú" in (await specialist.get(f"/work-files/{file_id}")).text
    assert await _links(db_sessionmaker) == 1

    # a file holding only notes holds no document: it cannot be closed
    close = await specialist.post(f"/work-files/{file_id}/close", data={"_csrf_token": token,
                                                                        "end_date": clock.today().isoformat()})
    assert close.status_code == 303
    assert "chưa có văn bản" in (await specialist.get(f"/work-files/{file_id}")).text.lower()

    async with db_sessionmaker() as db:
        link_id = int(await db.scalar(sa.select(WorkFileDocument.id)) or 0)
    removed = await specialist.post(f"/work-files/{file_id}/remove", data={"_csrf_token": token,
                                                                           "link_id": str(link_id)})
    assert removed.status_code == 303
    after = await specialist.get(f"/work-files/{file_id}")
    assert "Đã rút khỏi hồ sơ." in after.text and NOTE not in after.text
    assert await _links(db_sessionmaker) == 0


async def test_the_page_moves_a_member_one_place_up_or_down(client: Any, login: Any, demo: Any,
                                                            db_sessionmaker: Any) -> None:
    clients = Clients(client, login)
    specialist = await clients("chuyenvien.tinh")
    file_id = await _open_on_page(specialist, "Hồ sơ thứ tự", "10.TH")
    token = csrf_from((await specialist.get(f"/work-files/{file_id}")).text)
    for text in ("Ghi chú thứ nhất", "Ghi chú thứ hai", "Ghi chú thứ ba"):
        assert (await specialist.post(f"/work-files/{file_id}/notes",
                                      data={"_csrf_token": token, "text": text})).status_code == 303

    async def order() -> list[str]:
        async with db_sessionmaker() as db:
            return list((await db.scalars(sa.select(WorkFileDocument.note).where(
                WorkFileDocument.work_file_id == file_id).order_by(WorkFileDocument.position))).all())

    async def move(text: str, direction: str) -> str:
        async with db_sessionmaker() as db:
            link_id = await db.scalar(sa.select(WorkFileDocument.id).where(WorkFileDocument.note == text))
        moved = await specialist.post(f"/work-files/{file_id}/move", data={
            "_csrf_token": token, "link_id": str(link_id), "direction": direction})
        assert moved.status_code == 303
        return (await specialist.get(f"/work-files/{file_id}")).text

    shown = await move("Ghi chú thứ ba", "up")
    assert "Đã đổi thứ tự trong hồ sơ." in shown
    assert await order() == ["Ghi chú thứ nhất", "Ghi chú thứ ba", "Ghi chú thứ hai"]
    assert shown.index("Ghi chú thứ ba") < shown.index("Ghi chú thứ hai")
    await move("Ghi chú thứ nhất", "up")  # already first: nothing changes
    await move("Ghi chú thứ nhất", "down")
    assert await order() == ["Ghi chú thứ ba", "Ghi chú thứ nhất", "Ghi chú thứ hai"]
    refused = await move("Ghi chú thứ hai", "sideways")
    assert "Văn bản này không có trong hồ sơ." in refused
    assert await order() == ["Ghi chú thứ ba", "Ghi chú thứ nhất", "Ghi chú thứ hai"]
    async with db_sessionmaker() as db:
        moves = (await db.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.object_id == str(file_id), AuditEvent.action == "workfiles.reordered"))).all()
    assert len(moves) == 2
