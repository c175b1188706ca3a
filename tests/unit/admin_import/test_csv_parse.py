"""CSV reading, row validation and import planning, without I/O."""

from __future__ import annotations

import pytest

from backend.db.models import AgencyLevel, Role
from backend.domain.admin_import.csv_parse import (
    AgencyRow,
    UnitRow,
    UserRow,
    parse_agency_row,
    parse_unit_row,
    parse_user_row,
    plan_agencies,
    plan_units,
    plan_users,
)
from backend.domain.admin_import.csv_read import (
    AGENCY_COLUMNS,
    AGENCY_REQUIRED,
    MAX_UPLOAD_BYTES,
    UNIT_COLUMNS,
    USER_COLUMNS,
    USER_REQUIRED,
    RejectedRow,
    decode_upload,
    detect_delimiter,
    read_csv,
)
from backend.errors import InvalidInputError

HEADER = ",".join(AGENCY_COLUMNS)


def agency(line: int, organ_id: str, parent: str = "") -> AgencyRow:
    return AgencyRow(
        line,
        organ_id,
        f"Cơ quan {organ_id}",
        "UBND",
        "Nghệ An",
        AgencyLevel.COMMUNE,
        parent,
        None,
        None,
        None,
    )


def test_decode_upload_strips_bom_and_refuses_bad_files() -> None:
    assert decode_upload("\ufeffa,b\n".encode(), "x.csv", "text/csv") == "a,b\n"
    assert decode_upload(b"a,b\n", "export", "application/vnd.ms-excel") == "a,b\n"
    cases = [
        (b"", "x.csv", "text/csv", "Tệp rỗng"),
        (b"a" * (MAX_UPLOAD_BYTES + 1), "x.csv", "text/csv", "lớn hơn 5 MB"),
        (b"a,b", "x.xlsx", "application/octet-stream", "không phải tệp CSV"),
        (b"a,\x00b", "x.csv", "text/csv", "không phải tệp CSV"),
        ("Café".encode("cp1252"), "x.csv", "text/csv", "UTF-8"),
    ]
    for data, name, ctype, message in cases:
        with pytest.raises(InvalidInputError) as info:
            decode_upload(data, name, ctype)
        assert message in info.value.field_errors["file"]


def test_detect_delimiter() -> None:
    assert detect_delimiter("a;b;c") == ";"
    assert detect_delimiter("a,b,c") == ","
    assert detect_delimiter('a;"b, c";d') == ";"


def test_read_csv_reports_physical_line_numbers_and_skips_blank_lines() -> None:
    text = (
        f'\ufeff{HEADER}\n\n000.00.00.H41,"Tên\nhai dòng",UBND,Nghệ An,tỉnh,,,,\n'
        "000.00.01.H41,Sở,SNV,Nghệ An,sở\n"
    )
    rows, rejected = read_csv(text, AGENCY_COLUMNS, AGENCY_REQUIRED)
    assert [line for line, _ in rows] == [3, 5]
    assert rows[0][1]["name"] == "Tên\nhai dòng" and rows[1][1]["phone"] == ""
    assert rejected == []


def test_read_csv_semicolon_and_case_insensitive_header() -> None:
    rows, _ = read_csv(
        "Agency_Organ_ID;Abbreviation;NAME\r\n000.00.00.H41;VP;Văn phòng\r\n", UNIT_COLUMNS, UNIT_COLUMNS
    )
    assert rows == [(2, {"agency_organ_id": "000.00.00.H41", "abbreviation": "VP", "name": "Văn phòng"})]


def test_read_csv_rejects_rows_with_extra_cells() -> None:
    rows, rejected = read_csv(
        "agency_organ_id,abbreviation,name\nA12,VP,Văn phòng, Thống kê\n", UNIT_COLUMNS, UNIT_COLUMNS
    )
    assert rows == [] and rejected[0].line == 2 and "nhiều hơn 3 cột" in rejected[0].reasons[0]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "không có dòng tiêu đề"),
        ("username,name\n", "Cột không nhận ra: name"),
        ("username,roles\n", "Cột bắt buộc còn thiếu: full_name, agency_organ_id"),
    ],
)
def test_read_csv_header_problems(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        read_csv(text, USER_COLUMNS, USER_REQUIRED)
    assert fragment in info.value.message


def test_parse_agency_row_normalises_and_collects_every_reason() -> None:
    ok = parse_agency_row(
        2,
        {
            "organ_id": " 000.00.21.h41 ",
            "name": "UBND  huyện",
            "abbreviation": "ubnd",
            "place_name": "Nghi Lộc",
            "level": "Huyện",
            "parent_organ_id": "000.00.00.H41",
        },
    )
    assert isinstance(ok, AgencyRow)
    assert (ok.organ_id, ok.name, ok.abbreviation, ok.level) == (
        "000.00.21.H41",
        "UBND huyện",
        "UBND",
        AgencyLevel.DISTRICT,
    )
    bad = parse_agency_row(
        3,
        {
            "organ_id": "AB",
            "name": "",
            "abbreviation": "X" * 21,
            "place_name": "P",
            "level": "thôn",
            "email": "a@b",
            "parent_organ_id": "x y",
        },
    )
    assert isinstance(bad, RejectedRow) and bad.line == 3
    text = " | ".join(bad.reasons)
    for fragment in (
        "Mã định danh “AB” không hợp lệ",
        "Chưa nhập Tên cơ quan (cột name)",
        "Tên viết tắt (cột abbreviation) dài 21 ký tự",
        "Cấp hành chính “thôn” không hợp lệ",
        "thư điện tử “a@b”",
        "Mã định danh cơ quan cấp trên (cột parent_organ_id) “X Y”",
    ):
        assert fragment in text


def test_parse_user_row_roles_and_password_policy() -> None:
    ok = parse_user_row(
        2,
        {
            "username": "VanThu.Xa",
            "full_name": "Lê Thị Mai",
            "agency_organ_id": "000.01.21.H41",
            "unit_abbreviation": "vptk",
            "roles": "Văn Thư; LANH DAO|unit-head",
            "password": "",
        },
    )
    assert isinstance(ok, UserRow)
    assert ok.username == "vanthu.xa" and ok.unit_abbreviation == "VPTK" and ok.password is None
    assert ok.roles == [Role.CLERK, Role.LEADER, Role.UNIT_HEAD]
    bad = parse_user_row(
        3,
        {
            "username": "vanthu.xa",
            "full_name": "A",
            "agency_organ_id": "000.01.21.H41",
            "roles": "clerk;thủ kho",
            "password": "vanthu.xa2026",
        },
    )
    assert isinstance(bad, RejectedRow)
    assert any("Không nhận ra vai trò: thủ kho" in r for r in bad.reasons)
    assert any("không được chứa tên đăng nhập" in r for r in bad.reasons)


def test_plan_agencies_orders_parents_first_and_skips_existing() -> None:
    rows = [agency(2, "C", "B"), agency(3, "B", "A"), agency(4, "A", "ROOT"), agency(5, "ROOT")]
    plan = plan_agencies(rows, {"ROOT": 1}, scope={1})
    assert [r.organ_id for r in plan.create] == ["A", "B", "C"]
    assert [r.organ_id for r in plan.skipped] == ["ROOT"] and plan.rejected == []


def test_plan_agencies_rejections() -> None:
    rows = [
        agency(2, "UNK", "NOPE"),
        agency(3, "OUT", "OTHER"),
        agency(4, "X1", "X2"),
        agency(5, "X2", "X1"),
        agency(6, "SELF", "SELF"),
        agency(7, "DUP", "ROOT"),
        agency(8, "DUP", "ROOT"),
        agency(9, "TOP"),
        agency(10, "CHILD", "X1"),
        RejectedRow(11, "BAD", ["…"]),
        agency(12, "ORPHAN", "BAD"),
    ]
    plan = plan_agencies(rows, {"ROOT": 1, "OTHER": 2}, scope={1})
    reasons = {r.line: " ".join(r.reasons) for r in plan.rejected}
    assert plan.create == []
    assert "Không tìm thấy cơ quan cấp trên có mã NOPE" in reasons[2]
    assert "OTHER nằm ngoài phạm vi" in reasons[3]
    assert "vòng lặp" in reasons[4] and "vòng lặp" in reasons[5] and "vòng lặp" in reasons[6]
    assert "các dòng 7, 8" in reasons[7] and "các dòng 7, 8" in reasons[8]
    assert "Chưa nhập parent_organ_id" in reasons[9]
    assert "X1 (dòng 4) bị từ chối" in reasons[10]
    assert "BAD (dòng 11) bị từ chối" in reasons[12]
    assert [r.line for r in plan.rejected] == sorted(reasons)


def test_plan_agencies_system_scope_allows_top_level() -> None:
    plan = plan_agencies([agency(2, "TOP"), agency(3, "IN", "OTHER")], {"OTHER": 2}, scope=None)
    assert [r.organ_id for r in plan.create] == ["TOP", "IN"]


def test_plan_units() -> None:
    rows = [
        parse_unit_row(2, {"agency_organ_id": "A01", "abbreviation": "vp", "name": "Văn phòng"}),
        UnitRow(3, "A01", "KT", "Kế toán"),
        UnitRow(4, "A01", "TC", "1"),
        UnitRow(5, "A01", "TC", "2"),
        UnitRow(6, "OUT", "VP", "x"),
        UnitRow(7, "OFF", "VP", "x"),
        UnitRow(8, "NONE", "VP", "x"),
    ]
    agencies = {"A01": (1, True), "OUT": (2, True), "OFF": (3, False)}
    plan = plan_units(rows, agencies, existing={("A01", "KT")}, scope={1, 3})
    assert [(r.agency_organ_id, r.abbreviation) for r in plan.create] == [("A01", "VP")]
    assert [r.abbreviation for r in plan.skipped] == ["KT"]
    reasons = {r.line: r.reasons[0] for r in plan.rejected}
    assert set(reasons) == {4, 5, 6, 7, 8}
    assert (
        "ngoài phạm vi" in reasons[6] and "ngừng hoạt động" in reasons[7] and "Không tìm thấy" in reasons[8]
    )
    assert plan.rejected[0].key == "A01/TC"


def test_plan_users() -> None:
    def user(line: int, username: str, agency_id: str = "A", unit: str = "") -> UserRow:
        return UserRow(line, username, "Tên", agency_id, unit, "", [Role.CLERK], None, None, None)

    rows = [
        user(2, "new"),
        user(3, "taken"),
        user(4, "twice"),
        user(5, "twice"),
        user(6, "far", "B"),
        user(7, "nounit", unit="ZZ"),
        user(8, "withunit", unit="VP"),
    ]
    plan = plan_users(
        rows, {"A": (1, True), "B": (2, True)}, {("A", "VP"): 10}, existing={"taken"}, scope={1}
    )
    assert [r.username for r in plan.create] == ["new", "withunit"]
    assert [r.username for r in plan.skipped] == ["taken"]
    assert {r.line for r in plan.rejected} == {4, 5, 6, 7}
