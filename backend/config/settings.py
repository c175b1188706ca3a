"""One frozen, typed ``Settings`` object read from environment variables.

Every variable is documented in ``docs/configuration.md``. Demo mode (the default) generates and
persists its own secret in the data dir; production mode refuses to start without explicit secrets.
Validation errors carry a bilingual (Vietnamese / English) hint that says what to set.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

__all__ = ["Settings", "SettingsError", "initial_paper_copy_categories", "load_settings"]


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
    session_max_hours: int = 12
    """Absolute lifetime of a session from login, whatever the activity (``SESSION_MAX_HOURS``)."""
    login_ip_max_failures: int = 20
    """Failed logins from one address within the failure window that earn it a 429 (``LOGIN_IP_MAX_FAILURES``)."""
    vapid_private_key: str | None = None
    vapid_public_key: str | None = None
    vapid_subject: str = "mailto:quantri@congvan.local"
    push_ttl_seconds: int = 86400
    quiet_hours: tuple[str, str] | None = ("21:00", "06:30")
    push_endpoint_hosts: tuple[str, ...] = ()
    timezone: str = "Asia/Ho_Chi_Minh"
    upload_max_mb: int = 50
    upload_max_pages: int = 2000
    """Page ceiling of an uploaded PDF (``UPLOAD_MAX_PAGES``)."""
    blob_orphan_grace_hours: int = 24
    """Age after which the sweeper deletes a blob no row references (``BLOB_ORPHAN_GRACE_HOURS``, ≥ 2)."""
    db_lock_timeout_seconds: float = 30.0
    """How long a writer waits for SQLite's write lock (``DB_LOCK_TIMEOUT_SECONDS``)."""
    page_render_timeout_seconds: float = 10.0
    """Time limit of one page-image rendering (``PAGE_RENDER_TIMEOUT_SECONDS``); below the lock timeout."""
    clerk_sla_office_hours: int = 2
    office_hours: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
    """Local office intervals of a working day (``OFFICE_HOURS``)."""
    compensatory_working_days: frozenset[date] = frozenset()
    compensatory_days_off: frozenset[date] = frozenset()
    due_soon_working_days: int = 2
    handling_default_working_days: int = 10
    page_image_width: int = 800
    db_pool_size: int = 10
    """Connections a web process keeps open to PostgreSQL (``DB_POOL_SIZE``; see docs/configuration.md)."""
    db_pool_timeout_seconds: int = 120
    """How long a request queues for a free connection before failing (``DB_POOL_TIMEOUT_SECONDS``)."""
    signing_client_id: str | None = None
    signing_client_secret: str | None = None
    cert_expiry_warning_days: int = 30
    trust_roots: tuple[Path, ...] = ()
    """PEM files of the roots received signatures must chain to (``TRUST_ROOTS``; demo: the dev CA)."""
    outgoing_series_per_type: bool = False
    signature_image_max_kb: int = 512
    seal_size_mm: int = 36
    blob_backend: str = "local"
    """``local`` (``<DATA_DIR>/blobs``) or ``s3`` (``BLOB_BACKEND``)."""
    s3_endpoint: str = ""
    s3_bucket: str = ""
    s3_access_key: str = field(default="", repr=False)
    s3_secret_key: str = field(default="", repr=False)
    axis_url: str = ""
    """Base URL of the national document axis or the provincial LGSP (``AXIS_URL``; empty: not connected)."""
    axis_system_id: str = ""
    """This system's id on the axis (``AXIS_SYSTEM_ID``)."""
    axis_secret: str = field(default="", repr=False)
    """The secret paired with the system id (``AXIS_SECRET``); never logged, never in ``repr``."""
    axis_timeout_seconds: float = 30.0
    """Time limit of one axis call (``AXIS_TIMEOUT_SECONDS``)."""
    axis_poll_seconds: int = 60
    """Seconds between two polls of the axis by the worker (``AXIS_POLL_SECONDS``)."""

    @property
    def is_demo(self) -> bool:
        return self.app_env == "demo"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"


def _blob_backend(env: Mapping[str, str]) -> dict[str, str]:
    """``BLOB_BACKEND`` and, for ``s3``, the four ``S3_*`` values (all required; the keys are never echoed)."""
    backend = (env.get("BLOB_BACKEND") or "local").strip().lower()
    if backend == "local":
        return {"blob_backend": "local"}
    if backend != "s3":
        raise SettingsError(_hint("BLOB_BACKEND phải là local hoặc s3.", "BLOB_BACKEND must be local or s3."))
    values = {name: (env.get(name) or "").strip() for name in ("S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY",
                                                                 "S3_SECRET_KEY")}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise SettingsError(_hint(f"BLOB_BACKEND=s3 cần đặt {', '.join(missing)}.",
                                  f"BLOB_BACKEND=s3 requires {', '.join(missing)}."))
    if not values["S3_ENDPOINT"].startswith(("http://", "https://")):
        raise SettingsError(_hint("S3_ENDPOINT phải có dạng http(s)://máy:cổng.",
                                  "S3_ENDPOINT must look like http(s)://host:port."))
    return {"blob_backend": "s3", "s3_endpoint": values["S3_ENDPOINT"], "s3_bucket": values["S3_BUCKET"],
            "s3_access_key": values["S3_ACCESS_KEY"], "s3_secret_key": values["S3_SECRET_KEY"]}


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


def _dates(env: Mapping[str, str], name: str) -> frozenset[date]:
    """A comma-separated list of ISO dates (``2026-01-03,2026-04-25``)."""
    values = set()
    for item in env.get(name, "").replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            values.add(date.fromisoformat(item))
        except ValueError:
            raise SettingsError(_hint(f"{name}: ngày {item!r} không hợp lệ, hãy viết dạng YYYY-MM-DD.",
                                      f"{name}: {item!r} is not a date; use YYYY-MM-DD.")) from None
    return frozenset(values)


def _office_hours(env: Mapping[str, str]) -> tuple[tuple[time, time], ...]:
    """``OFFICE_HOURS`` such as ``07:30-11:30,13:30-17:00``: ordered, non-overlapping intervals."""
    raw = env.get("OFFICE_HOURS", "").strip()
    if not raw:
        return ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
    hint = _hint("OFFICE_HOURS phải có dạng 07:30-11:30,13:30-17:00 (các khoảng tăng dần, không chồng nhau).",
                 "OFFICE_HOURS must look like 07:30-11:30,13:30-17:00 (ascending, non-overlapping).")
    intervals: list[tuple[time, time]] = []
    for part in raw.split(","):
        try:
            start_text, end_text = part.strip().split("-")
            start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
        except ValueError:
            raise SettingsError(hint) from None
        if start >= end or (intervals and intervals[-1][1] > start):
            raise SettingsError(hint)
        intervals.append((start, end))
    return tuple(intervals)


_DEFAULT_QUIET_HOURS = ("21:00", "06:30")
_DEFAULT_VAPID_SUBJECT = "mailto:quantri@congvan.local"
_DEFAULT_PUSH_HOSTS = ("fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com", "push.apple.com")


def _quiet_hours(env: Mapping[str, str]) -> tuple[str, str] | None:
    """``QUIET_HOURS`` such as ``21:00-06:30`` (may wrap midnight), or ``off``."""
    raw = env.get("QUIET_HOURS", "").strip().lower()
    if raw == "":
        return _DEFAULT_QUIET_HOURS
    if raw in {"off", "none", "0"}:
        return None
    hint = _hint("QUIET_HOURS phải có dạng 21:00-06:30 (giờ Việt Nam) hoặc off.",
                 "QUIET_HOURS must look like 21:00-06:30 (Vietnam time) or be off.")
    try:
        start_text, end_text = (part.strip() for part in raw.split("-"))
        start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    except ValueError:
        raise SettingsError(hint) from None
    if start == end:
        raise SettingsError(hint)
    return start.strftime("%H:%M"), end.strftime("%H:%M")


def _vapid(env: Mapping[str, str], app_env: str) -> tuple[str | None, str | None, str]:
    """(private key, public key, subject) for Web Push; demo mode generates keys in the data dir."""
    private = env.get("VAPID_PRIVATE_KEY", "").strip() or None
    public = env.get("VAPID_PUBLIC_KEY", "").strip() or None
    subject = env.get("VAPID_SUBJECT", "").strip()
    if public and not private:
        raise SettingsError(_hint("VAPID_PUBLIC_KEY cần đi kèm VAPID_PRIVATE_KEY.",
                                  "VAPID_PUBLIC_KEY is set but VAPID_PRIVATE_KEY is not."))
    if private and app_env == "production" and not subject:
        raise SettingsError(_hint("Khi có VAPID_PRIVATE_KEY, hãy đặt VAPID_SUBJECT=mailto:quantri@ten-mien-co-quan.",
                                  "VAPID_SUBJECT (mailto: or https: contact) is required with VAPID_PRIVATE_KEY."))
    subject = subject or _DEFAULT_VAPID_SUBJECT
    if not subject.startswith(("mailto:", "https://")):
        raise SettingsError(_hint("VAPID_SUBJECT phải bắt đầu bằng mailto: hoặc https://.",
                                  "VAPID_SUBJECT must start with mailto: or https://."))
    return private, public, subject


_DEFAULT_PAPER_COPY = ("bổ nhiệm", "miễn nhiệm", "điều động", "luân chuyển", "biệt phái", "nghỉ hưu", "nâng lương",
                       "ngân sách", "tài chính")
"""Bà Rịa–Vũng Tàu's list (domain.md §22): personnel decisions and finance/budget documents."""


def _outgoing_series(env: Mapping[str, str]) -> bool:
    """``OUTGOING_SERIES``: ``shared`` (one administrative series, default) or ``per_type``."""
    raw = env.get("OUTGOING_SERIES", "shared").strip().lower() or "shared"
    if raw not in {"shared", "per_type"}:
        raise SettingsError(_hint("OUTGOING_SERIES phải là shared hoặc per_type.",
                                  "OUTGOING_SERIES must be shared or per_type."))
    return raw == "per_type"


def initial_paper_copy_categories(env: Mapping[str, str]) -> tuple[str, ...]:
    """``PAPER_COPY_CATEGORIES``: ``;``-separated type codes (``type:quyet_dinh``) and keywords, or ``off``.

    Read once, by the migration that creates the ``paper_copy_rule`` table, to fill it; from then on
    administrators of the province edit the list on ``/admin/paper-copy`` and this value is not read.
    Unset or empty: :data:`_DEFAULT_PAPER_COPY`.
    """
    raw = env.get("PAPER_COPY_CATEGORIES")
    if raw is None or not raw.strip():
        return _DEFAULT_PAPER_COPY
    if raw.strip().lower() == "off":
        return ()
    return tuple(item.strip().lower() for item in raw.split(";") if item.strip())


def _axis(env: Mapping[str, str]) -> tuple[str, str, str, float]:
    """``AXIS_URL`` / ``AXIS_SYSTEM_ID`` / ``AXIS_SECRET``: all three, or none (the axis is not connected)."""
    url, system_id, secret = (env.get(name, "").strip() for name in ("AXIS_URL", "AXIS_SYSTEM_ID", "AXIS_SECRET"))
    if url and not (system_id and secret):
        raise SettingsError(_hint("AXIS_URL đã đặt thì phải đặt cả AXIS_SYSTEM_ID và AXIS_SECRET.",
                                  "AXIS_URL needs AXIS_SYSTEM_ID and AXIS_SECRET."))
    if url and not url.startswith(("http://", "https://")):
        raise SettingsError(_hint("AXIS_URL phải bắt đầu bằng http:// hoặc https://.",
                                  "AXIS_URL must start with http:// or https://."))
    try:
        timeout = float(env.get("AXIS_TIMEOUT_SECONDS", "30"))
    except ValueError:
        timeout = -1.0
    if timeout <= 0:
        raise SettingsError(_hint("AXIS_TIMEOUT_SECONDS phải là số giây dương.",
                                  "AXIS_TIMEOUT_SECONDS must be a positive number of seconds."))
    return url.rstrip("/"), system_id, secret, timeout


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
    vapid = _vapid(env, app_env)
    lock_timeout = float(_int(env, "DB_LOCK_TIMEOUT_SECONDS", 30, minimum=1))
    render_timeout = float(_int(env, "PAGE_RENDER_TIMEOUT_SECONDS", 10, minimum=1))
    if render_timeout >= lock_timeout:
        raise SettingsError(_hint("PAGE_RENDER_TIMEOUT_SECONDS phải nhỏ hơn DB_LOCK_TIMEOUT_SECONDS.",
                                  "PAGE_RENDER_TIMEOUT_SECONDS must be below DB_LOCK_TIMEOUT_SECONDS."))
    if port > 65535:
        raise SettingsError(_hint("PORT phải nằm trong 1–65535.", "PORT must be within 1-65535."))
    axis = _axis(env)
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
        session_max_hours=_int(env, "SESSION_MAX_HOURS", 12),
        login_ip_max_failures=_int(env, "LOGIN_IP_MAX_FAILURES", 20),
        login_max_failures=_int(env, "LOGIN_MAX_FAILURES", 5),
        login_failure_window_minutes=_int(env, "LOGIN_FAILURE_WINDOW_MINUTES", 15),
        login_lockout_minutes=_int(env, "LOGIN_LOCKOUT_MINUTES", 15),
        worker_poll_seconds=float(_int(env, "WORKER_POLL_MS", 1000)) / 1000,
        outbox_lease_seconds=_int(env, "OUTBOX_LEASE_SECONDS", 60),
        outbox_max_attempts=_int(env, "OUTBOX_MAX_ATTEMPTS", 8),
        signing_url=env.get("SIGNING_URL", "http://127.0.0.1:8701"),
        vapid_private_key=vapid[0],
        vapid_public_key=vapid[1],
        vapid_subject=vapid[2],
        push_ttl_seconds=_int(env, "PUSH_TTL_SECONDS", 86400, minimum=60),
        quiet_hours=_quiet_hours(env),
        push_endpoint_hosts=tuple(host.strip().lower() for host in env["PUSH_ENDPOINT_HOSTS"].split(",")
                                  if host.strip()) if env.get("PUSH_ENDPOINT_HOSTS") else _DEFAULT_PUSH_HOSTS,
        upload_max_mb=_int(env, "UPLOAD_MAX_MB", 50),
        upload_max_pages=_int(env, "UPLOAD_MAX_PAGES", 2000, minimum=1),
        blob_orphan_grace_hours=_int(env, "BLOB_ORPHAN_GRACE_HOURS", 24, minimum=2),
        db_lock_timeout_seconds=lock_timeout,
        page_render_timeout_seconds=render_timeout,
        clerk_sla_office_hours=_int(env, "CLERK_SLA_OFFICE_HOURS", 2),
        office_hours=_office_hours(env),
        compensatory_working_days=_dates(env, "COMPENSATORY_WORKING_DAYS"),
        compensatory_days_off=_dates(env, "COMPENSATORY_DAYS_OFF"),
        due_soon_working_days=_int(env, "DUE_SOON_WORKING_DAYS", 2, minimum=0),
        handling_default_working_days=_int(env, "HANDLING_DEFAULT_WORKING_DAYS", 10),
        page_image_width=_int(env, "PAGE_IMAGE_WIDTH", 800, minimum=200),
        db_pool_size=_int(env, "DB_POOL_SIZE", 10),
        db_pool_timeout_seconds=_int(env, "DB_POOL_TIMEOUT_SECONDS", 120),
        signing_client_id=env.get("SIGNING_CLIENT_ID") or None,
        signing_client_secret=env.get("SIGNING_CLIENT_SECRET") or None,
        cert_expiry_warning_days=_int(env, "CERT_EXPIRY_WARNING_DAYS", 30),
        trust_roots=tuple(Path(item.strip()) for item in env.get("TRUST_ROOTS", "").split(",") if item.strip()),
        outgoing_series_per_type=_outgoing_series(env),
        signature_image_max_kb=_int(env, "SIGNATURE_IMAGE_MAX_KB", 512, minimum=16),
        seal_size_mm=_int(env, "SEAL_SIZE_MM", 36, minimum=20),
        **_blob_backend(env),
        axis_url=axis[0], axis_system_id=axis[1], axis_secret=axis[2], axis_timeout_seconds=axis[3],
        axis_poll_seconds=_int(env, "AXIS_POLL_SECONDS", 60, minimum=1),
    )
