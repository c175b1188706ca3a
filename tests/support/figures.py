"""The figures every benchmark prints: nearest-rank percentiles and repeated timings of one call."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["pct", "timed"]


def pct(values: list[float], q: float) -> float:
    """The *q* quantile (nearest rank) of *values*; NaN when there are none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


async def timed(runs: int, call: Callable[[], Awaitable[Any]]) -> list[float]:
    """Milliseconds of ``runs`` awaits of ``call``, after one warm-up await."""
    await call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        times.append((time.perf_counter() - start) * 1000)
    return times
