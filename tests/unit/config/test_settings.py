"""Settings: defaults, validation hints and the production rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.config.settings import SettingsError, load_settings


def test_settings_default_to_sqlite_in_data_dir_and_persist_secret(tmp_path: Path) -> None:
    first = load_settings({"DATA_DIR": str(tmp_path)})
    second = load_settings({"DATA_DIR": str(tmp_path)})
    assert first.database_url == f"sqlite+aiosqlite:///{tmp_path / 'congvan.db'}"
    assert first.redis_url is None and first.port == 8000 and first.is_demo
    assert len(first.secret_key) == 64 and first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_production_requires_secret_key_with_hint(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings({"APP_ENV": "production", "DATA_DIR": str(tmp_path),
                       "DATABASE_URL": "postgresql://db/congvan"})


def test_settings_production_refuses_sqlite_unless_allowed(tmp_path: Path) -> None:
    env = {"APP_ENV": "production", "DATA_DIR": str(tmp_path), "SECRET_KEY": "x" * 40}
    with pytest.raises(SettingsError, match="PostgreSQL"):
        load_settings(env)
    assert load_settings({**env, "ALLOW_SQLITE": "true"}).cookie_secure is True


def test_settings_normalise_postgres_urls(tmp_path: Path) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@h:5432/d"})
    assert settings.database_url == "postgresql+asyncpg://u@h:5432/d"


@pytest.mark.parametrize(("name", "value", "fragment"), [
    ("PORT", "abc", "số nguyên"),
    ("PORT", "70000", "1–65535"),
    ("LOGIN_MAX_FAILURES", "0", "≥ 1"),
    ("COOKIE_SECURE", "maybe", "true hoặc false"),
    ("DATABASE_URL", "mysql://x/y", "DATABASE_URL"),
    ("APP_ENV", "staging", "APP_ENV"),
    ("SECRET_KEY", "short", "32"),
])
def test_settings_reject_bad_values_with_vietnamese_hint(tmp_path: Path, name: str, value: str, fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        load_settings({"DATA_DIR": str(tmp_path), name: value})
