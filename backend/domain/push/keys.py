"""VAPID key pair: from configuration in production, generated into ``<DATA_DIR>/vapid.json`` in demo mode.

The private key is handed to pywebpush as a ``py_vapid.Vapid`` instance (pywebpush does not accept
PEM text as a string). The public key, base64url of the uncompressed P-256 point, is what the
browser passes to ``pushManager.subscribe({applicationServerKey})``.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid

from backend.config.settings import Settings

__all__ = ["PushConfigError", "VapidKeys", "load_vapid"]


class PushConfigError(RuntimeError):
    """The configured VAPID keys cannot be used (the message says which variable to fix)."""


@dataclass(frozen=True, slots=True)
class VapidKeys:
    """The server's push identity."""

    vapid: Vapid
    public_key: str
    subject: str


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _public_key_of(vapid: Vapid) -> str:
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(raw)


def _raw_private(vapid: Vapid) -> str:
    return _b64url(vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))


def _from_text(private_key: str) -> Vapid:
    """A ``Vapid`` from base64url raw (32 bytes) or DER text, or PEM text (converted, never passed as is)."""
    try:
        if "-----BEGIN" in private_key:
            return Vapid.from_pem(private_key.strip().encode("ascii"))
        return Vapid.from_string(private_key.strip())
    except (ValueError, TypeError) as exc:
        raise PushConfigError("VAPID_PRIVATE_KEY is not a P-256 private key (base64url raw, DER or PEM).") from exc


def _demo_keys(path: Path) -> tuple[str, str]:
    """(raw private key, public key) from ``path``, created atomically on first use."""
    if not path.exists():
        vapid = Vapid()
        vapid.generate_keys()
        content = json.dumps({"private_key": _raw_private(vapid), "public_key": _public_key_of(vapid)})
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process (web or worker) created it first; use theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(content)
    for _ in range(50):
        text = path.read_text()
        if text:
            data = json.loads(text)
            return data["private_key"], data["public_key"]
    raise PushConfigError(f"{path} is empty; delete it to generate new demo VAPID keys.")


@lru_cache(maxsize=8)
def _load(private_key: str | None, public_key: str | None, subject: str, demo_file: str | None) -> VapidKeys | None:
    if private_key is None and demo_file is not None:
        private_key, public_key = _demo_keys(Path(demo_file))
    if private_key is None:
        return None
    vapid = _from_text(private_key)
    derived = _public_key_of(vapid)
    if public_key and public_key.rstrip("=") != derived:
        raise PushConfigError("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY.")
    return VapidKeys(vapid=vapid, public_key=derived, subject=subject)


def load_vapid(settings: Settings) -> VapidKeys | None:
    """The VAPID keys, or ``None`` when push is not configured (production without ``VAPID_PRIVATE_KEY``).

    Raises:
        PushConfigError: when configured keys are malformed or do not match.
    """
    demo_file = str(settings.data_dir / "vapid.json") if settings.is_demo else None
    return _load(settings.vapid_private_key, settings.vapid_public_key, settings.vapid_subject, demo_file)
