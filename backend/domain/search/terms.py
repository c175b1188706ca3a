"""What the user typed, turned into words and exact phrases that are safe for either engine.

Nothing typed reaches an engine as syntax: every word is :func:`backend.lib.text.search_words` output
(folded letters and digits only), so FTS operators, quotes, brackets and SQL-looking text are just words.
A pair of double quotes (straight or curly) marks an exact phrase; an unpaired quote is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.lib.text import search_words

__all__ = ["MAX_INPUT", "MAX_TERMS", "MAX_WORD", "Terms", "parse"]

MAX_INPUT = 500
"""Characters of the typed text that are read (a 10,000-character paste is cut, never an error)."""
MAX_TERMS = 12
"""Words and phrases searched at most; the rest are dropped."""
MAX_WORD = 60
"""Longest indexed word; longer words are cut to this length (both when indexing and when searching)."""

_QUOTED = re.compile(r'["“”„«»]([^"“”„«»]*)["“”„«»]')


@dataclass(frozen=True, slots=True)
class Terms:
    """Prefix words (each matches indexed words starting with it) and phrases (consecutive whole words)."""

    words: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases

    @property
    def highlight(self) -> tuple[str, ...]:
        """Every word to mark in a snippet."""
        return self.words + tuple(word for phrase in self.phrases for word in phrase)


def parse(text: str | None) -> Terms:
    """The words and phrases of ``text`` (empty when nothing searchable was typed)."""
    raw = (text or "")[:MAX_INPUT]
    phrases: list[tuple[str, ...]] = []
    for match in _QUOTED.finditer(raw):
        words = tuple(word[:MAX_WORD] for word in search_words(match.group(1)))
        if len(words) > 1 and words not in phrases:
            phrases.append(words)
        elif len(words) == 1:
            raw += " " + words[0]
    rest = _QUOTED.sub(" ", raw)
    loose: list[str] = []
    for word in search_words(rest):
        if word[:MAX_WORD] not in loose:
            loose.append(word[:MAX_WORD])
    budget = MAX_TERMS - min(len(phrases), MAX_TERMS)
    return Terms(tuple(loose[:budget]), tuple(phrases[:MAX_TERMS]))
