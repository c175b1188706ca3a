"""The signing authority names whom it signs for, from the agency or its level (domain.md §3.2)."""

from __future__ import annotations

from backend.db.models import Agency, AgencyLevel
from backend.domain.organizations.signer_block import competence, signer_title


def _agency(level: AgencyLevel, *, head_title: str = "", collective_name: str = "") -> Agency:
    return Agency(name="Sở Nội vụ tỉnh Nghệ An", level=level, head_title=head_title, collective_name=collective_name)


def test_defaults_follow_the_level() -> None:
    commune = _agency(AgencyLevel.COMMUNE)
    assert competence("TM.", commune) == "TM. ỦY BAN NHÂN DÂN"
    assert competence("KT.", commune) == "KT. CHỦ TỊCH"
    assert competence("q.", commune) == "Q. CHỦ TỊCH"
    department = _agency(AgencyLevel.DEPARTMENT)
    assert competence("TL.", department) == "TL. GIÁM ĐỐC"
    assert competence("TM.", department) == "TM. SỞ NỘI VỤ TỈNH NGHỆ AN"
    assert competence("", department) == "", "the head signing in their own name has no competence line"


def test_the_agency_overrides_its_level() -> None:
    board = _agency(AgencyLevel.OTHER, head_title="Trưởng ban", collective_name="Ban quản lý dự án")
    assert competence("KT.", board) == "KT. TRƯỞNG BAN"
    assert competence("TM.", board) == "TM. BAN QUẢN LÝ DỰ ÁN"


def test_one_line_for_every_screen() -> None:
    assert signer_title("KT. CHỦ TỊCH", "Phó Chủ tịch") == "KT. CHỦ TỊCH / Phó Chủ tịch"
    assert signer_title("", "Chủ tịch") == "Chủ tịch"
    assert signer_title("TM. ỦY BAN NHÂN DÂN", "") == "TM. ỦY BAN NHÂN DÂN"
