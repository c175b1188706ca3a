"""Password hashing (argon2id) run off the event loop, and random token helpers."""

from __future__ import annotations

import secrets
import string

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["hash_password", "verify_password", "generate_password", "DUMMY_HASH"]

_hasher = PasswordHasher()  # argon2id, library defaults (t=3, m=64 MiB, p=4)
DUMMY_HASH = _hasher.hash("congvan-timing-equaliser")
"""Verified against when the username is unknown, so timing does not reveal which accounts exist."""


async def hash_password(password: str) -> str:
    """Hash ``password`` with argon2id in a worker thread (~130 ms of CPU)."""
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; never raises for a bad password."""

    def _verify() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(_verify)


def generate_password(length: int = 12) -> str:
    """A random initial password that is easy to read out (no 0/O, 1/l/I)."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
    return "".join(secrets.choice(alphabet) for _ in range(length))
