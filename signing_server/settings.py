"""Frozen, typed settings of the signing server, loaded once from the environment.

Every option is an environment variable (see ``docs/signing.md``). In ``APP_ENV=demo`` (the default)
the secrets the operator did not set -- token PIN and SO PIN, the backend's client id and secret, the
key that encrypts OTP secrets at rest -- are generated once and kept in ``<SIGNING_DATA_DIR>``
(mode 0600), so one command brings up a working system. In ``APP_ENV=production`` they are required
and startup fails with a hint naming the missing variables.

Invariant: :func:`load_settings` has no side effects in production mode other than reading; in demo
mode it creates the data dir, the generated-secrets file and ``client.json`` (for the backend).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from signing_server.errors import ConfigurationError

__all__ = ["CLIENT_FILE_NAME", "DB_FILE_NAME", "DEMO_OTP_FILE_NAME", "Settings", "data_dir_from_env", "load_settings",
           "softhsm_conf_from_env"]

CLIENT_FILE_NAME = "client.json"
DB_FILE_NAME = "signing.sqlite3"
DEMO_OTP_FILE_NAME = "demo-otp.json"
_SECRETS_FILE_NAME = "generated-secrets.json"
_SOFTHSM_DEFAULT = "/usr/lib/softhsm/libsofthsm2.so"


@dataclass(frozen=True, slots=True)
class Settings:
    """All configuration of one signing-server process (and of the operations CLI)."""

    app_env: Literal["demo", "production"]
    """``APP_ENV``: ``demo`` generates missing secrets; ``production`` requires them."""
    data_dir: Path
    """``SIGNING_DATA_DIR``: registry DB, journal, dev CA, SoftHSM token dir, generated secrets."""
    host: str
    """``SIGNING_HOST`` (default ``127.0.0.1``): listen address; keep it on an internal network."""
    port: int
    """``SIGNING_PORT`` (default ``8701``)."""
    pkcs11_module: str
    """``PKCS11_MODULE``: path of the PKCS#11 library (SoftHSM2 by default, a network HSM's in prod)."""
    token_label: str
    """``SIGNING_TOKEN_LABEL`` (default ``congvan-signing``): the token is always selected by label."""
    token_pin: str
    """``SIGNING_TOKEN_PIN``: user PIN of the token (demo: generated)."""
    so_pin: str | None
    """``SIGNING_TOKEN_SO_PIN``: security-officer PIN, only needed by ``init-token`` (demo: generated)."""
    client_id: str
    """``SIGNING_CLIENT_ID``: the calling system (backend) authenticates with this id ..."""
    client_secret: str
    """``SIGNING_CLIENT_SECRET``: ... and this secret at ``auth/login``."""
    otp_key: bytes
    """``SIGNING_OTP_KEY`` (base64 of 32 bytes): AES-256-GCM key for OTP secrets at rest."""
    otp_max_failures: int
    """``SIGNING_OTP_MAX_FAILURES`` (default 5): consecutive wrong OTPs before the credential locks."""
    otp_step_seconds: int
    """``SIGNING_OTP_STEP_SECONDS`` (default 30, 5..120): TOTP time step. Authenticator apps read it from the
    enrolment URI; change it only before enrolling (accepted steps are remembered as step numbers)."""
    otp_issuer: str
    """``SIGNING_OTP_ISSUER`` (default ``CongVan``): issuer shown by authenticator apps."""
    sad_ttl_seconds: int
    """``SIGNING_SAD_TTL_SECONDS`` (default 300, at most 300): lifetime of a SAD."""
    access_token_ttl_seconds: int
    """``SIGNING_ACCESS_TOKEN_TTL_SECONDS`` (default 900): lifetime of a bearer token."""
    max_batch: int
    """``SIGNING_MAX_BATCH`` (default 1000): ``multisign`` -- hashes one OTP may authorise."""
    cert_validity_days: int
    """``SIGNING_CERT_VALIDITY_DAYS`` (default 1095): validity of certificates from the dev CA."""
    expiry_warning_days: int
    """``SIGNING_EXPIRY_WARNING_DAYS`` (default 30): window of the ``expiring`` listing."""
    softhsm_conf: Path | None
    """SoftHSM2 config; ``SOFTHSM2_CONF`` if set, else ``<data_dir>/hsm/softhsm2.conf`` for SoftHSM."""
    clock_offset_file: Path | None = None
    """``SIGNING_CLOCK_OFFSET_FILE`` (tests only, refused in production): seconds added to the server's
    clock, re-read at each reading (see :mod:`signing_server.clock`)."""

    @property
    def db_path(self) -> Path:
        """SQLite file holding the credential registry and the journal."""
        return self.data_dir / DB_FILE_NAME

    @property
    def ca_dir(self) -> Path:
        """Directory of the development CA (key and certificate)."""
        return self.data_dir / "dev-ca"

    @property
    def is_softhsm(self) -> bool:
        """True when the PKCS#11 module is SoftHSM2 (token init and config are then ours)."""
        return "softhsm" in Path(self.pkcs11_module).name.lower()

    @property
    def url(self) -> str:
        """Base URL (without ``/csc/v1``) the backend uses as ``SIGNING_URL``."""
        return f"http://{self.host}:{self.port}"


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be an integer, found {raw!r}") from exc
    if not lo <= value <= hi:
        raise ConfigurationError(f"{name} must be between {lo} and {hi}, found {value}")
    return value


def _write_private(path: Path, content: str) -> None:
    """Create *path* with mode 0600 atomically (write to a temp file, then rename)."""
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(content)
    os.replace(tmp, path)


def _demo_secrets(data_dir: Path) -> dict[str, str]:
    """Read the generated demo secrets, creating them once (first writer wins)."""
    path = data_dir / _SECRETS_FILE_NAME
    if not path.exists():
        generated = {
            "token_pin": secrets.token_hex(8),
            "so_pin": secrets.token_hex(8),
            "client_id": "congvan-backend",
            "client_secret": secrets.token_urlsafe(32),
            "otp_key": base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
        }
        tmp = path.with_suffix(f".{os.getpid()}.new")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(generated, fh)
        try:
            os.link(tmp, path)  # fails if another process created it first
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def data_dir_from_env(env: Mapping[str, str]) -> Path:
    """``SIGNING_DATA_DIR``, else ``<DATA_DIR>/signing`` (read without side effects, e.g. by backups)."""
    base = Path(env.get("DATA_DIR") or "./data")
    return Path(env.get("SIGNING_DATA_DIR") or base / "signing").resolve()


def softhsm_conf_from_env(env: Mapping[str, str]) -> Path | None:
    """The SoftHSM2 config :func:`load_settings` would use, without side effects (``None``: not SoftHSM)."""
    return _softhsm_conf(env, data_dir_from_env(env), env.get("PKCS11_MODULE") or _SOFTHSM_DEFAULT)


def _softhsm_conf(env: Mapping[str, str], data_dir: Path, module: str) -> Path | None:
    if env.get("SOFTHSM2_CONF"):
        return Path(env["SOFTHSM2_CONF"])
    if "softhsm" not in Path(module).name.lower():
        return None
    return data_dir / "hsm" / "softhsm2.conf"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from *env* (default ``os.environ``).

    :raises ConfigurationError: a value is malformed, or a secret is missing in production.
    """
    env = os.environ if env is None else env
    app_env = env.get("APP_ENV", "demo").strip() or "demo"
    if app_env not in ("demo", "production"):
        raise ConfigurationError(f"APP_ENV must be 'demo' or 'production', found {app_env!r}")
    data_dir = data_dir_from_env(env)
    module = env.get("PKCS11_MODULE") or _SOFTHSM_DEFAULT

    generated: dict[str, str] = {}
    if app_env == "demo":
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        generated = _demo_secrets(data_dir)
    else:
        if env.get("SIGNING_CLOCK_OFFSET_FILE"):
            raise ConfigurationError("SIGNING_CLOCK_OFFSET_FILE is for tests; it is refused with APP_ENV=production")
        missing = [
            name
            for name in ("SIGNING_TOKEN_PIN", "SIGNING_CLIENT_ID", "SIGNING_CLIENT_SECRET", "SIGNING_OTP_KEY")
            if not env.get(name)
        ]
        if missing:
            raise ConfigurationError(
                "APP_ENV=production requires " + ", ".join(missing)
                + " (secrets have no defaults in production; see docs/signing.md)"
            )

    def pick(name: str, key: str) -> str:
        return env.get(name) or generated.get(key, "")

    try:
        otp_key = base64.b64decode(pick("SIGNING_OTP_KEY", "otp_key"), validate=True)
    except ValueError as exc:
        raise ConfigurationError("SIGNING_OTP_KEY must be base64") from exc
    if len(otp_key) != 32:
        raise ConfigurationError(f"SIGNING_OTP_KEY must decode to 32 bytes, found {len(otp_key)}")

    settings = Settings(
        app_env="demo" if app_env == "demo" else "production",
        data_dir=data_dir,
        host=env.get("SIGNING_HOST") or "127.0.0.1",
        port=_int(env, "SIGNING_PORT", 8701, 1, 65535),
        pkcs11_module=module,
        token_label=env.get("SIGNING_TOKEN_LABEL") or "congvan-signing",
        token_pin=pick("SIGNING_TOKEN_PIN", "token_pin"),
        so_pin=pick("SIGNING_TOKEN_SO_PIN", "so_pin") or None,
        client_id=pick("SIGNING_CLIENT_ID", "client_id"),
        client_secret=pick("SIGNING_CLIENT_SECRET", "client_secret"),
        otp_key=otp_key,
        otp_max_failures=_int(env, "SIGNING_OTP_MAX_FAILURES", 5, 1, 100),
        otp_step_seconds=_int(env, "SIGNING_OTP_STEP_SECONDS", 30, 5, 120),
        otp_issuer=env.get("SIGNING_OTP_ISSUER") or "CongVan",
        sad_ttl_seconds=_int(env, "SIGNING_SAD_TTL_SECONDS", 300, 1, 300),
        access_token_ttl_seconds=_int(env, "SIGNING_ACCESS_TOKEN_TTL_SECONDS", 900, 30, 86400),
        max_batch=_int(env, "SIGNING_MAX_BATCH", 1000, 1, 10000),
        cert_validity_days=_int(env, "SIGNING_CERT_VALIDITY_DAYS", 1095, 1, 5 * 366),
        expiry_warning_days=_int(env, "SIGNING_EXPIRY_WARNING_DAYS", 30, 1, 365),
        softhsm_conf=_softhsm_conf(env, data_dir, module),
        clock_offset_file=Path(env["SIGNING_CLOCK_OFFSET_FILE"]) if env.get("SIGNING_CLOCK_OFFSET_FILE") else None,
    )
    if settings.app_env == "demo":
        client = {"url": settings.url, "client_id": settings.client_id, "client_secret": settings.client_secret}
        client_path = data_dir / CLIENT_FILE_NAME
        text = json.dumps(client, indent=2) + "\n"
        if not client_path.exists() or client_path.read_text(encoding="utf-8") != text:
            _write_private(client_path, text)
    return settings
