"""The common-password rule of the password policy (issue 16): the list, stems and the username."""

from __future__ import annotations

import pytest

from backend.cli.seed import DEMO_PASSWORD
from backend.domain.accounts.services import validate_new_password

USERNAME = "vanthu.xanghiphong"


@pytest.mark.parametrize("password", [
    DEMO_PASSWORD, "Congvan@2026", "matkhau2026!", "Matkhau@123", "123456a@123", "Password1234",
    "qwertyuiop1", "1qaz2wsx3edc", "Ubndtinh2026", "VanPhong@2026", "Vietnam@2026", "Anhyeuem123",
    "Xanghiphong2026", "2026vanthu!!", "QuangXuong@2026",
])
def test_common_passwords_and_ones_built_on_them_are_refused(password: str) -> None:
    errors = validate_new_password(USERNAME, password, password)
    assert errors == {"new_password": errors["new_password"]}
    assert "quá phổ biến" in errors["new_password"]


@pytest.mark.parametrize("password", ["Tr4ngSang!MuaThu", "MatKhauMoi2026", "gio-dong-bac-7-sao", "Ca phe sua 2 da"])
def test_uncommon_passwords_pass(password: str) -> None:
    assert validate_new_password(USERNAME, password, password) == {}


def test_the_demo_seed_may_still_use_the_published_password() -> None:
    assert validate_new_password(USERNAME, DEMO_PASSWORD, DEMO_PASSWORD, common_allowed=True) == {}
