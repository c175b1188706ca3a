"""Lists on the administration pages: accent-insensitive search and paging."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from backend.lib.text import clean, fold

__all__ = ["PAGE_SIZE", "Page", "matches", "paginate"]

PAGE_SIZE = 50
T = TypeVar("T")


def matches(query: str, values: Iterable[str | None]) -> bool:
    """Accent- and case-insensitive substring search over ``values`` (an empty query matches)."""
    needle = fold(clean(query))
    return not needle or any(needle in fold(value or "") for value in values)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, with what the pager needs."""

    items: Sequence[T]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(items: Sequence[T], number: int) -> Page[T]:
    """Slice ``items`` to page ``number`` (1-based, clamped to the valid range)."""
    total = len(items)
    last = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), last)
    start = (number - 1) * PAGE_SIZE
    return Page(items=items[start : start + PAGE_SIZE], number=number, total=total)
