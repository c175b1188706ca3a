"""Result snippets: a short window of the document's text around the first match, HTML-escaped, with every
matched word wrapped in ``<mark>`` (matching is accent-insensitive, the text shown keeps its accents)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from backend.lib.text import fold

__all__ = ["WINDOW", "snippet"]

WINDOW = 180
"""Characters of text around the first match."""


@functools.lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    return fold(ch)


def _folded_with_map(text: str) -> tuple[str, list[int] | range]:
    """``text`` folded character by character, and for each folded character its index in ``text``.

    Each distinct character is folded once (cached) and the text translated in one call; when every character
    folds to exactly one (NFC text: the usual case) the positions are the identity, otherwise they are built
    character by character.
    """
    table = {ord(ch): _fold_char(ch) for ch in set(text)}
    if all(len(folded) == 1 for folded in table.values()):
        return text.translate(table), range(len(text))
    out: list[str] = []
    where: list[int] = []
    for index, ch in enumerate(text):
        folded = table[ord(ch)]
        out.append(folded)
        where.extend([index] * len(folded))
    return "".join(out), where


def snippet(text: str, words: Sequence[str], window: int = WINDOW) -> Markup:
    """Safe HTML: up to ``window`` characters of ``text`` from just before the first word that starts with one
    of ``words``, those words marked."""
    folded, where = _folded_with_map(text)
    if not words or not folded:
        return escape(text[:window])
    pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                         + r")[^\W_]*")
    spans = [(where[m.start()], where[m.end() - 1] + 1) for m in pattern.finditer(folded)]
    start = 0
    if spans:
        start = max(0, spans[0][0] - window // 4)
        while 0 < start < spans[0][0] and not text[start - 1].isspace():
            start += 1
    end = min(len(text), start + window)
    parts: list[str] = ["…" if start else ""]
    cursor = start
    for left, right in spans:
        if right <= start or left >= end:
            continue
        left, right = max(left, cursor), min(right, end)
        parts.append(escape(text[cursor:left]))
        parts.append(Markup("<mark>") + escape(text[left:right]) + Markup("</mark>"))
        cursor = right
    parts.append(escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return Markup("").join(parts)
