"""The copy form: what the clerk sends to make a copy."""

from __future__ import annotations

import msgspec

__all__ = ["CopyForm"]


class CopyForm(msgspec.Struct, kw_only=True):
    """``kind`` is a :class:`~backend.db.models.CopyKind` value; the page range is for a trích sao."""

    kind: str = ""
    first_page: str = ""
    last_page: str = ""
    otp: str = ""
