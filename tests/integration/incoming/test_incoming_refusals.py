"""Every refused input gets a clear Vietnamese message and loses nothing that was valid.

Non-PDF, encrypted, corrupt, empty and too-large files; state-secret levels (nothing stored at all);
duplicates without confirmation; missing metadata (the typed values and the valid PDF are kept);
illegal transitions (409, never 500); forged ids (404 / 422).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from backend.db.models import IncomingDocument, StoredFile
from backend.lib import clock
from tests.support.incoming import (
    corrupt_pdf,
    doc_id_from,
    encrypted_pdf,
    intake,
    intake_fields,
    make_pdf,
    post_form,
    type_id,
    unit_id,
)

CLERK = "vanthu.xanghiphong"


@pytest.fixture
def settings_env(settings_env: dict[str, str]) -> dict[str, str]:
    return {**settings_env, "UPLOAD_MAX_MB": "1"}


async def _count(db_sessionmaker, model) -> int:
    async with db_sessionmaker() as db:
        return await db.scalar(sa.select(sa.func.count()).select_from(model))


def _blobs(settings) -> list:
    return [p for p in settings.blob_dir.rglob("*") if p.is_file()] if settings.blob_dir.exists() else []


@pytest.mark.parametrize(("content", "filename", "message"), [
    (b"PK\x03\x04 this is a word document", "bao-cao.docx", "Tệp không phải PDF"),
    (b"\x89PNG\r\n\x1a\n fake image", "anh-chup.pdf", "Tệp không phải PDF"),
    (None, "mat-khau.pdf", "đã bị đặt mật khẩu hoặc mã hóa"),
    (corrupt_pdf(), "hong.pdf", "Tệp PDF bị hỏng"),
    (b"", "rong.pdf", "Tệp rỗng"),
])
async def test_bad_files_are_refused_with_a_clear_message_and_typed_values_kept(
        clients, db_sessionmaker, settings, content, filename, message) -> None:
    clerk = await clients(CLERK)
    content = encrypted_pdf() if content is None else content
    fields = intake_fields(await type_id(db_sessionmaker), summary="Trích yếu phải được giữ lại")
    response = await intake(clerk, fields, content, filename)
    assert response.status_code == 422
    assert message in response.text
    assert "Trích yếu phải được giữ lại" in response.text
    assert await _count(db_sessionmaker, IncomingDocument) == 0
    assert _blobs(settings) == []  # a rejected file is not kept


async def test_file_over_the_size_limit_is_refused(clients, db_sessionmaker, settings) -> None:
    assert settings.upload_max_mb == 1
    clerk = await clients(CLERK)
    big = make_pdf(1) + b"%" + b"0" * (1024 * 1024)
    response = await intake(clerk, intake_fields(await type_id(db_sessionmaker)), big)
    assert response.status_code == 422 and "lớn hơn giới hạn 1 MB" in response.text
    assert "phụ lục" not in response.text.split("lớn hơn giới hạn", 1)[1][:300]  # the intake has no appendix field
    assert _blobs(settings) == []


@pytest.mark.parametrize("level", ["mat", "toi_mat", "tuyet_mat"])
async def test_state_secret_levels_are_refused_and_nothing_is_stored(clients, db_sessionmaker, settings,
                                                                     level) -> None:
    clerk = await clients(CLERK)
    fields = intake_fields(await type_id(db_sessionmaker), confidentiality=level, summary="Nội dung mật")
    response = await intake(clerk, fields, make_pdf(1))
    assert response.status_code == 422
    assert "Không tiếp nhận văn bản mật" in response.text and "bí mật nhà nước" in response.text
    assert "Nội dung mật" not in response.text  # not even echoed back
    assert await _count(db_sessionmaker, IncomingDocument) == 0
    assert await _count(db_sessionmaker, StoredFile) == 0
    assert _blobs(settings) == []


async def test_secret_level_after_a_kept_upload_discards_the_kept_file(clients, db_sessionmaker, settings) -> None:
    clerk = await clients(CLERK)
    first = await intake(clerk, intake_fields(await type_id(db_sessionmaker), summary=""), make_pdf(1))
    assert first.status_code == 422 and "Đã giữ tệp" in first.text
    sha = first.text.split('name="pending_file" value="')[1].split('"')[0]
    assert len(_blobs(settings)) == 1
    second = await intake(clerk, intake_fields(await type_id(db_sessionmaker), confidentiality="mat",
                                               pending_file=sha))
    assert second.status_code == 422 and _blobs(settings) == []


async def test_missing_metadata_keeps_everything_and_the_pdf_need_not_be_uploaded_again(
        clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    fields = intake_fields(await type_id(db_sessionmaker), code_number="", signer_name="",
                           issued_on=(clock.today() + timedelta(days=3)).isoformat(), summary="Giữ nguyên trích yếu")
    response = await intake(clerk, fields, make_pdf(2), "giu-lai.pdf")
    assert response.status_code == 422
    for text in ("Hãy nhập số của văn bản", "Hãy nhập họ tên người ký", "Ngày văn bản không thể sau ngày hôm nay",
                 "Giữ nguyên trích yếu", "Đã giữ tệp <strong>giu-lai.pdf</strong> (2 trang"):
        assert text in response.text
    sha = response.text.split('name="pending_file" value="')[1].split('"')[0]
    fixed = intake_fields(await type_id(db_sessionmaker), pending_file=sha)
    doc_id = doc_id_from(await intake(clerk, fixed))  # no file this time
    async with db_sessionmaker() as db:
        doc = await db.get(IncomingDocument, doc_id)
        assert doc.page_count == 2 and (await db.get(StoredFile, doc.file_id)).sha256 == sha


async def test_forged_pending_file_is_not_accepted(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    response = await intake(clerk, intake_fields(await type_id(db_sessionmaker), pending_file="a" * 64))
    assert response.status_code == 422 and "Hãy chọn tệp PDF" in response.text


async def test_duplicate_needs_conscious_confirmation(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    fields = intake_fields(await type_id(db_sessionmaker), document_identifier="000.00.21.H41-260101-0001")
    first = doc_id_from(await intake(clerk, fields, make_pdf(1)))
    # Same number/symbol/issuer written differently (case, spacing) is still a duplicate.
    again = await intake(clerk, {**fields, "code_notation": "ubnd-vp", "document_identifier": ""}, make_pdf(1))
    assert again.status_code == 409
    # The same clerk within the hour: recognised as their own document (issue 11 item 4), with a way on if it is not.
    assert "Bạn vừa tiếp nhận văn bản này lúc" in again.text and f"/incoming/{first}" in again.text
    assert 'name="confirm_duplicate"' in again.text
    by_identifier = await intake(clerk, {**fields, "code_number": "999"}, make_pdf(1))
    assert by_identifier.status_code == 409
    sha = again.text.split('name="pending_file" value="')[1].split('"')[0]
    confirmed = doc_id_from(await intake(clerk, {**fields, "pending_file": sha, "confirm_duplicate": "1"}))
    async with db_sessionmaker() as db:
        assert (await db.get(IncomingDocument, confirmed)).duplicate_of_id == first


async def test_illegal_transitions_are_409_with_a_readable_message(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    path = f"/incoming/{doc_id}"
    response = await post_form(clerk, f"{path}/transition", {"event": "register"})
    assert response.status_code == 409
    assert "Không thể “Vào sổ” văn bản đang ở trạng thái “Chờ trình”" in response.text
    response = await post_form(clerk, f"{path}/transition", {"event": "bay-len-troi"})
    assert response.status_code == 409 and "không tồn tại trong quy trình" in response.text
    response = await post_form(clerk, f"{path}/transition", {"event": "return_to_sender"})
    assert response.status_code == 422 and "Hãy nhập Lý do" in response.text
    stale = await post_form(clerk, f"{path}/transition", {"event": "submit", "version": "999"})
    assert stale.status_code == 409 and "vừa được người khác cập nhật" in stale.text
    htmx = await clerk.post(f"{path}/transition", data={"event": "register", "_csrf_token": "x"},
                            headers={"HX-Request": "true", "X-CSRFToken": (await clerk.get(path)).text.split(
                                'name="_csrf_token" value="')[1].split('"')[0]})
    assert htmx.status_code == 409 and htmx.headers["hx-retarget"] == "#toast"


async def test_forged_assignment_targets_are_refused(clients, db_sessionmaker, demo) -> None:
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    path = f"/incoming/{doc_id}"
    await post_form(clerk, f"{path}/transition", {"event": "submit"})
    leader = await clients("lanhdao.xanghiphong")
    foreign_unit = await unit_id(db_sessionmaker, await demo.agency_id("000.02.21.H41"), "ĐCXD")
    response = await post_form(leader, f"{path}/assign", {
        "event": "assign", "target": [f"unit:{foreign_unit}"], "role": ["lead"], "due_on": [""]})
    assert response.status_code == 422 and "không thuộc cơ quan" in response.text
    own_unit = await unit_id(db_sessionmaker, await demo.agency_id("000.01.21.H41"), "ĐCXD")
    no_lead = await post_form(leader, f"{path}/assign", {
        "event": "assign", "target": [f"unit:{own_unit}"], "role": ["coordinate"], "due_on": [""]})
    assert no_lead.status_code == 422 and "đúng một đơn vị hoặc cá nhân chủ trì" in no_lead.text
    assert f'<option value="unit:{own_unit}" selected>' in no_lead.text  # the choices made are kept
    past = await post_form(leader, f"{path}/assign", {
        "event": "assign", "target": [f"unit:{own_unit}"], "role": ["lead"],
        "due_on": [(clock.today() - timedelta(days=1)).isoformat()]})
    assert past.status_code == 422 and "Hạn xử lý không thể trước ngày hôm nay" in past.text
    async with db_sessionmaker() as db:
        assert str((await db.get(IncomingDocument, doc_id)).state) == "submitted"
