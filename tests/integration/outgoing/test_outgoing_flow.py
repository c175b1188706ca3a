"""The whole outgoing flow end to end with the REAL signing server (SoftHSM) on the test database.

Specialist drafts → unit head approves → clerk checks format → leader signs with an OTP → clerk
numbers, seals (agency OTP) and issues → the worker delivers → the Nghi Thái clerk finds a new
incoming document (received, electronic, urgency kept), verified; its registration moves the
sender's status. The issued PDF passes pyHanko (both signatures intact, valid, modifications
accepted) and poppler's pdfsig; the seal overlaps the left third of the signature; number and
date are in the text layer. Then recall, seen from both sides.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from asn1crypto import pem, x509
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from backend.config.settings import Settings
from backend.domain.signing.nd30 import date_line
from backend.domain.signing.stamping import find_signature_widget
from backend.lib import clock
from tests.support.outgoing import Api, create_draft, fresh_otp, ids, run_jobs
from tests.support.signing import SigningEnv


def _widgets(pdf: bytes) -> dict[str, tuple[float, float, float, float]]:
    from pypdf import PdfReader

    out = {}
    for annot in PdfReader(io.BytesIO(pdf)).pages[0].get("/Annots", []) or []:
        obj = annot.get_object()
        if obj.get("/FT") == "/Sig":
            out[str(obj["/T"])] = tuple(float(v) for v in obj["/Rect"])
    return out


async def test_outgoing_whole_flow_issue_deliver_verify_and_recall(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv, out_nss: str,
        tmp_path: Path) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    head = await Api(client).login("truongphong.xanghiphong")
    clerk = await Api(client).login("vanthu.xanghiphong")
    leader = await Api(client).login("lanhdao.xanghiphong")
    receiver = await Api(client).login("vanthu.xanghithai")
    doc_id = await create_draft(drafter, ids_)
    assert (await drafter.act(doc_id, "sign", otp="123456")).status_code == 409  # not from a draft
    assert (await drafter.act(doc_id, "submit")).status_code == 200
    assert (await head.act(doc_id, "approve")).status_code == 200
    response = await clerk.act(doc_id, "format_ok")
    assert response.status_code == 200 and response.json()["state"] == "awaiting_signature"
    assert (await drafter.act(doc_id, "sign", otp="123456")).status_code == 403  # a specialist cannot sign

    wrong = await leader.act(doc_id, "sign", otp=out_signing.wrong_otp("lanhdao.xanghiphong"))
    assert wrong.status_code == 422 and wrong.json()["reason_code"] == "SIGN_OTP_INVALID"
    assert "OTP" in wrong.json()["title"] or "mã" in wrong.json()["title"].lower()
    after = (await leader.get(f"/api/v1/outgoing/{doc_id}")).json()
    assert after["state"] == "awaiting_signature" and len(after["versions"]) == 1

    code = await fresh_otp(out_signing, "lanhdao.xanghiphong")
    signed = await leader.act(doc_id, "sign", otp=code)
    assert signed.status_code == 200, signed.text
    assert signed.json()["state"] == "signed"

    numbered = await clerk.act(doc_id, "number")
    assert numbered.status_code == 200, numbered.text
    body = numbered.json()
    assert body["code_number"] == "01" and body["code_notation"] == "UBND-ĐCXD"
    sealed = await clerk.act(doc_id, "seal", otp=await fresh_otp(out_signing, "000.01.21.H41"))
    assert sealed.status_code == 200, sealed.text
    issued = await clerk.act(doc_id, "issue")
    assert issued.status_code == 200 and issued.json()["state"] == "issued"
    assert [v["kind"] for v in issued.json()["versions"]] == ["draft", "signed", "numbered", "sealed"]

    pdf = (await clerk.get(issued.json()["file_url"])).content
    roots = [x509.Certificate.load(der) for _, _, der in pem.unarmor(out_signing.ca_pem, multiple=True)]
    sigs = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(sigs) == 2
    for sig in sigs:
        status = await async_validate_pdf_signature(sig, ValidationContext(trust_roots=roots))
        assert status.intact and status.valid and status.trusted and status.docmdp_ok, status.pretty_print_details()
        assert status.bottom_line
    path = tmp_path / "issued.pdf"
    path.write_bytes(pdf)
    pdfsig = subprocess.run(["pdfsig", "-nssdir", out_nss, str(path)], capture_output=True, text=True).stdout
    assert pdfsig.count("Signature is Valid.") == 2, pdfsig
    boxes = _widgets(pdf)
    sig, seal = boxes["chu_ky_ca_nhan"], boxes["chu_ky_co_quan"]
    third = sig[0] + (sig[2] - sig[0]) / 3
    assert seal[0] < sig[0] < seal[2] <= third + 0.5 and seal[1] < sig[3] and seal[3] > sig[1]
    assert find_signature_widget(pdf) is not None
    text = subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, text=True).stdout
    assert "Số: 01/UBND-ĐCXD" in text
    assert date_line("Nghi Phong", clock.today()) in " ".join(text.split())

    await run_jobs(settings)
    inbox = (await receiver.get("/api/v1/incoming?inbox=to_register")).json()["items"]
    arrived = [d for d in inbox if d["code_notation"] == "UBND-ĐCXD"]
    assert len(arrived) == 1
    incoming = arrived[0]
    assert incoming["state"] == "received" and incoming["source"] == "electronic" and incoming["urgency"] == "khan"
    receipt = (await receiver.get(f"/api/v1/exchange/receipts/{incoming['id']}")).json()
    assert receipt["verified_ok"] is True and [c["verdict"] for c in receipt["checks"]] == ["valid", "valid"]
    page = await receiver.get(f"/incoming/{incoming['id']}")
    assert "Kiểm tra chữ ký số khi nhận" in page.text and "Hợp lệ" in page.text

    registered = await receiver.post(f"/api/v1/incoming/{incoming['id']}/transitions", json={"event": "register"})
    assert registered.status_code == 200, registered.text
    await run_jobs(settings)
    status = {r["name"]: r["status"] for r in (await clerk.get(f"/api/v1/outgoing/{doc_id}")).json()[
        "recipients"]}
    assert status == {"Ủy ban nhân dân xã Nghi Thái": "accepted", "Văn phòng - Thống kê": "arrived"}

    recall = await leader.act(doc_id, "recall", reason="Sai nội dung điều 2")
    assert recall.status_code == 200 and recall.json()["state"] == "recalled"
    await run_jobs(settings)
    gone = await receiver.get(f"/incoming/{incoming['id']}/file")
    assert gone.status_code == 410
    notice = await receiver.get(f"/incoming/{incoming['id']}")
    assert "thu hồi" in notice.text and "Sai nội dung điều 2" in notice.text
    assert (await receiver.get(f"/api/v1/incoming/{incoming['id']}")).json()["code_number"] == "01"
    confirm = await receiver.post(f"/exchange/receipts/{incoming['id']}/confirm-recall")
    assert confirm.status_code == 303
    await run_jobs(settings)
    final = (await clerk.get(f"/api/v1/outgoing/{doc_id}")).json()
    agency_line = next(r for r in final["recipients"] if r["kind"] == "agency")
    assert agency_line["status"] == "recalled" and agency_line["recall_confirmed_at"]
    assert (await clerk.act(doc_id, "issue")).status_code == 409
