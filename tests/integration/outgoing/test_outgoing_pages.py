"""The outgoing HTML pages as a phone and a browser without JavaScript use them, with the REAL signing server.

For the list, the document page, the draft form, the signing pages (the sign form on the document
page, batch signing from the list, the signature-image page) and the register: htmx requests get
only the named block (with ``Vary: HX-Request``) and everything else the full page; a plain form
POST answers 303 to the page with a flash message; invalid input answers 422 with the Vietnamese
message, keeps what the user typed or ticked and changes nothing. After the leader signs through
htmx the page images come back with the panel (out of band), so the tap-to-place form the leader
signed from does not linger; a refused batch signature re-renders the batch form with the message
next to the OTP field. The register (domain.md §15) prints and exports its ten columns, only to the
registry roles, and never shows another agency's documents.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import OutgoingDocument, SigningImage
from backend.domain.signing.assets import signature_png
from backend.lib import clock
from tests.support.outgoing import Api, create_draft, draft_pdf, fresh_otp, ids, to_awaiting
from tests.support.signing import SigningEnv

DRAFTER, HEAD, CLERK = "chuyenvien.xanghiphong", "truongphong.xanghiphong", "vanthu.xanghiphong"
LEADER, DEPUTY = "lanhdao.xanghiphong", "capho.xanghiphong"
OTHER_CLERK = "vanthu.xanghithai"
OTP_INVALID = "Mã OTP không đúng"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
PAGE_VERSION = re.compile(r'/pages/1\?v=([0-9a-f]{16})"')
DEPUTY_PDF = {"signer": "Ngô Thanh Oanh", "authority": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH"}
BOOK_COLUMNS = ["Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung", "Người ký",
                "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận",
                "Ghi chú"]


def _token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


Fields = dict[str, str | list[str]]


async def _form(api: Api, path: str, page: httpx.Response, fields: Fields) -> httpx.Response:
    """A plain browser form POST (no JavaScript): the CSRF token travels in the form, not in a header."""
    return await api.request("POST", path, data={**fields, "_csrf_token": _token(page.text)})


async def _htmx(api: Api, path: str, target: str, fields: Fields) -> httpx.Response:
    """The same POST sent by htmx: ``HX-Request``, the target id and the CSRF header set on ``<body>``."""
    return await api.request("POST", path, data=fields,
                             headers={"HX-Request": "true", "HX-Target": target, "X-CSRFToken": api.token})


def _version(page: httpx.Response) -> str:
    """The document version the page's forms were drawn for (their hidden ``version`` input)."""
    match = re.search(r'name="version" value="(\d+)"', page.text)
    assert match, "no version on the page"
    return match.group(1)


def _is_full_page(response: httpx.Response) -> bool:
    return response.text.lstrip().lower().startswith("<!doctype html>")


async def _states(settings: Settings, *doc_ids: int) -> list[str]:
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            rows = dict((await db.execute(sa.select(OutgoingDocument.id, OutgoingDocument.state)
                                          .where(OutgoingDocument.id.in_(doc_ids)))).tuples().all())
            return [str(getattr(rows[i], "value", rows[i])) for i in doc_ids]
    finally:
        await engine.dispose()


async def _count(settings: Settings, model: type[Any]) -> int:
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            return int(await db.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
    finally:
        await engine.dispose()


async def _drafting_team(client: AsyncTestClient[Litestar]) -> tuple[Api, Api, Api]:
    """The specialist who drafts, the unit head who approves and the clerk who checks the format."""
    return (await Api(client).login(DRAFTER), await Api(client).login(HEAD), await Api(client).login(CLERK))


def _ticked(html: str, doc_id: int) -> bool:
    return re.search(rf'name="doc_id" value="{doc_id}" form="batch-sign" checked', html) is not None


async def test_list_gives_htmx_its_block_and_everyone_else_the_page(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login(DRAFTER)
    doc_id = await create_draft(drafter, ids_, extra={"summary": "V/v kiểm tra phòng cháy chữa cháy"})

    page = await drafter.get("/outgoing/?tab=drafts")
    assert page.status_code == 200 and _is_full_page(page) and "HX-Request" in page.headers["vary"]
    assert f'href="/outgoing/{doc_id}"' in page.text and 'id="document-tabs"' in page.text

    headers = {"HX-Request": "true", "HX-Target": "document-list"}
    found = await drafter.get("/outgoing/?tab=drafts&q=phong chay", headers=headers)
    assert found.status_code == 200 and "HX-Request" in found.headers["vary"]
    assert found.text.lstrip().startswith('<div id="document-list">') and "</html>" not in found.text
    assert f'href="/outgoing/{doc_id}"' in found.text and 'id="document-tabs"' not in found.text
    missed = await drafter.get("/outgoing/?tab=drafts&q=ngan sach", headers=headers)
    assert f'href="/outgoing/{doc_id}"' not in missed.text and "Không có văn bản" in missed.text

    restore = await drafter.get("/outgoing/?tab=drafts", headers={**headers, "HX-History-Restore-Request": "true"})
    boosted = await drafter.get("/outgoing/?tab=drafts", headers={**headers, "HX-Boosted": "true"})
    assert _is_full_page(restore) and _is_full_page(boosted)


async def test_document_page_panel_fragment_no_js_actions_and_refusals(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head = await Api(client).login(DRAFTER), await Api(client).login(HEAD)
    doc_id = await create_draft(drafter, ids_)
    path = f"/outgoing/{doc_id}"

    page = await drafter.get(path)
    assert page.status_code == 200 and _is_full_page(page)
    assert 'id="document-panel"' in page.text and 'id="document-pages"' in page.text
    assert 'class="page-image"' in page.text and "tap-form" not in page.text  # a drafter places nothing
    panel = await drafter.get(path, headers={"HX-Request": "true", "HX-Target": "document-panel"})
    assert panel.status_code == 200 and "HX-Request" in panel.headers["vary"]
    assert panel.text.lstrip().startswith('<div id="document-panel"') and 'id="document-pages"' not in panel.text

    # No JS: the form posts, the answer is 303 to the page, which shows the flash once.
    submitted = await _form(drafter, f"{path}/transition", page, {"event": "submit", "version": _version(page)})
    assert submitted.status_code == 303 and submitted.headers["location"] == path
    after = await drafter.get(path)
    assert "Đã trình duyệt." in after.text and "Chờ lãnh đạo đơn vị duyệt" in after.text
    assert "Đã trình duyệt." not in (await drafter.get(path)).text

    # Returning without a reason: 422 with the Vietnamese message, nothing changes (plain and htmx).
    head_page = await head.get(path)
    refused = await _form(head, f"{path}/transition", head_page, {"event": "return", "reason": "  "})
    assert refused.status_code == 422 and _is_full_page(refused)
    assert "Hãy nhập" in refused.text and 'role="alert"' in refused.text
    refused = await _htmx(head, f"{path}/transition", "document-panel", {"event": "return", "reason": ""})
    assert refused.status_code == 422 and refused.text.lstrip().startswith('<div id="document-panel"')
    assert "Hãy nhập" in refused.text
    assert await _states(settings, doc_id) == ["unit_review"]

    # The same button through htmx: the fresh panel, the toast out of band and the counts event.
    approved = await _htmx(head, f"{path}/transition", "document-panel", {"event": "approve"})
    assert approved.status_code == 200 and approved.headers["hx-trigger"] == "counts-changed"
    assert not _is_full_page(approved) and 'id="document-panel"' in approved.text
    assert 'hx-swap-oob="true"' in approved.text and "Đã duyệt nội dung" in approved.text
    assert "Chờ kiểm tra thể thức" in approved.text
    assert await _states(settings, doc_id) == ["format_check"]


async def test_draft_form_keeps_what_was_typed_on_errors_and_creates_with_a_303(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login(DRAFTER)
    form = await drafter.get("/outgoing/new")
    assert form.status_code == 200 and _is_full_page(form)
    htmx = await drafter.get("/outgoing/new", headers={"HX-Request": "true", "HX-Target": "main"})
    assert _is_full_page(htmx) and "HX-Request" in htmx.headers["vary"]  # no swappable region of its own
    before = await _count(settings, OutgoingDocument)

    summary = "V/v rà soát hộ nghèo năm 2026"
    fields = {"document_type_id": str(ids_["cong_van"]), "summary": summary, "urgency": "thuong_khan",
              "signing_authority": "TM.", "description": "Gửi trước ngày 15"}
    files = {"file": ("du-thao.pdf", draft_pdf(), "application/pdf")}
    refused = await drafter.request("POST", "/outgoing/new", data={**fields, "_csrf_token": _token(form.text)},
                                    files=files)
    assert refused.status_code == 422 and _is_full_page(refused)
    assert "Hãy chọn người ký." in refused.text and "Hãy chọn ít nhất một nơi nhận" in refused.text
    assert f">{summary}</textarea>" in refused.text and 'value="Gửi trước ngày 15"' in refused.text
    assert re.search(r'<option value="thuong_khan" selected>', refused.text)
    assert await _count(settings, OutgoingDocument) == before

    fields |= {"signer_id": str(ids_["leader"]), "recipient_agencies": str(ids_["nghithai"])}
    created = await drafter.request("POST", "/outgoing/new", data={**fields, "_csrf_token": _token(refused.text)},
                                    files={"file": ("du-thao.pdf", draft_pdf(), "application/pdf")})
    assert created.status_code == 303, created.text[:2000]
    location = created.headers["location"]
    assert re.fullmatch(r"/outgoing/\d+", location)
    page = await drafter.get(location)
    assert "Đã tạo dự thảo." in page.text and summary in page.text
    assert await _count(settings, OutgoingDocument) == before + 1


async def test_leader_signs_through_htmx_and_the_page_images_lose_the_tap_form(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk = await _drafting_team(client)
    leader = await Api(client).login(LEADER)
    doc_id = await to_awaiting(drafter, head, clerk, ids_)
    path = f"/outgoing/{doc_id}"

    page = await leader.get(path)
    assert "tap-form" not in page.text and "Ký số" in page.text  # the page images are for reading
    assert "Đổi vị trí chữ ký" in page.text and 'class="placement-thumb"' in page.text  # placing is a mode
    draft_version = PAGE_VERSION.search(page.text)
    assert draft_version

    # A wrong code without JS, then through htmx: 422, the message, nothing signed.
    wrong = await _form(leader, f"{path}/transition", page,
                        {"event": "sign", "version": _version(page), "otp": out_signing.wrong_otp(LEADER)})
    assert wrong.status_code == 422 and _is_full_page(wrong) and OTP_INVALID in wrong.text
    wrong = await _htmx(leader, f"{path}/transition", "document-panel",
                        {"event": "sign", "otp": out_signing.wrong_otp(LEADER)})
    assert wrong.status_code == 422 and wrong.text.lstrip().startswith('<div id="document-panel"')
    assert OTP_INVALID in wrong.text and 'id="document-pages"' not in wrong.text
    assert await _states(settings, doc_id) == ["awaiting_signature"]

    signed = await _htmx(leader, f"{path}/transition", "document-panel",
                         {"event": "sign", "otp": await fresh_otp(out_signing, LEADER)})
    assert signed.status_code == 200, signed.text[:2000]
    assert signed.headers["hx-trigger"] == "counts-changed" and "Đã ký số thành công." in signed.text
    assert await _states(settings, doc_id) == ["signed"]
    pages = signed.text.split('<section id="document-pages"', 1)
    assert len(pages) == 2, "the page images must come back with the panel"
    assert pages[1].lstrip().startswith('class="card" aria-labelledby="pages-h" hx-swap-oob="true"')
    assert 'class="page-image"' in pages[1] and "tap-form" not in pages[1] and "page-tap" not in pages[1]
    signed_version = PAGE_VERSION.search(pages[1])
    assert signed_version and signed_version.group(1) != draft_version.group(1)  # the signed PDF's images

    reloaded = await leader.get(path)
    assert "tap-form" not in reloaded.text and f"?v={signed_version.group(1)}" in reloaded.text
    image = await leader.get(f"{path}/pages/1?v={signed_version.group(1)}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"


async def test_batch_signing_refusals_keep_the_ticks_and_show_the_otp_error(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk = await _drafting_team(client)
    deputy = await Api(client).login(DEPUTY)
    first, second, third = [await to_awaiting(drafter, head, clerk, ids_, signer="deputy", authority="KT.",
                                              pdf=draft_pdf(**DEPUTY_PDF)) for _ in range(3)]
    listing = await deputy.get("/outgoing/?tab=to_sign")
    assert 'id="batch-sign"' in listing.text and 'hx-post="/outgoing/sign-batch"' in listing.text
    picked = [str(first), str(second)]

    # No JS: 422 with the whole list page, the message next to the OTP field, both ticks kept.
    wrong = await _form(deputy, "/outgoing/sign-batch", listing,
                        {"doc_id": picked, "otp": out_signing.wrong_otp(DEPUTY)})
    assert wrong.status_code == 422 and _is_full_page(wrong)
    field = re.search(r'<p class="field-error" id="f-batch-otp-msg"[^>]*>([^<]+)</p>', wrong.text)
    assert field and OTP_INVALID in field.group(1)
    assert 'aria-describedby="f-batch-otp-msg"' in wrong.text
    assert _ticked(wrong.text, first) and _ticked(wrong.text, second) and not _ticked(wrong.text, third)

    # htmx: the same as the list block only.
    wrong = await _htmx(deputy, "/outgoing/sign-batch", "document-list",
                        {"doc_id": picked, "otp": out_signing.wrong_otp(DEPUTY)})
    assert wrong.status_code == 422 and wrong.text.lstrip().startswith('<div id="document-list">')
    assert 'id="f-batch-otp-msg"' in wrong.text and OTP_INVALID in wrong.text
    assert _ticked(wrong.text, first) and _ticked(wrong.text, second) and not _ticked(wrong.text, third)

    # Nothing ticked: a clear message, and the signing server is not even asked.
    none = await _htmx(deputy, "/outgoing/sign-batch", "document-list", {"otp": "123456"})
    assert none.status_code == 422 and "Hãy đánh dấu “Chọn ký” ở ít nhất một văn bản cần ký." in none.text
    assert await _states(settings, first, second, third) == ["awaiting_signature"] * 3

    # The right code through htmx: the refreshed list, the toast and the tab counts out of band.
    signed = await _htmx(deputy, "/outgoing/sign-batch", "document-list",
                         {"doc_id": picked, "otp": await fresh_otp(out_signing, DEPUTY)})
    assert signed.status_code == 200, signed.text[:2000]
    assert signed.headers["hx-trigger"] == "counts-changed" and "Đã ký số 2 văn bản." in signed.text
    assert '<nav id="document-tabs" class="tabs" aria-label="Nhóm văn bản đi" hx-swap-oob="true">' in signed.text
    assert 'Chờ ký <span class="tab-count">1</span>' in signed.text
    assert f'value="{third}" form="batch-sign"' in signed.text and f'value="{first}"' not in signed.text
    assert await _states(settings, first, second, third) == ["signed", "signed", "awaiting_signature"]

    # Without JS the success is a 303 to the list, with the flash on the next page.
    listing = await deputy.get("/outgoing/?tab=to_sign")
    done = await _form(deputy, "/outgoing/sign-batch", listing,
                       {"doc_id": str(third), "otp": await fresh_otp(out_signing, DEPUTY)})
    assert done.status_code == 303 and done.headers["location"] == "/outgoing"
    assert "Đã ký số 1 văn bản." in (await deputy.get("/outgoing/")).text
    assert await _states(settings, third) == ["signed"]


async def test_signature_image_page_refuses_a_bad_file_and_saves_a_good_one(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    leader = await Api(client).login(LEADER)
    page = await leader.get("/outgoing/images")
    assert page.status_code == 200 and "Chữ ký của tôi" in page.text
    assert "Con dấu của cơ quan" not in page.text  # the seal is the clerks' business
    before = await _count(settings, SigningImage)

    refused = await leader.request("POST", "/outgoing/images/signature", data={"_csrf_token": _token(page.text)},
                                   files={"image": ("chu-ky.png", draft_pdf(), "image/png")})
    assert refused.status_code == 422 and _is_full_page(refused)
    assert '<p class="field-error">Tệp không phải ảnh PNG.</p>' in refused.text
    assert await _count(settings, SigningImage) == before

    saved = await leader.request("POST", "/outgoing/images/signature", data={"_csrf_token": _token(page.text)},
                                 files={"image": ("chu-ky.png", signature_png("Võ Minh Nam"), "image/png")})
    assert saved.status_code == 303 and saved.headers["location"] == "/outgoing/images"
    assert "Đã lưu ảnh chữ ký." in (await leader.get("/outgoing/images")).text
    assert await _count(settings, SigningImage) == before + 1
    seal = await leader.request("POST", "/outgoing/images/seal", data={"_csrf_token": _token(page.text)},
                                files={"image": ("dau.png", signature_png("x"), "image/png")})
    assert seal.status_code == 403


async def test_register_prints_and_exports_ten_columns_for_registry_roles_only(
        client: AsyncTestClient[Litestar], settings: Settings, out_signing: SigningEnv) -> None:
    ids_ = await ids(settings)
    drafter, head, clerk = await _drafting_team(client)
    leader = await Api(client).login(LEADER)
    doc_id = await to_awaiting(drafter, head, clerk, ids_)
    pending = await to_awaiting(drafter, head, clerk, ids_, extra={"summary": "V/v dự thảo chưa cấp số"})
    signed = await leader.act(doc_id, "sign", otp=await fresh_otp(out_signing, LEADER))
    assert signed.status_code == 200, signed.text
    numbered = await clerk.act(doc_id, "number")
    assert numbered.status_code == 200, numbered.text
    reference = f"{numbered.json()['code_number']}/{numbered.json()['code_notation']}"
    today = clock.today()
    query = f"?from={today.isoformat()}&to={today.isoformat()}"

    page = await clerk.get(f"/outgoing/book{query}")
    assert page.status_code == 200 and _is_full_page(page)
    assert [h for h in re.findall(r'<th scope="col">([^<]+)</th>', page.text)] == BOOK_COLUMNS
    assert f'<a href="/outgoing/{doc_id}">{reference}</a>' in page.text
    assert "chưa cấp số" not in page.text and f"/outgoing/{pending}" not in page.text  # only numbered ones
    assert f'href="/outgoing/book.csv{query.replace("&", "&amp;")}"' in page.text

    csv_response = await clerk.get(f"/outgoing/book.csv{query}")
    assert csv_response.status_code == 200 and csv_response.headers["cache-control"] == "no-store"
    assert csv_response.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0] == BOOK_COLUMNS and len(rows) == 2
    row = rows[1]
    assert row[0] == reference and row[1] == today.strftime("%d/%m/%Y")
    assert row[2] == "Công văn: V/v triển khai chuyển đổi số năm 2026"
    assert row[3].startswith("TM.") and row[3].endswith("Võ Minh Nam")
    assert "Ủy ban nhân dân xã Nghi Thái" in row[4] and "Văn phòng - Thống kê" in row[4] and row[6] == "2"

    xlsx = await leader.get(f"/outgoing/book.xlsx{query}")  # leaders keep the register too
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value.startswith("SỔ ĐĂNG KÝ VĂN BẢN ĐI")
    assert [c.value for c in sheet[2]] == BOOK_COLUMNS
    assert [c.value for c in sheet[3]][:5] == row[:5] and sheet.max_row == 3

    for username in (DRAFTER, HEAD):  # not registry roles
        other = await Api(client).login(username)
        for suffix in ("", ".csv", ".xlsx"):
            assert (await other.get(f"/outgoing/book{suffix}{query}")).status_code == 403
    stranger = await Api(client).login(OTHER_CLERK)  # another agency's register never shows this one
    foreign = await stranger.get(f"/outgoing/book.csv{query}")
    assert foreign.status_code == 200 and reference not in foreign.content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(foreign.content.decode("utf-8-sig"))))) == 1
    assert reference not in (await stranger.get(f"/outgoing/book{query}")).text
