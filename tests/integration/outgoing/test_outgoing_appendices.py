"""Separate-file appendices end to end with the REAL signing server (SoftHSM) on the test database.

A draft with two appendix PDFs goes through the whole flow. At the clerk's seal every appendix gets
exactly one agency signature of its own (domain.md §11.3): valid in pyHanko against the dev CA and
in poppler's pdfsig, its widget at the top right of page 1, no image in its appearance, the text
"number/symbol" and the ISO 8601 time with +07:00 in 10 pt black FreeSerif, the original bytes
kept (incremental update). An appendix pyHanko cannot extend refuses the seal before the OTP is
used: nothing changes and the same code seals another document.

At issue the recipient agency gets both appendices as attachments of its incoming document (same
blob, its own stored-file rows), each verified on receipt (§12.2) and shown in plain words; they
download with the main file's scoping (another agency: 404; another document's path: 404; after a
recall: 410). An appendix altered on the way is reported as modified, per file, and the
return-to-sender reason names it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from asn1crypto import pem, x509
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import AuditEvent, OutgoingAppendix, OutgoingDocument, OutgoingVersion, StoredFile
from backend.domain.documents.files import blob_store
from backend.domain.signing.samples import FONT_DIR
from backend.lib import clock
from tests.support.outgoing import Api, create_draft, fresh_otp, ids, run_jobs, tamper_signed
from tests.support.signing import SigningEnv

LEADER = "lanhdao.xanghiphong"
AGENCY = "000.01.21.H41"
SENDER_NAME = "Ủy ban nhân dân xã Nghi Phong"
TITLES = ("Danh mục hồ sơ công việc cần số hóa năm 2026", "Kế hoạch đào tạo kỹ năng số cho công chức xã")
ISO_VN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00")


def appendix_pdf(numeral: str, title: str, pages: int) -> bytes:
    """An A4 appendix in FreeSerif: "Phụ lục <numeral>", its title in capitals, numbered rows of Vietnamese text."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(left=30, top=25, right=15)
    pdf.add_font("FreeSerif", "", fname=str(FONT_DIR / "FreeSerif.otf"))
    pdf.add_font("FreeSerif", "B", fname=str(FONT_DIR / "FreeSerifBold.otf"))
    row = 0
    for page in range(pages):
        pdf.add_page()
        if page == 0:
            pdf.set_font("FreeSerif", "B", 14)
            pdf.cell(0, 8, f"Phụ lục {numeral}", align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("FreeSerif", "B", 13)
            pdf.multi_cell(0, 7, title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_font("FreeSerif", "", 13)
        for _ in range(10):
            row += 1
            pdf.multi_cell(0, 7, f"{row}. Thôn Đông Hải: rà soát hồ sơ, cập nhật văn bản điện tử, người phụ trách "
                                 f"công chức Văn phòng - Thống kê; thời hạn quý {1 + row % 4} năm 2026.",
                           new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def broken_xref(pdf: bytes) -> bytes:
    """The same PDF with one comment line after the header: every xref offset is now wrong.

    Lenient readers (pypdf, poppler for page images) rebuild the table and accept it;
    pyHanko, which must append to the file, cannot.
    """
    cut = pdf.index(b"\n") + 1
    return pdf[:cut] + b"% exported again by an old office suite\n" + pdf[cut:]


async def _actors(client: AsyncTestClient[Litestar]) -> tuple[Api, Api, Api, Api]:
    return (await Api(client).login("chuyenvien.xanghiphong"), await Api(client).login("truongphong.xanghiphong"),
            await Api(client).login("vanthu.xanghiphong"), await Api(client).login(LEADER))


async def _draft_with_appendices(drafter: Api, ids_: dict[str, int], appendices: list[tuple[str, bytes]]) -> int:
    """A draft (main file + recipients) to which the drafter adds each appendix with the page's upload form."""
    doc_id = await create_draft(drafter, ids_)
    for index, (title, pdf) in enumerate(appendices, start=1):
        response = await drafter.post(f"/outgoing/{doc_id}/files", data={"kind": "appendix", "title": title},
                                      files={"file": (f"phu-luc-{index}.pdf", pdf, "application/pdf")})
        assert response.status_code == 303, response.text[:2000]
    return doc_id


async def _to_numbered(drafter: Api, head: Api, clerk: Api, doc_ids: list[int], leader: Api,
                       out_signing: SigningEnv) -> None:
    for doc_id in doc_ids:
        assert (await drafter.act(doc_id, "submit")).status_code == 200
        assert (await head.act(doc_id, "approve")).status_code == 200
        assert (await clerk.act(doc_id, "format_ok")).json()["state"] == "awaiting_signature"
    signed = await leader.post("/api/v1/outgoing/sign-batch",
                               json={"doc_ids": doc_ids, "otp": await fresh_otp(out_signing, LEADER)})
    assert signed.status_code == 200, signed.text
    for doc_id in doc_ids:
        numbered = await clerk.act(doc_id, "number")
        assert numbered.status_code == 200 and numbered.json()["state"] == "registered", numbered.text


async def _appendix_rows(settings: Settings, doc_id: int) -> list[OutgoingAppendix]:
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            return list((await db.scalars(sa.select(OutgoingAppendix).where(OutgoingAppendix.outgoing_id == doc_id)
                                          .order_by(OutgoingAppendix.ordinal))).all())
    finally:
        await engine.dispose()


async def _db_facts(settings: Settings, doc_id: int) -> dict[str, Any]:
    """State, versions, sealed appendix files and seal audit rows of a document, straight from the database."""
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            doc = await db.get(OutgoingDocument, doc_id)
            assert doc is not None
            versions = await db.scalar(sa.select(sa.func.count()).select_from(OutgoingVersion)
                                       .where(OutgoingVersion.outgoing_id == doc_id))
            sealed = list((await db.scalars(sa.select(OutgoingAppendix.sealed_file_id)
                                            .where(OutgoingAppendix.outgoing_id == doc_id))).all())
            audits = await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
                AuditEvent.object_type == "outgoing", AuditEvent.object_id == str(doc_id),
                AuditEvent.action.like("%seal%")))
            return {"state": str(getattr(doc.state, "value", doc.state)), "versions": int(versions or 0),
                    "sealed_at": doc.sealed_at, "sealed_files": sealed, "seal_audits": int(audits or 0)}
    finally:
        await engine.dispose()


async def _audit_actions(settings: Settings, incoming_id: int) -> list[str]:
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            return list((await db.scalars(sa.select(AuditEvent.action).where(
                AuditEvent.object_type == "incoming", AuditEvent.object_id == str(incoming_id))
                .order_by(AuditEvent.id))).all())
    finally:
        await engine.dispose()


def _xobject_subtypes(stream: Any) -> list[str]:
    """Subtypes of every XObject an appearance stream draws, following nested form XObjects."""
    found: list[str] = []
    resources = stream.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    for ref in (xobjects.get_object().values() if xobjects is not None else []):
        obj = ref.get_object()
        found.append(str(obj.get("/Subtype")))
        if obj.get("/Subtype") == "/Form":
            found += _xobject_subtypes(obj)
    return found


def _appearance_fonts(stream: Any) -> list[str]:
    """Base font names used by an appearance stream and its nested form XObjects."""
    names: list[str] = []
    resources = stream.get("/Resources")
    if resources is None:
        return names
    resources = resources.get_object()
    for ref in (resources.get("/Font") or DictionaryObject()).values():
        names.append(str(ref.get_object().get("/BaseFont")))
    for ref in (resources.get("/XObject") or DictionaryObject()).values():
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Form":
            names += _appearance_fonts(obj)
    return names


def _appearance_data(stream: Any) -> bytes:
    data = stream.get_data()
    resources = stream.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    for ref in (xobjects.get_object().values() if xobjects is not None else []):
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Form":
            data += b"\n" + _appearance_data(obj)
    return data


def _signature_widgets(pdf: bytes) -> list[tuple[int, str, tuple[float, ...], Any]]:
    """(page index, field name, rectangle, normal appearance) of every signature widget."""
    out = []
    for index, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        for annot in page.get("/Annots", []) or []:
            obj = annot.get_object()
            if obj.get("/FT") == "/Sig":
                out.append((index, str(obj["/T"]), tuple(float(v) for v in obj["/Rect"]),
                            obj["/AP"]["/N"].get_object()))
    return out


async def _check_sealed_appendix(sealed: bytes, original: bytes, reference: str, roots: list[x509.Certificate],
                                 out_nss: str, path: Path) -> None:
    assert sealed.startswith(original), "the appendix must be signed by an incremental update"
    sigs = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    assert len(sigs) == 1
    status = await async_validate_pdf_signature(sigs[0], ValidationContext(trust_roots=roots))
    assert status.intact and status.valid and status.trusted and status.bottom_line, status.pretty_print_details()
    assert status.signing_cert.subject.native["common_name"] == SENDER_NAME

    widgets = _signature_widgets(sealed)
    assert len(widgets) == 1
    page_index, name, rect, appearance = widgets[0]
    assert page_index == 0 and name.startswith("chu_ky_co_quan_phu_luc")
    media = PdfReader(io.BytesIO(sealed)).pages[0].mediabox
    width, height = float(media.width), float(media.height)
    x0, y0, x1, y1 = min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])
    assert width * 0.55 < x0 < x1 <= width and height * 0.85 < y0 < y1 <= height, (rect, width, height)
    assert "/Image" not in _xobject_subtypes(appearance)
    assert any("FreeSerif" in font for font in _appearance_fonts(appearance))
    drawn = _appearance_data(appearance)
    assert re.search(rb"/F\w*\s+10(\.0+)?\s+Tf", drawn), drawn[:400]
    assert re.search(rb"\b0(\.0+)?\s+0(\.0+)?\s+0(\.0+)?\s+rg", drawn), drawn[:400]

    path.write_bytes(sealed)
    first_page = subprocess.run(["pdftotext", "-q", "-f", "1", "-l", "1", str(path), "-"], capture_output=True,
                                text=True).stdout
    assert reference in first_page, first_page[:600]
    stamps = ISO_VN.findall(first_page)
    assert len(stamps) == 1, first_page[:600]
    moment = dt.datetime.fromisoformat(stamps[0])
    assert abs((dt.datetime.now(dt.UTC) - moment).total_seconds()) < 600
    pdfsig = subprocess.run(["pdfsig", "-nssdir", out_nss, str(path)], capture_output=True, text=True).stdout
    assert pdfsig.count("Signature is Valid.") == 1 and "Total document signed" in pdfsig, pdfsig


async def test_appendices_sealed_each_with_one_valid_agency_signature_then_delivered_verified_and_scoped(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv, out_nss: str,
        tmp_path: Path) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk, leader = await _actors(client)
    receiver = await Api(client).login("vanthu.xanghithai")
    originals = [appendix_pdf("I", TITLES[0], 2), appendix_pdf("II", TITLES[1], 1)]
    doc_id = await _draft_with_appendices(drafter, ids_, list(zip(TITLES, originals, strict=True)))
    await _to_numbered(drafter, head, clerk, [doc_id], leader, out_signing)
    sealed_response = await clerk.act(doc_id, "seal", otp=await fresh_otp(out_signing, AGENCY))
    assert sealed_response.status_code == 200, sealed_response.text
    body = sealed_response.json()
    reference = f"{body['code_number']}/{body['code_notation']}"
    assert reference == "01/UBND-ĐCXD"

    rows = await _appendix_rows(settings, doc_id)
    assert [(r.ordinal, r.title) for r in rows] == [(1, TITLES[0]), (2, TITLES[1])]
    assert all(r.sealed_file_id is not None for r in rows)
    roots = [x509.Certificate.load(der) for _, _, der in pem.unarmor(out_signing.ca_pem, multiple=True)]
    sealed: list[bytes] = []
    for row, original in zip(rows, originals, strict=True):
        response = await clerk.get(f"/outgoing/{doc_id}/files/{row.sealed_file_id}")
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
        await _check_sealed_appendix(response.content, original, reference, roots, out_nss,
                                     tmp_path / f"sealed-{row.ordinal}.pdf")
        sealed.append(response.content)
    page = await clerk.get(f"/outgoing/{doc_id}")
    assert page.text.count('<span class="pill">đã ký số cơ quan</span>') == 2

    issued = await clerk.act(doc_id, "issue")
    assert issued.status_code == 200 and issued.json()["state"] == "issued", issued.text
    await run_jobs(settings)

    arrived = [d for d in (await receiver.get("/api/v1/incoming?inbox=to_register")).json()["items"]
               if d["code_notation"] == "UBND-ĐCXD"]
    assert len(arrived) == 1
    incoming_id = arrived[0]["id"]
    detail = (await receiver.get(f"/api/v1/incoming/{incoming_id}")).json()
    # the recipient reads the signer block as the sender drafted it: authority, whom it signs for, position
    assert detail["signer_position"].startswith("TM. ỦY BAN NHÂN DÂN / "), detail["signer_position"]
    attachments = detail["attachments"]
    assert [(a["position"], a["title"], a["page_count"]) for a in attachments] == [(1, TITLES[0], 2),
                                                                                  (2, TITLES[1], 1)]
    assert [a["sha256"] for a in attachments] == [hashlib.sha256(p).hexdigest() for p in sealed]
    for attachment in attachments:
        assert attachment["verified_ok"] is True
        assert [(c["verdict"], c["signer"]) for c in attachment["checks"]] == [("valid", SENDER_NAME)]
    receipt = (await receiver.get(f"/api/v1/exchange/receipts/{incoming_id}")).json()
    assert receipt["verified_ok"] is True and [c["verdict"] for c in receipt["checks"]] == ["valid", "valid"]

    for attachment, expected in zip(attachments, sealed, strict=True):
        download = await receiver.get(attachment["file_url"])
        assert download.status_code == 200 and download.content == expected
        assert download.headers["content-type"] == "application/pdf"
        assert "attachment" in download.headers["content-disposition"]
        again = await receiver.get(attachment["file_url"], headers={"If-None-Match": download.headers["etag"]})
        assert again.status_code == 304

    html = (await receiver.get(f"/incoming/{incoming_id}")).text
    assert "Phụ lục kèm theo (2 tệp riêng)" in html
    for attachment, title in zip(attachments, TITLES, strict=True):
        assert title in html and attachment["file_url"] in html
    assert "2 trang" in html and "1 trang" in html
    assert html.count("Chữ ký số hợp lệ") == 2
    assert "Phụ lục 1 ·" in html and "Phụ lục 2 ·" in html  # the receipt card, per file
    assert "Kèm 2 phụ lục (tệp riêng)." in html

    first = attachments[0]["file_url"]
    for outsider in ("vanthu.xadienkim", "vanthu.xanghiphong"):  # another commune, and the sender itself
        other = await Api(client).login(outsider)
        assert (await other.get(first)).status_code == 404
        assert (await other.get(f"/api/v1/incoming/{incoming_id}")).status_code == 404
    own = await receiver.post("/api/v1/incoming", data={
        "document_type_id": str(ids_["cong_van"]), "code_number": "125", "code_notation": "UBND-VP",
        "issuer_name": "Ủy ban nhân dân huyện Nghi Lộc", "issued_on": clock.today().isoformat(),
        "summary": "Về việc báo cáo số liệu", "signer_position": "Chủ tịch", "signer_name": "Lê Minh Việt",
        "urgency": "normal", "source": "electronic", "action": "register"},
        files={"file": ("cv-125.pdf", originals[1], "application/pdf")})
    assert own.status_code == 201, own.text
    assert own.json()["attachments"] == []
    crossed = f"/incoming/{own.json()['id']}/attachments/{attachments[0]['id']}/file"
    assert (await receiver.get(crossed)).status_code == 404  # an appendix only through its own document
    assert (await receiver.get(f"/incoming/{incoming_id}/attachments/999999/file")).status_code == 404

    actions = await _audit_actions(settings, incoming_id)
    assert "incoming.attachments_received" in actions
    assert actions.count("incoming.attachment_downloaded") == 2  # the 304s are not downloads

    recall = await leader.act(doc_id, "recall", reason="Sai số liệu phụ lục")
    assert recall.status_code == 200
    await run_jobs(settings)
    assert (await receiver.get(first)).status_code == 410
    notice = (await receiver.get(f"/incoming/{incoming_id}")).text
    assert "thu hồi" in notice and TITLES[0] in notice and first not in notice


async def test_appendix_altered_on_the_way_is_reported_modified_per_file(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk, leader = await _actors(client)
    receiver = await Api(client).login("vanthu.xanghithai")
    doc_id = await _draft_with_appendices(drafter, ids_, [(TITLES[0], appendix_pdf("I", TITLES[0], 1)),
                                                          (TITLES[1], appendix_pdf("II", TITLES[1], 1))])
    await _to_numbered(drafter, head, clerk, [doc_id], leader, out_signing)
    assert (await clerk.act(doc_id, "seal", otp=await fresh_otp(out_signing, AGENCY))).status_code == 200
    assert (await clerk.act(doc_id, "issue")).json()["state"] == "issued"

    rows = await _appendix_rows(settings, doc_id)
    second = (await clerk.get(f"/outgoing/{doc_id}/files/{rows[1].sealed_file_id}")).content
    path = blob_store(settings).path_for(hashlib.sha256(second).hexdigest())
    assert path.read_bytes() == second
    path.write_bytes(tamper_signed(second))  # altered in storage/transport before the delivery job runs
    await run_jobs(settings)

    incoming_id = next(d["id"] for d in (await receiver.get("/api/v1/incoming?inbox=to_register")).json()["items"]
                       if d["code_notation"] == "UBND-ĐCXD")
    attachments = (await receiver.get(f"/api/v1/incoming/{incoming_id}")).json()["attachments"]
    assert [a["verified_ok"] for a in attachments] == [True, False]
    assert [c["verdict"] for c in attachments[0]["checks"]] == ["valid"]
    assert [c["verdict"] for c in attachments[1]["checks"]] == ["modified"]
    assert "đã bị sửa" in attachments[1]["checks"][0]["message"]
    receipt = (await receiver.get(f"/api/v1/exchange/receipts/{incoming_id}")).json()
    assert receipt["verified_ok"] is False  # the delivery as a whole failed the check
    assert [c["verdict"] for c in receipt["checks"]] == ["valid", "valid"]  # the main file itself is intact

    html = (await receiver.get(f"/incoming/{incoming_id}")).text
    assert html.count("Chữ ký số hợp lệ") == 1 and "đã bị sửa" in html
    reason = re.search(r'name="reason" value="([^"]*)"', html)
    assert reason is not None and "Phụ lục 2: " in reason.group(1) and "đã bị sửa" in reason.group(1)
    returned = await receiver.post(f"/api/v1/incoming/{incoming_id}/transitions",
                                   json={"event": "return_to_sender", "reason": reason.group(1)})
    assert returned.status_code == 200 and returned.json()["state"] == "returned", returned.text
    await run_jobs(settings)
    line = next(r for r in (await clerk.get(f"/api/v1/outgoing/{doc_id}")).json()["recipients"]
                if r["kind"] == "agency")
    assert line["status"] == "returned" and "Phụ lục 2" in line["status_note"]


async def test_appendix_that_cannot_take_a_signature_is_refused_at_upload(
        client: AsyncTestClient[Litestar], settings: Settings) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    doc_id = await create_draft(drafter, ids_)
    bad = broken_xref(appendix_pdf("II", TITLES[1], 1))
    page = await drafter.post(f"/outgoing/{doc_id}/files", data={"kind": "appendix", "title": TITLES[1]},
                              files={"file": ("phu-luc-2.pdf", bad, "application/pdf")})
    assert page.status_code == 422 and "không thể thêm chữ ký số" in page.text and "xuất lại" in page.text
    assert await _appendix_rows(settings, doc_id) == []


async def _store_unchecked_appendix(settings: Settings, doc_id: int, pdf: bytes) -> None:
    """Point the document's second appendix at ``pdf``, as a file accepted before uploads were checked for signing."""
    blob = await blob_store(settings).put_bytes(pdf)
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db, db.begin():
            stored = StoredFile(sha256=blob.sha256, size=blob.size, content_type="application/pdf",
                                filename="phu-luc-2.pdf", page_count=1)
            db.add(stored)
            await db.flush()
            await db.execute(sa.update(OutgoingAppendix).where(OutgoingAppendix.outgoing_id == doc_id,
                                                               OutgoingAppendix.ordinal == 2)
                             .values(file_id=stored.id))
    finally:
        await engine.dispose()


async def test_seal_refused_before_the_otp_when_an_appendix_cannot_be_signed(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk, leader = await _actors(client)
    good = appendix_pdf("I", TITLES[0], 1)
    broken_doc = await _draft_with_appendices(drafter, ids_, [(TITLES[0], good), (TITLES[1], good)])
    await _store_unchecked_appendix(settings, broken_doc, broken_xref(appendix_pdf("II", TITLES[1], 1)))
    other_doc = await _draft_with_appendices(drafter, ids_, [(TITLES[0], good)])
    await _to_numbered(drafter, head, clerk, [broken_doc, other_doc], leader, out_signing)
    before = await _db_facts(settings, broken_doc)

    code = await fresh_otp(out_signing, AGENCY)
    refused = await clerk.act(broken_doc, "seal", otp=code)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["reason_code"] == "PDF_APPENDIX_NOT_SIGNABLE"
    assert "phụ lục 2" in problem["title"] and "mã OTP chưa bị dùng" in problem["title"]
    after = await _db_facts(settings, broken_doc)
    assert after == before and after["state"] == "registered" and after["sealed_files"] == [None, None]
    assert after["sealed_at"] is None and after["seal_audits"] == 0
    html = (await clerk.get(f"/outgoing/{broken_doc}")).text
    assert "đã ký số cơ quan" not in html

    form = await clerk.post(f"/outgoing/{broken_doc}/transition", data={"event": "seal", "otp": code})
    assert form.status_code == 422 and "Không ký số được phụ lục 2" in form.text  # the page, no JS
    assert await _db_facts(settings, broken_doc) == before

    sealed = await clerk.act(other_doc, "seal", otp=code)  # the same code: it was never sent to the server
    assert sealed.status_code == 200 and sealed.json()["state"] == "org_signed", sealed.text
    assert all(f is not None for f in (await _db_facts(settings, other_doc))["sealed_files"])

