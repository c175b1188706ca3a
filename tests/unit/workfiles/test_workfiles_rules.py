"""The work-file table, the closed value lists and the catalogue numerals."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.domain.workfiles.catalogue import roman
from backend.domain.workfiles.values import RETENTION_VALUES, check_retention, check_rights, retention_years
from backend.domain.workfiles.workflow import TABLE, State, render_markdown
from backend.errors import InvalidInputError

ROOT = Path(__file__).resolve().parents[3]


def test_table_is_sound_and_documented() -> None:
    assert TABLE.problems() == []
    assert TABLE.find(State.OPEN, "close").target is State.CLOSED
    assert TABLE.find(State.CLOSED, "close") is None
    doc = (ROOT / "docs" / "workflows" / "workfiles.md").read_text(encoding="utf-8")
    embedded = doc.split("<!-- transitions:start -->\n", 1)[1].split("<!-- transitions:end -->", 1)[0]
    assert embedded == render_markdown(), "docs/workflows/workfiles.md is stale: paste render_markdown() output"


def test_retention_and_rights_are_closed_lists() -> None:
    assert check_retention(" Vĩnh  viễn ") == "Vĩnh viễn"
    assert [retention_years(v) for v in RETENTION_VALUES] == [None, 70, 50, 20, 10, 5, 2]
    for bad in ("15 năm", "Lâu dài", "", "vĩnh viễn"):
        with pytest.raises(InvalidInputError) as refused:
            check_retention(bad)
        assert "Vĩnh viễn, 70 năm" in refused.value.field_errors["retention"]
    assert check_rights("Công khai") == "Công khai"
    with pytest.raises(InvalidInputError):
        check_rights("Mật")


def test_roman_ordinals() -> None:
    assert [roman(n) for n in (1, 4, 9, 14, 40)] == ["I", "IV", "IX", "XIV", "XL"]
