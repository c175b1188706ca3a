"""Field rules of the admin forms and imports, and the message catalogue they rely on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from backend.db.models import AgencyLevel, Role
from backend.domain.admin import validation as v
from backend.lib.i18n import catalogue

PACKAGE = Path(v.__file__).parent


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("000.00.21.H41", "000.00.21.H41"),
        (" h55.242 ", "H55.242"),
        ("G22", "G22"),
        ("0" * 35, "0" * 35),
    ],
)
def test_organ_id_accepts_permissive_pattern(raw: str, expected: str) -> None:
    errors: v.Errors = {}
    assert v.check_organ_id(errors, "organ_id", raw) == expected and errors == {}


@pytest.mark.parametrize("raw", ["AB", "000-00-21-H41", "000.00 .21", "0" * 36, "Đ12", "000.00.21.H41/"])
def test_organ_id_rejects_other_shapes(raw: str) -> None:
    errors: v.Errors = {}
    v.check_organ_id(errors, "organ_id", raw)
    assert "không hợp lệ" in errors["organ_id"] and "000.00.21.H41" in errors["organ_id"]


def test_username_rules() -> None:
    errors: v.Errors = {}
    assert v.check_username(errors, "u", " VanThu.Xa_1-b ") == "vanthu.xa_1-b" and errors == {}
    for bad in ("ab", "văn.thư", "a b c", "x" * 65):
        errors = {}
        v.check_username(errors, "u", bad)
        assert "u" in errors


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        ("province", AgencyLevel.PROVINCE),
        ("Tỉnh", AgencyLevel.PROVINCE),
        ("SỞ", AgencyLevel.DEPARTMENT),
        ("huyen", AgencyLevel.DISTRICT),
        ("Xã", AgencyLevel.COMMUNE),
        ("cấp xã", AgencyLevel.COMMUNE),
        ("khác", AgencyLevel.OTHER),
        ("Commune", AgencyLevel.COMMUNE),
    ],
)
def test_levels_in_english_or_vietnamese(raw: str, level: AgencyLevel) -> None:
    errors: v.Errors = {}
    assert v.parse_level(errors, "level", raw) is level and errors == {}


def test_roles_in_english_or_vietnamese_accent_insensitive() -> None:
    errors: v.Errors = {}
    roles = v.parse_roles(
        errors, "roles", "quản trị; VAN THU | cap pho|trưởng phòng;lãnh đạo;Chuyen vien;clerk"
    )
    assert roles == [Role.CLERK, Role.LEADER, Role.DEPUTY, Role.UNIT_HEAD, Role.SPECIALIST, Role.ADMIN]
    assert errors == {}
    assert v.parse_roles(errors, "roles", "") == [] and errors == {}
    v.parse_roles(errors, "roles", ["clerk", "boss", "thủ quỹ"])
    assert "boss, thủ quỹ" in errors["roles"]


def test_the_auditor_role_in_english_or_vietnamese() -> None:
    errors: v.Errors = {}
    for raw in ("auditor", "Kiểm soát viên", "kiem soat"):
        assert v.parse_roles(errors, "roles", raw) == [Role.AUDITOR], raw
    assert errors == {}


def test_email_and_phone() -> None:
    errors: v.Errors = {}
    assert v.check_email(errors, "email", " ") is None
    assert v.check_phone(errors, "phone", "+84 (238) 386-1234") == "+84 (238) 386-1234"
    assert errors == {}
    v.check_email(errors, "email", "vanthu@nghean")
    v.check_phone(errors, "phone", "gọi tôi")
    assert set(errors) == {"email", "phone"}


def test_every_message_key_used_by_the_package_exists_in_the_catalogue() -> None:
    keys = set()
    for path in PACKAGE.glob("*.py"):
        keys |= set(re.findall(r'\bt\(\s*"([a-z_.]+)"', path.read_text(encoding="utf-8")))
        keys |= set(re.findall(r'"((?:admin|import)\.[a-z_]+\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    own = json.loads(
        (PACKAGE.parents[1] / "locale" / "vi" / "organizations.json").read_text(encoding="utf-8")
    )
    assert keys, "no keys found"
    assert sorted(k for k in keys if k not in catalogue()) == []
    assert all(key.startswith(("admin.", "import.")) for key in own)
