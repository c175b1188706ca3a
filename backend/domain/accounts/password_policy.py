"""Which new passwords are too easy to guess: a bundled list of common passwords, and the username.

``common_passwords.txt`` (next to this module) holds a few hundred passwords and password stems that
attackers try first: the public top lists, what Vietnamese offices typically choose ("matkhau",
"123456a@", agency and office names, provinces) and the demo password published in the README. A
password is refused when, lower-cased, it is on the list, or its *stem* is — the password without
the digits and punctuation around it ("Congvan@2026" → "congvan") — or the stem is the username or
a part of it ("vanthu.xanghiphong" → "vanthu", "xanghiphong").

The demo seed still creates its accounts with the demo password (``make run`` logins and the tests
use it); nobody can choose it again, and accounts created by an administrator or an import must
change their password at first login.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

__all__ = ["is_common_password"]

_LIST = Path(__file__).with_name("common_passwords.txt")
_LEADING = re.compile(r"^[\W\d_]+")
_TRAILING = re.compile(r"[\W\d_]+$")
_USERNAME_PARTS = re.compile(r"[._\-@]+")


@cache
def _common() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _stems(password: str) -> set[str]:
    """The password without the digits and punctuation after it, before it, and around it."""
    after = _TRAILING.sub("", password)
    return {after, _LEADING.sub("", password), _LEADING.sub("", after)} - {""}


def is_common_password(password: str, username: str = "") -> bool:
    """True when ``password`` is a common password, built on one, or built on ``username``."""
    lowered = password.lower()
    candidates = {lowered, lowered.replace(" ", ""), *_stems(lowered)}
    if candidates & _common():
        return True
    parts = {part for part in _USERNAME_PARTS.split(username.lower()) if len(part) >= 4}
    joined = _USERNAME_PARTS.sub("", username.lower())
    return bool(candidates & parts) or (len(joined) >= 4 and joined in lowered)
