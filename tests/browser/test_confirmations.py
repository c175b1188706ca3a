"""Real Chromium at a Pixel 7 viewport (touch): "Hủy" in a confirmation dialog cancels (issue 11, blocker 1).

Every form that asks for a confirmation (``data-confirm``) is found in the templates; a form with a
confirmation that this test does not exercise fails it (:func:`test_every_confirmation_is_covered`,
and at run time every ``form[data-confirm]`` on the visited pages must have been exercised). For each
one, on a live web process with a REAL signing server: dismissing the dialog sends no request and
changes nothing in the database; accepting it sends exactly one request. The documents are prepared
over HTTP: incoming ones registered (return to sender) and assigned (return to the leader), outgoing
ones awaiting the signature (sign, return, batch signing), numbered (seal) and issued (recall). The issued
one is delivered on the platform to Nghi Thái by the real worker, so that after its recall the receiving
clerk answers "Xác nhận đã hủy" (confirm-recall) on the incoming copy: dismissed, the copy stays open;
accepted, it is cancelled.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Dialog, Locator, Page, Request, expect

from backend.db.models import IncomingDocument, OutgoingRecipient, RecipientKind
from backend.domain.incoming.workflow import TRANSITIONS as INCOMING_TRANSITIONS
from backend.domain.outgoing.workflow import TRANSITIONS
from tests.support.outgoing_browser import (  # noqa: F401 (fixtures)
    AGENCY,
    CLERK,
    LEADER,
    act,
    api,
    phone,
    prepare_awaiting_signature,
    settings_env,
    sign_server,
    state,
)
from tests.support.pwa import DEPUTY, assign_to_deputy, in_db, register_document
from tests.support.signing import SigningEnv

pytestmark = pytest.mark.browser
DRAFTER = "chuyenvien.xanghiphong"
RECEIVING_CLERK = "vanthu.xanghithai"
TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
OTP_EVENTS = frozenset(t.event for t in TRANSITIONS if t.needs_otp)
TABLE_CONFIRMS = {
    "incoming": frozenset(t.event for t in INCOMING_TRANSITIONS if t.confirm),
    "outgoing": frozenset(t.event for t in TRANSITIONS if t.confirm and not t.needs_otp),
}
"""The events whose buttons the transition tables mark ``confirm`` (the OTP forms confirm anyway)."""
COVERED: dict[str, set[str]] = {
    "pages/incoming/detail.html": {"return_to_sender", "return_to_leader"},
    "pages/outgoing/detail.html": {"sign", "seal", "return", "recall", "withdraw", "discard"},
    "pages/outgoing/list.html": {"batch-sign"},
    "components/_exchange.html": {"confirm-recall"},
}
"""Each template with a confirmation → the forms exercised below (their ``event``, or the form id)."""
COVERED_ELSEWHERE: dict[str, set[str]] = {
    # tests/browser/test_workfile_phone.py: each dismissed, then accepted ("Rút khỏi hồ sơ" of one member; "Nộp lưu"
    # and "Tiếp nhận vào lưu trữ" are the transfer rows marked ``confirm``, rendered by one form loop)
    "pages/workfiles/detail.html": {"remove-{{ m.link_id }}", "close-file", "wf-{{ row.event }}"},
}


def _confirmations(template: Path) -> set[str]:
    """The forms of ``template`` that carry ``data-confirm``: the events named in their condition (or, for
    ``tr.confirm``, the events the template's transition table marks ``confirm``), the OTP events for the
    OTP-transition loop, else the form's id."""
    text = template.read_text(encoding="utf-8")
    found: set[str] = set()
    for match in re.finditer(r"data-confirm=", text):
        form = text[text.rfind("<form", 0, match.start()):match.start()]
        line = text[text.rfind("\n", 0, match.start()) + 1:text.find("\n", match.start())]
        loop = text[text.rfind("{% for", 0, match.start()):match.start()]
        if events := re.search(r"tr\.event in \(([^)]*)\)", line):
            found |= set(re.findall(r"'([a-z_]+)'", events.group(1)))
        elif "tr.confirm" in line and template.parent.name in TABLE_CONFIRMS:
            found |= TABLE_CONFIRMS[template.parent.name]
        elif "in otp_transitions" in loop:
            found |= OTP_EVENTS
        elif form_id := re.search(r'id="([^"]+)"', form):
            found.add(form_id.group(1))
        else:
            found.add(f"uncovered form at offset {match.start()}")
    return found


def test_every_confirmation_is_covered() -> None:
    seen = {str(p.relative_to(TEMPLATES)): _confirmations(p) for p in sorted(TEMPLATES.rglob("*.html"))}
    seen = {name: forms for name, forms in seen.items() if forms}
    assert seen == COVERED | COVERED_ELSEWHERE, "a form with a confirmation is not covered by a browser test"


class Confirmations:
    """The dialogs of one page (dismissed or accepted on demand) and the POSTs it sends."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.accept = False
        self.questions: list[str] = []
        self.posts: list[str] = []
        self.exercised: set[str] = set()
        page.on("dialog", self._dialog)
        page.on("request", self._request)

    def _dialog(self, dialog: Dialog) -> None:
        self.questions.append(dialog.message)
        if self.accept:
            dialog.accept()
        else:
            dialog.dismiss()

    def _request(self, request: Request) -> None:
        if request.method == "POST":
            self.posts.append(request.url)

    def _sent(self, path: str) -> list[str]:
        return [url for url in self.posts if url.split("?", 1)[0].endswith(path)]

    def dismiss(self, name: str, form: Locator, path: str, unchanged: Callable[[], bool]) -> None:
        """Submit ``form``, answer "Hủy": a dialog was shown, nothing was sent, nothing changed."""
        self.accept, asked, self.posts = False, len(self.questions), []
        form.locator("button[type=submit]").tap()
        self.page.wait_for_timeout(800)
        assert len(self.questions) == asked + 1, f"{name}: no confirmation dialog"
        assert self._sent(path) == [], f"{name}: a request was sent although the dialog was dismissed"
        assert unchanged(), f"{name}: the document changed although the dialog was dismissed"
        self.exercised.add(name)

    def confirm(self, name: str, form: Locator, path: str) -> int:
        """Submit ``form``, answer "OK": exactly one request; returns its status."""
        self.accept, self.posts = True, []
        with self.page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(path),
                                       timeout=60_000) as response:
            form.locator("button[type=submit]").tap()
        self.page.wait_for_timeout(800)
        assert len(self._sent(path)) == 1, f"{name}: {len(self._sent(path))} requests instead of one"
        self.exercised.add(name)
        return response.value.status

    def check_page(self) -> None:
        """Every form with a confirmation on the current page has been exercised."""
        names = self.page.evaluate("""() => [...document.querySelectorAll('form[data-confirm]')].map(
            f => (f.querySelector('input[name=event]') || {}).value || f.id)""")
        assert set(names) <= self.exercised, f"not exercised: {set(names) - self.exercised}"


def _step(page: Page, event: str) -> Locator:
    """The form of a destructive ``event``: opened from its own step ("Trả lại…", "Thu hồi…"), as a user does."""
    page.locator(f"details.destructive-step:has(input[name=event][value={event}]) > summary").tap()
    return page.locator("form.action-form").filter(has=page.locator(f"input[name=event][value={event}]"))


def _incoming_state(database_url: str, doc_id: int) -> str:
    value = in_db(database_url, lambda db: db.scalar(
        sa.select(IncomingDocument.state).where(IncomingDocument.id == doc_id)))
    return str(getattr(value, "value", value))


def _worker_once(env: dict[str, str]) -> None:
    """One pass of the real worker process (platform delivery and recall jobs)."""
    done = subprocess.run([sys.executable, "-m", "backend", "worker", "--once"], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _delivered_copy(database_url: str, outgoing_id: int) -> int:
    """The incoming id of ``outgoing_id``'s platform delivery to another agency."""
    incoming_id = in_db(database_url, lambda db: db.scalar(sa.select(OutgoingRecipient.incoming_id).where(
        OutgoingRecipient.outgoing_id == outgoing_id, OutgoingRecipient.kind == RecipientKind.AGENCY)))
    assert incoming_id is not None, "the issued document was not delivered on the platform"
    return int(incoming_id)


def _outgoing_to(base: str, database_url: str, senv: SigningEnv, last: str) -> int:
    """A draft taken through the leader's signature and numbering (``last="number"``), or on to issue."""
    doc_id = prepare_awaiting_signature(base, database_url)
    leader, clerk = api(base, LEADER), api(base, CLERK)
    try:
        act(leader, doc_id, "sign", otp=senv.otp(LEADER))
        act(clerk, doc_id, "number")
        if last == "issue":
            act(clerk, doc_id, "seal", otp=senv.otp(AGENCY))
            act(clerk, doc_id, "issue")
    finally:
        leader.close()
        clerk.close()
    return doc_id


def test_cancel_sends_nothing_and_ok_sends_exactly_one_request(
        live_server: str, database_url: str, sign_server: SigningEnv,  # noqa: F811
        settings_env: dict[str, str], browser: Browser, playwright) -> None:  # noqa: F811
    returned = register_document(live_server, database_url, number="05")
    assigned = register_document(live_server, database_url, number="06", summary="Công văn về phòng cháy")
    assign_to_deputy(live_server, database_url, assigned)
    to_sign = prepare_awaiting_signature(live_server, database_url)
    numbered = _outgoing_to(live_server, database_url, sign_server, "number")
    issued = _outgoing_to(live_server, database_url, sign_server, "issue")
    assert state(database_url, numbered)[0] == "registered" and state(database_url, issued)[0] == "issued"
    _worker_once(settings_env)  # the issued document reaches Nghi Thái on the platform
    received = _delivered_copy(database_url, issued)
    exercised: set[str] = set()

    # The clerk: "Trả lại nơi gửi" on a registered incoming document.
    context, page = phone(browser, playwright, live_server, CLERK)
    dialogs = Confirmations(page)
    page.goto(f"{live_server}/incoming/{returned}")
    form = _step(page, "return_to_sender")
    form.locator("textarea[name=reason]").fill("Văn bản gửi nhầm cơ quan.")
    path = f"/incoming/{returned}/transition"
    dialogs.dismiss("return_to_sender", form, path, lambda: _incoming_state(database_url, returned) == "registered")
    dialogs.check_page()
    assert dialogs.confirm("return_to_sender", form, path) == 200
    assert _incoming_state(database_url, returned) == "returned"

    # "Ký số cơ quan" on a numbered outgoing document (the agency's real OTP when accepted).
    page.goto(f"{live_server}/outgoing/{numbered}")
    form = page.locator("form.sign-form")
    form.locator("input[name=otp]").fill(sign_server.otp(AGENCY))
    path = f"/outgoing/{numbered}/transition"
    dialogs.dismiss("seal", form, path, lambda: state(database_url, numbered)[0] == "registered")
    dialogs.check_page()
    assert dialogs.confirm("seal", form, path) == 200
    expect(page.locator("#document-panel .doc-header")).not_to_contain_text("Chờ ký số cơ quan", timeout=30_000)
    assert state(database_url, numbered)[0] == "org_signed"

    # "Thu hồi" on an issued one.
    page.goto(f"{live_server}/outgoing/{issued}")
    form = _step(page, "recall")
    form.locator("textarea[name=reason]").fill("Sai sót về thể thức.")
    path = f"/outgoing/{issued}/transition"
    dialogs.dismiss("recall", form, path, lambda: state(database_url, issued)[0] == "issued")
    dialogs.check_page()
    assert dialogs.confirm("recall", form, path) == 200
    assert state(database_url, issued)[0] == "recalled"
    exercised |= dialogs.exercised
    context.close()

    # The receiving clerk of Nghi Thái: "Xác nhận đã hủy" on the recalled copy.
    _worker_once(settings_env)  # the recall reaches the receiving agency
    open_state = _incoming_state(database_url, received)
    assert open_state != "cancelled"
    context, page = phone(browser, playwright, live_server, RECEIVING_CLERK)
    dialogs = Confirmations(page)
    page.goto(f"{live_server}/incoming/{received}")
    form = page.locator("form#confirm-recall")
    path = f"/exchange/receipts/{received}/confirm-recall"
    dialogs.dismiss("confirm-recall", form, path, lambda: _incoming_state(database_url, received) == open_state)
    dialogs.check_page()
    assert dialogs.confirm("confirm-recall", form, path) == 303
    assert _incoming_state(database_url, received) == "cancelled"
    expect(page.locator("body")).to_contain_text("Đã xác nhận hủy")
    exercised |= dialogs.exercised
    context.close()

    # The deputy: "Trả lại lãnh đạo" on the document assigned to him.
    context, page = phone(browser, playwright, live_server, DEPUTY)
    dialogs = Confirmations(page)
    page.goto(f"{live_server}/incoming/{assigned}")
    form = _step(page, "return_to_leader")
    form.locator("textarea[name=reason]").fill("Đề nghị giao đơn vị khác chủ trì.")
    path = f"/incoming/{assigned}/transition"
    before = _incoming_state(database_url, assigned)
    dialogs.dismiss("return_to_leader", form, path, lambda: _incoming_state(database_url, assigned) == before)
    dialogs.check_page()
    assert dialogs.confirm("return_to_leader", form, path) == 200
    assert _incoming_state(database_url, assigned) == "submitted"
    exercised |= dialogs.exercised
    context.close()

    # The leader: "Ký số", "Trả lại" and batch signing of a document awaiting his signature.
    context, page = phone(browser, playwright, live_server, LEADER)
    dialogs = Confirmations(page)
    awaiting = ("awaiting_signature", ["draft"])
    page.goto(f"{live_server}/outgoing/{to_sign}")
    path = f"/outgoing/{to_sign}/transition"
    sign = page.locator("form.sign-form")
    sign.locator("input[name=otp]").fill(sign_server.wrong_otp(LEADER))
    dialogs.dismiss("sign", sign, path, lambda: state(database_url, to_sign) == awaiting)
    back = _step(page, "return")
    back.locator("textarea[name=reason]").fill("Đề nghị bổ sung số liệu.")
    dialogs.dismiss("return", back, path, lambda: state(database_url, to_sign) == awaiting)
    dialogs.check_page()
    assert dialogs.confirm("sign", sign, path) == 422  # a wrong code: sent once, refused, nothing signed
    assert state(database_url, to_sign) == awaiting

    page.goto(f"{live_server}/outgoing/?tab=to_sign")
    page.locator(f"input[name=doc_id][value='{to_sign}']").check()
    batch = page.locator("form#batch-sign")
    batch.locator("input[name=otp]").fill(sign_server.wrong_otp(LEADER))
    dialogs.dismiss("batch-sign", batch, "/outgoing/sign-batch", lambda: state(database_url, to_sign) == awaiting)
    dialogs.check_page()
    assert dialogs.confirm("batch-sign", batch, "/outgoing/sign-batch") == 422
    assert state(database_url, to_sign) == awaiting

    page.goto(f"{live_server}/outgoing/{to_sign}")
    back = _step(page, "return")
    back.locator("textarea[name=reason]").fill("Đề nghị bổ sung số liệu.")
    assert dialogs.confirm("return", back, path) == 200
    assert state(database_url, to_sign)[0] == "draft"
    exercised |= dialogs.exercised
    context.close()

    # The drafter: "Rút lại dự thảo" from the unit head's review, then "Xóa dự thảo" (the returned one).
    drafter = api(live_server, DRAFTER)
    try:
        act(drafter, to_sign, "submit")
    finally:
        drafter.close()
    context, page = phone(browser, playwright, live_server, DRAFTER)
    dialogs = Confirmations(page)
    page.goto(f"{live_server}/outgoing/{to_sign}")
    path = f"/outgoing/{to_sign}/transition"
    withdraw = page.locator("form.action-form").filter(has=page.locator("input[name=event][value=withdraw]"))
    dialogs.dismiss("withdraw", withdraw, path, lambda: state(database_url, to_sign)[0] == "unit_review")
    dialogs.check_page()
    assert dialogs.confirm("withdraw", withdraw, path) == 200
    assert state(database_url, to_sign)[0] == "draft"
    page.goto(f"{live_server}/outgoing/{to_sign}")
    discard = _step(page, "discard")
    dialogs.dismiss("discard", discard, path, lambda: state(database_url, to_sign)[0] == "draft")
    dialogs.check_page()
    assert dialogs.confirm("discard", discard, path) == 200
    assert state(database_url, to_sign)[0] == "discarded"
    exercised |= dialogs.exercised
    context.close()

    assert exercised == set().union(*COVERED.values())
