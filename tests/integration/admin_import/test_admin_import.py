"""CSV import through the upload page: partial import with reasons, idempotence, formats, upload limits."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from backend.db.models import Agency, Role, RoleGrant, Unit, User
from backend.domain.admin_import.service import MAX_UPLOAD_BYTES

DISTRICT_ADMIN = "quantri.nghiloc"

AGENCIES = """organ_id,name,abbreviation,place_name,level,parent_organ_id,address,email,phone
000.04.21.H41,Ủy ban nhân dân xã Nghi Xuân,UBND,Nghi Xuân,xã,000.03.21.H41,,,
000.03.21.H41,Ủy ban nhân dân xã Nghi Thạch,UBND,Nghi Thạch,XA,000.00.21.H41,"xã Nghi Thạch, Nghi Lộc",,
000-05-21,Xã mã sai,UBND,Nghi Hoa,xã,000.00.21.H41,,,
000.06.21.H41,Xã cấp trên lạ,UBND,Nghi Hoa,xã,999.99.99.H99,,,
000.07.21.H41,Xã ngoài phạm vi,UBND,Diễn Hoa,xã,000.00.22.H41,,,
000.08.21.H41,Xã vòng A,UBND,A,xã,000.09.21.H41,,,
000.09.21.H41,Xã vòng B,UBND,B,xã,000.08.21.H41,,,
000.10.21.H41,Xã trùng 1,UBND,C,xã,000.00.21.H41,,,
000.10.21.H41,Xã trùng 2,UBND,C,xã,000.00.21.H41,,,
000.11.21.H41,,,,phường,000.00.21.H41,,,
000.01.21.H41,Ủy ban nhân dân xã Nghi Phong,UBND,Nghi Phong,xã,000.00.21.H41,,,
"""


async def _upload(
    post_form, kind: str, content: bytes, filename: str = "data.csv", content_type: str = "text/csv"
):
    return await post_form("/admin/import", {"kind": kind}, files={"file": (filename, content, content_type)})


def _rejected(html: str) -> dict[int, str]:
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>(.*?)</td></tr>", html, re.DOTALL)
    return {int(line): reasons for line, _key, reasons in rows}


def _count(html: str, name: str) -> int:
    match = re.search(rf'id="count-{name}">(\d+)<', html)
    assert match, name
    return int(match.group(1))


async def test_agency_import_creates_valid_rows_and_explains_each_rejection(
    as_user, client, post_form, db_sessionmaker, audit_rows
) -> None:
    await as_user(DISTRICT_ADMIN)
    response = await _upload(post_form, "agencies", AGENCIES.encode())
    assert response.status_code == 303 and response.headers["location"] == "/admin/import/report"
    report = await client.get("/admin/import/report")
    assert report.status_code == 200
    assert (
        _count(report.text, "created"),
        _count(report.text, "skipped"),
        _count(report.text, "rejected"),
    ) == (2, 1, 8)
    rejected = _rejected(report.text)
    assert "Mã định danh “000-05-21” không hợp lệ" in rejected[4]
    assert "Không tìm thấy cơ quan cấp trên có mã 999.99.99.H99" in rejected[5]
    assert "Cơ quan cấp trên 000.00.22.H41 nằm ngoài phạm vi bạn quản trị" in rejected[6]
    assert "vòng lặp" in rejected[7] and "vòng lặp" in rejected[8]
    assert "xuất hiện nhiều lần trong tệp (các dòng 9, 10)" in rejected[9] and 10 in rejected
    assert (
        "Chưa nhập Tên cơ quan (cột name)" in rejected[11]
        and "Cấp hành chính “phường” không hợp lệ" in rejected[11]
    )
    async with db_sessionmaker() as db:
        thach = await db.scalar(sa.select(Agency).where(Agency.organ_id == "000.03.21.H41"))
        xuan = await db.scalar(sa.select(Agency).where(Agency.organ_id == "000.04.21.H41"))
    assert (
        thach is not None and xuan is not None and xuan.parent_id == thach.id
    )  # parent came later in the file
    assert thach.address == "xã Nghi Thạch, Nghi Lộc"
    summary = json.loads((await audit_rows("organizations.csv_imported"))[-1].detail)
    assert (summary["kind"], summary["created"], summary["skipped"], summary["rejected"]) == (
        "agencies",
        2,
        1,
        8,
    )
    assert {r.object_id for r in (await audit_rows("agency.created"))[-2:]} == {str(thach.id), str(xuan.id)}
    assert (await client.get("/admin/import/report")).status_code == 303  # the report is shown once


async def test_reimporting_the_same_file_creates_nothing(as_user, client, post_form) -> None:
    await as_user(DISTRICT_ADMIN)
    await _upload(post_form, "agencies", AGENCIES.encode())
    await client.get("/admin/import/report")
    await _upload(post_form, "agencies", AGENCIES.encode())
    again = await client.get("/admin/import/report")
    assert (_count(again.text, "created"), _count(again.text, "skipped")) == (0, 3)


async def test_semicolon_delimiter_and_bom_for_units_and_users(
    as_user, client, post_form, demo, db_sessionmaker
) -> None:
    await as_user(DISTRICT_ADMIN)
    units = (
        "agency_organ_id;abbreviation;name\r\n000.01.21.H41;vhxh;Văn hóa - Xã hội\r\n"
        "000.01.21.H41;VPTK;Đã có\r\n000.01.22.H41;VP;Ngoài phạm vi\r\n"
    )
    assert (await _upload(post_form, "units", ("\ufeff" + units).encode())).status_code == 303
    report = await client.get("/admin/import/report")
    assert (
        _count(report.text, "created"),
        _count(report.text, "skipped"),
        _count(report.text, "rejected"),
    ) == (1, 1, 1)
    assert "Cơ quan 000.01.22.H41 nằm ngoài phạm vi bạn quản trị" in _rejected(report.text)[4]

    users = (
        "\ufeffusername;full_name;agency_organ_id;unit_abbreviation;position_title;roles;email;phone;password\n"
        "chuyenvien2.xanghiphong;Lê Thị Mai;000.01.21.H41;VHXH;Chuyên viên;Chuyên Viên|van thu;;;\n"
        "lanhdao2.xanghiphong;Phạm Văn Long;000.01.21.H41;;Phó Chủ tịch;deputy;;;matkhau2026a\n"
        "vanthu.xanghiphong;Đã có;000.01.21.H41;;;clerk;;;\n"
        "sai.vaitro;Sai Vai Trò;000.01.21.H41;;;thủ quỹ;;;\n"
        "sai.phongban;Sai Phòng Ban;000.01.21.H41;KHONGCO;;clerk;;;\n"
        "sai.matkhau;Sai Mật Khẩu;000.01.21.H41;;;clerk;;;ngan1\n"
        "la.coquan;Cơ Quan Lạ;000.99.21.H41;;;clerk;;;\n"
    )
    assert (await _upload(post_form, "users", users.encode())).status_code == 303
    report = await client.get("/admin/import/report")
    assert (
        _count(report.text, "created"),
        _count(report.text, "skipped"),
        _count(report.text, "rejected"),
    ) == (2, 1, 4)
    rejected = _rejected(report.text)
    assert "Không nhận ra vai trò: thủ quỹ" in rejected[5]
    assert "không có phòng ban đang hoạt động với ký hiệu KHONGCO" in rejected[6]
    assert "Mật khẩu ở cột password không dùng được" in rejected[7]
    assert "Không tìm thấy cơ quan có mã 000.99.21.H41" in rejected[8]
    passwords = re.findall(r"<tr><td>([a-z0-9._-]+)</td><td><code>([^<]+)</code></td></tr>", report.text)
    assert [username for username, _ in passwords] == [
        "chuyenvien2.xanghiphong"
    ]  # supplied passwords not shown
    assert 'download="mat-khau-ban-dau.csv"' in report.text
    async with db_sessionmaker() as db:
        mai = (await db.scalars(sa.select(User).where(User.username == "chuyenvien2.xanghiphong"))).one()
        roles = set((await db.scalars(sa.select(RoleGrant.role).where(RoleGrant.user_id == mai.id))).all())
        unit = await db.get(Unit, mai.unit_id)
    assert roles == {Role.SPECIALIST, Role.CLERK} and mai.must_change_password
    assert unit is not None and unit.abbreviation == "VHXH"


async def test_oversize_and_non_csv_uploads_are_refused_with_a_clear_message(as_user, post_form) -> None:
    await as_user(DISTRICT_ADMIN)
    big = b"organ_id,name\n" + b"x" * MAX_UPLOAD_BYTES
    too_big = await _upload(post_form, "agencies", big)
    assert too_big.status_code == 422 and "Tệp lớn hơn 5 MB" in too_big.text
    xlsx = await _upload(
        post_form,
        "agencies",
        b"PK\x03\x04\x00\x00binary",
        "danhsach.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert xlsx.status_code == 422 and "Tệp không phải tệp CSV dạng văn bản" in xlsx.text
    latin = await _upload(post_form, "agencies", "organ_id,name\nx,Café".encode("cp1252"))
    assert latin.status_code == 422 and "không được mã hóa UTF-8" in latin.text
    header = await _upload(post_form, "users", b"user,name\nx,y\n")
    assert header.status_code == 422 and "Dòng tiêu đề không đúng mẫu" in header.text
    no_kind = await _upload(post_form, "", AGENCIES.encode())
    assert no_kind.status_code == 422 and "Hãy chọn loại dữ liệu cần nhập" in no_kind.text


async def test_import_template_download_is_a_utf8_csv(as_user, client) -> None:
    await as_user(DISTRICT_ADMIN)
    response = await client.get("/admin/import/template/agencies")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbforgan_id,name,")
    assert (await client.get("/admin/import/template/other")).status_code == 404
