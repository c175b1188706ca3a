"""The paper-copy list is seeded once from PAPER_COPY_CATEGORIES by the migration that creates it.

Each test migrates its own empty database with the variable set as the deployment would set it;
afterwards the table is the truth and the variable is not read again.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa

from backend.config.settings import SettingsError, initial_paper_copy_categories
from backend.db.engine import create_engine
from backend.db.migrate import upgrade


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    """An empty SQLite database (the PostgreSQL pass seeds the default list through the template database)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'seed.db'}"


def _query(url: str, sql: str) -> list[tuple[object, ...]]:
    async def run() -> list[tuple[object, ...]]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return [tuple(row) for row in (await conn.execute(sa.text(sql))).all()]
        finally:
            await engine.dispose()

    return asyncio.run(run())


_RULES = (
    "SELECT r.kind, t.code, r.keyword, r.keyword_key, r.is_active, r.created_by_id FROM paper_copy_rule r "
    "LEFT JOIN document_type t ON t.id = r.document_type_id ORDER BY r.id"
)


def test_setting_parser_default_off_and_list() -> None:
    assert initial_paper_copy_categories({})[:2] == ("bổ nhiệm", "miễn nhiệm")
    assert initial_paper_copy_categories({"PAPER_COPY_CATEGORIES": "  "}) == initial_paper_copy_categories({})
    assert initial_paper_copy_categories({"PAPER_COPY_CATEGORIES": "OFF"}) == ()
    assert initial_paper_copy_categories({"PAPER_COPY_CATEGORIES": "type:Quyet_Dinh; Thi đua ;;"}) == (
        "type:quyet_dinh", "thi đua")


def test_migration_seeds_types_and_keywords_from_the_setting_once(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPER_COPY_CATEGORIES", "type:quyet_dinh; Thi  đua ;THI DUA;type:quyet_dinh;khen thưởng")
    upgrade(empty_url)
    assert _query(empty_url, _RULES) == [
        ("document_type", "quyet_dinh", "", None, True, None),
        ("keyword", None, "thi đua", "thi dua", True, None),
        ("keyword", None, "khen thưởng", "khen thuong", True, None),
    ]
    monkeypatch.setenv("PAPER_COPY_CATEGORIES", "off")
    upgrade(empty_url)  # already at head: the variable is not read again
    assert len(_query(empty_url, _RULES)) == 3


def test_migration_with_off_starts_with_an_empty_list(empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPER_COPY_CATEGORIES", "off")
    upgrade(empty_url)
    assert _query(empty_url, _RULES) == []


def test_migration_refuses_an_unknown_type_code_with_a_hint(empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPER_COPY_CATEGORIES", "type:quyet_dinh;type:nghi_dinh_xyz")
    with pytest.raises(SettingsError, match="nghi_dinh_xyz") as refused:
        upgrade(empty_url)
    assert "PAPER_COPY_CATEGORIES có mã loại văn bản không tồn tại" in str(refused.value)
    assert "type:quyet_dinh" in str(refused.value)  # says what a valid entry looks like
