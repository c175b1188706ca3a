"""Text normalisation: NFC for storage, and accent folding for Vietnamese search."""

from __future__ import annotations

import unicodedata

__all__ = ["nfc", "clean", "fold"]


def nfc(value: str) -> str:
    """Unicode NFC (the form Vietnamese keyboards do not always produce)."""
    return unicodedata.normalize("NFC", value)


def clean(value: str | None) -> str:
    """NFC, trimmed, inner whitespace collapsed; ``None`` becomes the empty string."""
    return " ".join(nfc(value or "").split())


def fold(value: str) -> str:
    """Lower-case and strip diacritics (đ → d), for accent-insensitive matching."""
    decomposed = unicodedata.normalize("NFD", value.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
