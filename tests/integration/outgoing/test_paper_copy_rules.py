"""The paper-copy list page (/admin/paper-copy) through real form posts, with and without htmx.

The demo database was migrated with ``PAPER_COPY_CATEGORIES`` unset, so the list starts with the
built-in personnel and budget keywords. Only the province's administrators may change it; other
administrators read it; everyone else gets 403 and anonymous visitors the login page.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.models import AuditEvent, DocumentType, PaperCopyRule, User

PROVINCE_ADMIN = "quantri.tinh"
DISTRICT_ADMIN = "quantri.nghiloc"
DEPARTMENT_ADMIN = "quantri.sonoivu"
PROVINCE_CLERK = "vanthu.tinh"
PAGE = "/admin/paper-copy"


async def _rules(db_sessionmaker: Any) -> dict[str, PaperCopyRule]:
    """Every rule by its keyword (keyword rules) or ``type:<code>`` (type rules)."""
    async with db_sessionmaker() as db:
        rows = (
            await db.execute(
                sa.select(PaperCopyRule, DocumentType.code).outerjoin(
                    DocumentType, DocumentType.id == PaperCopyRule.document_type_id
                )
            )
        ).all()
    return {(f"type:{code}" if code else rule.keyword): rule for rule, code in rows}


async def _type_id(db_sessionmaker: Any, code: str) -> int:
    async with db_sessionmaker() as db:
        return (await db.scalars(sa.select(DocumentType.id).where(DocumentType.code == code))).one()


async def _user(db_sessionmaker: Any, username: str) -> User:
    async with db_sessionmaker() as db:
        return (await db.scalars(sa.select(User).where(User.username == username))).one()


async def _audit_count(db_sessionmaker: Any) -> int:
    async with db_sessionmaker() as db:
        return int(
            await db.scalar(
                sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action.like("paper_copy_rule.%"))
            )
            or 0
        )


async def test_province_admin_sees_the_initial_list_and_both_forms(as_user, client) -> None:
    await as_user(PROVINCE_ADMIN)
    home = await client.get("/admin")
    assert 'href="/admin/paper-copy"' in home.text and "Danh mục văn bản gửi kèm bản giấy" in home.text
    page = await client.get(PAGE)
    assert page.status_code == 200 and "HX-Request" in page.headers["vary"]
    assert "<h1>Danh mục văn bản gửi kèm bản giấy</h1>" in page.text
    for keyword in ("bổ nhiệm", "nâng lương", "ngân sách", "tài chính"):
        assert f"Từ khóa “{keyword}”" in page.text
    assert "Danh mục ban đầu (cấu hình PAPER_COPY_CATEGORIES)" in page.text
    assert "9 mục đang áp dụng" in page.text
    assert "Thêm loại văn bản" in page.text and "Thêm từ khóa trong trích yếu" in page.text
    assert '<option value="' in page.text and "Quyết định (cá biệt) (QĐ)" in page.text
    assert 'name="_csrf_token"' in page.text and "Ngừng áp dụng" in page.text


@pytest.mark.parametrize("username", [DISTRICT_ADMIN, DEPARTMENT_ADMIN])
async def test_other_admins_read_the_list_without_forms(as_user, client, username) -> None:
    await as_user(username)
    page = await client.get(PAGE)
    assert page.status_code == 200
    assert "Từ khóa “bổ nhiệm”" in page.text
    assert "Bạn có thể xem, không thể sửa" in page.text
    assert "Thêm từ khóa" not in page.text and "/deactivate" not in page.text and "/delete" not in page.text


async def test_province_admin_adds_a_type_and_a_keyword_without_js(
    as_user, client, post_form, db_sessionmaker, audit_rows
) -> None:
    await as_user(PROVINCE_ADMIN)
    decision = await _type_id(db_sessionmaker, "quyet_dinh")
    added = await post_form(PAGE, {"kind": "document_type", "document_type_id": str(decision),
                                   "note": "Chỉ đạo của Chủ tịch UBND tỉnh"})
    assert added.status_code == 303 and added.headers["location"] == PAGE
    page = await client.get(PAGE)
    assert "Đã thêm vào danh mục: Loại văn bản “Quyết định (cá biệt) (QĐ)”." in page.text
    assert "Thêm bởi Nguyễn Văn An" in page.text and "Chỉ đạo của Chủ tịch UBND tỉnh" in page.text

    keyword = await post_form(PAGE, {"kind": "keyword", "keyword": "  Khen   thưởng ", "note": ""})
    assert keyword.status_code == 303
    rules = await _rules(db_sessionmaker)
    admin_id = (await _user(db_sessionmaker, PROVINCE_ADMIN)).id
    assert rules["type:quyet_dinh"].is_active and rules["type:quyet_dinh"].created_by_id == admin_id
    assert rules["Khen thưởng"].keyword_key == "khen thuong" and rules["Khen thưởng"].note == ""

    rows = await audit_rows("paper_copy_rule.created")
    assert [row.actor_name for row in rows] == [PROVINCE_ADMIN, PROVINCE_ADMIN]
    assert json.loads(rows[0].detail)["after"] == {"kind": "document_type", "document_type": "quyet_dinh",
                                                   "keyword": "", "note": "Chỉ đạo của Chủ tịch UBND tỉnh",
                                                   "is_active": True}
    assert json.loads(rows[1].detail)["after"]["keyword"] == "Khen thưởng"
    assert rows[1].object_id == str(rules["Khen thưởng"].id)


@pytest.mark.parametrize(
    ("form", "field_value", "message"),
    [
        ({"kind": "keyword", "keyword": "   "}, None, "Chưa nhập Từ khóa. Đây là thông tin bắt buộc."),
        ({"kind": "keyword", "keyword": "q đ"}, 'value="q đ"', "Từ khóa “q đ” quá ngắn: cần ít nhất 3 ký tự"),
        ({"kind": "keyword", "keyword": "BO NHIEM"}, 'value="BO NHIEM"', "Từ khóa “bổ nhiệm” đã có trong danh mục."),
        ({"kind": "keyword", "keyword": "x" * 101}, None, "Từ khóa dài 101 ký tự, vượt quá giới hạn 100 ký tự."),
        ({"kind": "keyword", "keyword": "thi đua", "note": "n" * 301}, 'value="thi đua"',
         "Ghi chú dài 301 ký tự, vượt quá giới hạn 300 ký tự."),
        ({"kind": "document_type", "document_type_id": ""}, None, "Hãy chọn một loại văn bản."),
        ({"kind": "document_type", "document_type_id": "999999"}, None,
         "Không tìm thấy loại văn bản đã chọn trong bảng loại văn bản (Nghị định 30/2020/NĐ-CP)."),
        ({"kind": "document_type", "document_type_id": "abc"}, None, "Không tìm thấy loại văn bản đã chọn"),
        ({"kind": ""}, None, "Hãy chọn thêm theo loại văn bản hoặc theo từ khóa trong trích yếu."),
    ],
)
async def test_bad_input_is_refused_with_a_vietnamese_message_and_changes_nothing(
    as_user, post_form, db_sessionmaker, form, field_value, message
) -> None:
    await as_user(PROVINCE_ADMIN)
    before = await _rules(db_sessionmaker)
    response = await post_form(PAGE, form)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text or form["kind"] == ""
    if field_value:
        assert field_value in response.text  # what was typed is kept
    assert (await _rules(db_sessionmaker)).keys() == before.keys()
    assert await _audit_count(db_sessionmaker) == 0


async def test_duplicate_type_is_refused_and_an_inactive_duplicate_says_how_to_reapply(
    as_user, post_form, db_sessionmaker
) -> None:
    await as_user(PROVINCE_ADMIN)
    decision = str(await _type_id(db_sessionmaker, "quyet_dinh"))
    assert (await post_form(PAGE, {"kind": "document_type", "document_type_id": decision})).status_code == 303
    again = await post_form(PAGE, {"kind": "document_type", "document_type_id": decision})
    assert again.status_code == 422
    assert "Loại văn bản “Quyết định (cá biệt) (QĐ)” đã có trong danh mục." in again.text
    rule = (await _rules(db_sessionmaker))["bổ nhiệm"]
    assert (await post_form(f"{PAGE}/{rule.id}/deactivate")).status_code == 303
    inactive = await post_form(PAGE, {"kind": "keyword", "keyword": "Bổ nhiệm"})
    assert inactive.status_code == 422
    assert "Từ khóa “bổ nhiệm” đã có trong danh mục nhưng đang ngừng áp dụng: hãy bấm “Áp dụng lại”" in inactive.text


async def test_deactivate_reactivate_and_delete_are_audited(
    as_user, client, post_form, db_sessionmaker, audit_rows
) -> None:
    await as_user(PROVINCE_ADMIN)
    rule = (await _rules(db_sessionmaker))["ngân sách"]
    off = await post_form(f"{PAGE}/{rule.id}/deactivate")
    assert off.status_code == 303 and off.headers["location"] == PAGE
    assert not (await _rules(db_sessionmaker))["ngân sách"].is_active
    page = await client.get(PAGE)
    assert "Đã ngừng áp dụng: Từ khóa “ngân sách”." in page.text and "Ngừng áp dụng</span>" in page.text
    assert "8 mục đang áp dụng, 1 mục ngừng áp dụng" in page.text
    assert (await post_form(f"{PAGE}/{rule.id}/deactivate")).status_code == 303  # already off: no new row
    assert (await post_form(f"{PAGE}/{rule.id}/reactivate")).status_code == 303
    assert (await _rules(db_sessionmaker))["ngân sách"].is_active
    gone = await post_form(f"{PAGE}/{rule.id}/delete")
    assert gone.status_code == 303
    assert "ngân sách" not in await _rules(db_sessionmaker)
    assert "Đã xóa khỏi danh mục: Từ khóa “ngân sách”." in (await client.get(PAGE)).text

    assert [json.loads(r.detail) for r in await audit_rows("paper_copy_rule.deactivated")] == [
        {"before": {"is_active": True}, "after": {"is_active": False}}
    ]
    assert len(await audit_rows("paper_copy_rule.reactivated")) == 1
    deleted = await audit_rows("paper_copy_rule.deleted")
    assert deleted[0].object_id == str(rule.id) and deleted[0].actor_name == PROVINCE_ADMIN
    assert json.loads(deleted[0].detail)["before"]["keyword"] == "ngân sách"
    for action in ("deactivate", "reactivate", "delete"):
        assert (await post_form(f"{PAGE}/{rule.id}/{action}")).status_code == 404


async def test_htmx_add_and_toggle_return_the_block_with_a_toast(as_user, client, post_form, db_sessionmaker) -> None:
    await as_user(PROVINCE_ADMIN)
    fragment = await client.get(PAGE, headers={"HX-Request": "true", "HX-Target": "paper-copy-rules"})
    assert fragment.text.lstrip().startswith('<div id="paper-copy-rules">') and "<html" not in fragment.text
    htmx = {"HX-Request": "true", "HX-Target": "paper-copy-rules"}
    token = fragment.text.split('name="_csrf_token" value="')[1].split('"')[0]
    added = await client.post(PAGE, data={"kind": "keyword", "keyword": "thi đua", "_csrf_token": token},
                              headers=htmx)
    assert added.status_code == 200, added.text
    assert added.headers["hx-trigger"] == "paper-copy-changed" and "HX-Request" in added.headers["vary"]
    assert 'hx-swap-oob="true"' in added.text and "Đã thêm vào danh mục: Từ khóa “thi đua”." in added.text
    assert '<div id="paper-copy-rules">' in added.text and "<html" not in added.text
    assert "Từ khóa “thi đua”</span>" in added.text

    refused = await client.post(PAGE, data={"kind": "keyword", "keyword": "Thi Đua", "_csrf_token": token},
                                headers=htmx)
    assert refused.status_code == 422 and "<html" not in refused.text
    assert "Từ khóa “thi đua” đã có trong danh mục." in refused.text and 'value="Thi Đua"' in refused.text

    rule = (await _rules(db_sessionmaker))["thi đua"]
    off = await client.post(f"{PAGE}/{rule.id}/deactivate", data={"_csrf_token": token}, headers=htmx)
    assert off.status_code == 200 and "Đã ngừng áp dụng: Từ khóa “thi đua”." in off.text
    assert f'hx-post="/admin/paper-copy/{rule.id}/reactivate"' in off.text


async def test_only_the_province_admin_may_change_the_list(
    as_user, client, post_form, db_sessionmaker
) -> None:
    rule = (await _rules(db_sessionmaker))["bổ nhiệm"]
    anonymous = await client.get(PAGE)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    await as_user(PROVINCE_CLERK)
    assert (await client.get(PAGE)).status_code == 403
    assert (await post_form(PAGE, {"kind": "keyword", "keyword": "thi đua"})).status_code == 403
    for username in (DISTRICT_ADMIN, DEPARTMENT_ADMIN):
        client.cookies.clear()  # a new browser session
        await as_user(username)
        for path, form in (
            (PAGE, {"kind": "keyword", "keyword": "thi đua"}),
            (f"{PAGE}/{rule.id}/deactivate", {}),
            (f"{PAGE}/{rule.id}/delete", {}),
        ):
            response = await post_form(path, form)
            assert response.status_code == 403
            assert "Chỉ quản trị viên của cơ quan cấp tỉnh mới được sửa danh mục" in response.text
    after = await _rules(db_sessionmaker)
    assert "thi đua" not in after and after["bổ nhiệm"].is_active
    assert await _audit_count(db_sessionmaker) == 0


async def test_a_post_without_csrf_token_is_refused(as_user, client, db_sessionmaker) -> None:
    await as_user(PROVINCE_ADMIN)
    rule = (await _rules(db_sessionmaker))["bổ nhiệm"]
    for path, form in ((PAGE, {"kind": "keyword", "keyword": "thi đua"}), (f"{PAGE}/{rule.id}/delete", {})):
        assert (await client.post(path, data=form)).status_code == 403
        assert (await client.post(path, data={**form, "_csrf_token": "forged"})).status_code == 403
    after = await _rules(db_sessionmaker)
    assert "thi đua" not in after and "bổ nhiệm" in after
    assert await _audit_count(db_sessionmaker) == 0
