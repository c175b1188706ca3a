"""Text normalisation: NFC for storage, accent folding for Vietnamese search, and cutting on a word."""

from __future__ import annotations

import unicodedata

__all__ = ["nfc", "clean", "fold", "shorten"]


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


def shorten(value: str, limit: int) -> str:
    """``value`` cleaned and, when longer than ``limit`` characters, cut on a word with "…" (within ``limit``).

    A single word longer than the limit is cut inside the word (there is no other place to cut).
    """
    text = clean(value)
    if len(text) <= limit:
        return text
    head = text[:limit - 1]
    space = head.rfind(" ")
    if space > 0 and text[limit - 1] != " ":
        head = head[:space]
    return head.rstrip(" ,;:.-–—") + "…"
