"""Text normalisation: NFC for storage, accent folding for Vietnamese search, cutting on a word, and
numbers written the Vietnamese way."""

from __future__ import annotations

import unicodedata

__all__ = ["nfc", "clean", "fold", "search_words", "shorten", "vn_hours"]


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


def search_words(value: str) -> list[str]:
    """The words full-text search indexes and looks up: :func:`fold`-ed, split on anything but letters and digits.

    Both database engines (SQLite FTS5, PostgreSQL ``to_tsvector('simple', …)``) get only these words joined by
    single spaces, so they split them identically and give the same results.
    """
    return "".join(ch if ch.isalnum() else " " for ch in fold(nfc(value))).split()


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


def vn_hours(value: float) -> str:
    """A number of hours as Vietnamese text: one decimal with a comma, no trailing ",0" ("1,5", "2").

    A positive amount below 0.05 reads "dưới 0,1" rather than a misleading "0".
    """
    if 0 < value < 0.05:
        return "dưới 0,1"
    text = f"{value:.1f}"
    return (text[:-2] if text.endswith(".0") else text).replace(".", ",")
