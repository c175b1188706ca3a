"""``python -m backend smoke --base-url URL``: the outgoing flow against a running instance, via the JSON API.

With the demo accounts (password ``congvan2026``) of Nghi Phong commune and the demo OTP file the
signing server writes (``<DATA_DIR>/signing/demo-otp.json``): the specialist drafts (a generated
ND 30 Công văn), the unit head approves, the clerk checks the format, the leader signs with the
current TOTP code, the clerk numbers, seals (agency OTP) and issues; then it waits for the worker to
deliver and checks, as the Nghi Thái clerk, that the document arrived as an incoming document with
every signature verified. Each step is printed; the issued PDF is written to a path printed last.
Exit status 0 on success, 1 on the first failed step.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pyotp

from backend.config.settings import Settings
from backend.domain.signing.samples import DraftSpec, outgoing_draft_pdf

__all__ = ["SmokeError", "draft_form_ids", "run_smoke"]

PASSWORD = "congvan2026"
AGENCY, RECIPIENT = "000.01.21.H41", "000.02.21.H41"


class SmokeError(RuntimeError):
    """A step failed; the message says which and what the server answered."""


def _check(response: httpx.Response, step: str, status: int = 200) -> Any:
    if response.status_code != status:
        raise SmokeError(f"{step}: HTTP {response.status_code} {response.text[:500]}")
    return response.json() if response.headers.get("content-type", "").startswith(("application/json",
                                                                                    "application/problem")) else None


def _login(base: str, username: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    page = client.get("/login")
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/",
                                           "_csrf_token": token})
    if response.status_code != 303:
        raise SmokeError(f"login {username}: HTTP {response.status_code}")
    session = _check(client.get("/api/v1/session"), f"session {username}")
    return client, session["csrf_token"]


def _otp(enrolments: dict[str, Any], owner: str, used: dict[str, int]) -> str:
    """The current code of ``owner``, waiting for a fresh time step if this one was used already."""
    step = int(time.time() // 30)
    while step <= used.get(owner, -1):
        time.sleep(1)
        step = int(time.time() // 30)
    used[owner] = step
    return str(pyotp.TOTP(enrolments[owner]["secret"]).at(step * 30))


def run_smoke(settings: Settings, base_url: str, out: Path | None = None) -> int:
    """Play the scenario; returns the exit code."""
    otp_file = settings.data_dir / "signing" / "demo-otp.json"
    enrolments = json.loads(otp_file.read_text(encoding="utf-8"))
    used: dict[str, int] = {}
    users = {name: _login(base_url, name) for name in ("chuyenvien.xanghiphong", "truongphong.xanghiphong",
                                                       "vanthu.xanghiphong", "lanhdao.xanghiphong",
                                                       "vanthu.xanghithai")}

    def act(username: str, doc_id: int, event: str, **body: Any) -> Any:
        client, token = users[username]
        data = _check(client.post(f"/api/v1/outgoing/{doc_id}/transitions", json={"event": event, **body},
                                  headers={"X-CSRFToken": token}), f"{event} by {username}")
        print(f"  {event:<10} by {username:<26} → {data['state_label']}")
        return data

    try:
        drafter, token = users["chuyenvien.xanghiphong"]
        detail = draft_form_ids(drafter.get("/outgoing/new").text)
        pdf = outgoing_draft_pdf(DraftSpec(signer_name=detail["leader_name"], symbol="UBND-ĐCXD"))
        created = _check(drafter.post("/api/v1/outgoing", headers={"X-CSRFToken": token}, data={
            "document_type_id": detail["cong_van"], "summary": "V/v kiểm tra hệ thống (smoke)", "urgency": "khan",
            "signer_id": detail["leader"], "signing_authority": "TM.", "recipient_agencies": detail["recipient"]},
            files={"file": ("du-thao.pdf", pdf, "application/pdf")}), "create draft", 201)
        doc_id = created["id"]
        print(f"1. draft #{doc_id} created by chuyenvien.xanghiphong")
        act("chuyenvien.xanghiphong", doc_id, "submit")
        act("truongphong.xanghiphong", doc_id, "approve")
        act("vanthu.xanghiphong", doc_id, "format_ok")
        act("lanhdao.xanghiphong", doc_id, "sign", otp=_otp(enrolments, "lanhdao.xanghiphong", used))
        numbered = act("vanthu.xanghiphong", doc_id, "number")
        print(f"  number: {numbered['code_number']}/{numbered['code_notation']}")
        act("vanthu.xanghiphong", doc_id, "seal", otp=_otp(enrolments, AGENCY, used))
        issued = act("vanthu.xanghiphong", doc_id, "issue")
        receiver, _ = users["vanthu.xanghithai"]
        reference = (issued["code_number"], issued["code_notation"])
        print("2. waiting for the worker to deliver to Ủy ban nhân dân xã Nghi Thái …")
        incoming = None
        for _ in range(60):
            items = _check(receiver.get("/api/v1/incoming?inbox=to_register"), "recipient inbox")["items"]
            incoming = next((i for i in items if (i["code_number"], i["code_notation"]) == reference), None)
            if incoming:
                break
            time.sleep(1)
        if incoming is None:
            raise SmokeError("the recipient did not receive the document within 60 s (is the worker running?)")
        receipt = _check(receiver.get(f"/api/v1/exchange/receipts/{incoming['id']}"), "receipt")
        verdicts = ", ".join(f"{c['signer']}: {c['message']}" for c in receipt["checks"])
        print(f"3. arrived as incoming #{incoming['id']} ({incoming['state_label']}, {incoming['urgency_label']}); "
              f"signatures: {verdicts}")
        if not receipt["verified_ok"]:
            raise SmokeError("verification on receipt failed")
        path = out or Path(f"smoke-{reference[0]}-{reference[1].replace('/', '-')}.pdf").resolve()
        path.write_bytes(drafter.get(issued["file_url"]).content)
        print(f"Issued PDF: {path}")
        return 0
    except SmokeError as exc:
        print(f"FAILED: {exc}")
        return 1
    finally:
        for client, _ in users.values():
            client.close()


def draft_form_ids(page: str) -> dict[str, str]:
    """Ids a draft needs, read from the ``/outgoing/new`` form (type Công văn, the Chủ tịch, Nghi Thái)."""
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', page)
    boxes = re.findall(r'name="recipient_agencies" value="(\d+)"[^>]*> ([^<]+)<', page)
    try:
        type_id = next(v for v, label in options if label.strip() == "Công văn")
        leader_id, leader = next((v, label) for v, label in options if label.endswith("— Chủ tịch"))
        recipient = next(v for v, label in boxes if "Nghi Thái" in label)
    except StopIteration:
        raise SmokeError("the draft form lacks the demo type, signer or recipient") from None
    return {"cong_van": type_id, "leader": leader_id, "leader_name": leader.split(" — ")[0].strip(),
            "recipient": recipient}
