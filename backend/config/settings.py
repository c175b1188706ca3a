"""One frozen, typed ``Settings`` object read from environment variables.

Every variable is documented in ``docs/configuration.md``. Demo mode (the default) generates and
persists its own secret in the data dir; production mode refuses to start without explicit secrets.
Validation errors carry a bilingual (Vietnamese / English) hint that says what to set.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "SettingsError", "load_settings"]


class SettingsError(RuntimeError):
    """A configuration value is missing or malformed; the message says how to fix it."""


def _hint(vi: str, en: str) -> str:
    return f"{vi}\n  ({en})"


@dataclass(frozen=True, slots=True)
class Settings:
    """Validated configuration. Build it with :func:`load_settings`, never by hand in app code."""

    app_env: str
    data_dir: Path
    database_url: str
    redis_url: str | None
    host: str
    port: int
    secret_key: str
    cookie_secure: bool
    session_idle_minutes: int
    login_max_failures: int
    login_failure_window_minutes: int
    login_lockout_minutes: int
    worker_poll_seconds: float
    outbox_lease_seconds: int
    outbox_max_attempts: int
    signing_url: str
    timezone: str = "Asia/Ho_Chi_Minh"

    @property
    def is_demo(self) -> bool:
        return self.app_env == "demo"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(_hint(f"{name} phải là số nguyên, nhận được {raw!r}.",
                                  f"{name} must be an integer, got {raw!r}.")) from None
    if value < minimum:
        raise SettingsError(_hint(f"{name} phải ≥ {minimum}.", f"{name} must be >= {minimum}."))
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(_hint(f"{name} phải là true hoặc false.", f"{name} must be true or false."))


def _normalise_database_url(url: str) -> str:
    """Accept the usual spellings and return the async driver URL SQLAlchemy needs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://"):]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///"):]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite:///")):
        return url
    raise SettingsError(_hint(
        "DATABASE_URL không hợp lệ: chỉ hỗ trợ postgresql://… hoặc sqlite:///….",
        f"Unsupported DATABASE_URL {url.split(':', 1)[0]}://…; use postgresql:// or sqlite:///."))


def _secret_key(env: Mapping[str, str], app_env: str, data_dir: Path) -> str:
    key = env.get("SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise SettingsError(_hint("SECRET_KEY phải dài ít nhất 32 ký tự.",
                                      "SECRET_KEY must be at least 32 characters long."))
        return key
    if app_env == "production":
        raise SettingsError(_hint(
            "Chế độ production cần SECRET_KEY (ví dụ: python -c 'import secrets;print(secrets.token_hex(32))').",
            "Production mode requires SECRET_KEY; generate one with secrets.token_hex(32)."))
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the configuration.

    Raises:
        SettingsError: with an actionable bilingual hint when a value is missing or invalid.
    """
    env = os.environ if env is None else env
    app_env = env.get("APP_ENV", "demo").strip().lower()
    if app_env not in {"demo", "production"}:
        raise SettingsError(_hint("APP_ENV phải là demo hoặc production.", "APP_ENV must be demo or production."))
    data_dir = Path(env.get("DATA_DIR") or "data").resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'congvan.db'}"
    if app_env == "production" and database_url.startswith("sqlite") and not _bool(env, "ALLOW_SQLITE", False):
        raise SettingsError(_hint(
            "Chế độ production nên dùng PostgreSQL: đặt DATABASE_URL=postgresql://… (hoặc ALLOW_SQLITE=true).",
            "Production mode expects PostgreSQL; set DATABASE_URL or ALLOW_SQLITE=true."))
    port = _int(env, "PORT", 8000)
    if port > 65535:
        raise SettingsError(_hint("PORT phải nằm trong 1–65535.", "PORT must be within 1-65535."))
    return Settings(
        app_env=app_env,
        data_dir=data_dir,
        database_url=_normalise_database_url(database_url),
        redis_url=env.get("REDIS_URL") or None,
        host=env.get("HOST", "127.0.0.1"),
        port=port,
        secret_key=_secret_key(env, app_env, data_dir),
        cookie_secure=_bool(env, "COOKIE_SECURE", app_env == "production"),
        session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", 480),
        login_max_failures=_int(env, "LOGIN_MAX_FAILURES", 5),
        login_failure_window_minutes=_int(env, "LOGIN_FAILURE_WINDOW_MINUTES", 15),
        login_lockout_minutes=_int(env, "LOGIN_LOCKOUT_MINUTES", 15),
        worker_poll_seconds=float(_int(env, "WORKER_POLL_MS", 1000)) / 1000,
        outbox_lease_seconds=_int(env, "OUTBOX_LEASE_SECONDS", 60),
        outbox_max_attempts=_int(env, "OUTBOX_MAX_ATTEMPTS", 8),
        signing_url=env.get("SIGNING_URL", "http://127.0.0.1:8701"),
    )
