"""The moments a recipient line first reached each milestone of the exchange (domain.md §8.4).

A recipient line (``outgoing_recipient``) keeps only its current ``status``; the exchange dashboard
needs *when* the package left us and when the recipient answered 01, 03, 06 or 02. The model calls
:func:`stamp_milestones` from a ``validates("status")`` hook, so every path that moves a line (the
platform delivery, the axis sender, status messages received, the status job) records them without
knowing about it, and a path added later cannot forget to.

Rules: a milestone is stamped the first time the line reaches it **or any later status** (a line
that jumps from ``sent`` to ``accepted`` arrived no later than that moment) and is never moved
afterwards; ``returned_at`` is the first rejection. Statuses outside the chain (queued, failed,
recall requested, recalled) stamp nothing. Values are compared as strings so this module needs no
model import (the model imports it).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from backend.lib import clock

__all__ = ["MILESTONES", "stamp_milestones"]

_CHAIN = ("sent", "arrived", "accepted", "assigned", "processing", "done")

MILESTONES: tuple[tuple[str, frozenset[str]], ...] = (
    ("sent_at", frozenset(_CHAIN[0:]) | {"returned"}),
    ("arrived_at", frozenset(_CHAIN[1:])),
    ("accepted_at", frozenset(_CHAIN[2:])),
    ("done_at", frozenset(_CHAIN[5:])),
    ("returned_at", frozenset({"returned"})),
)
"""Each milestone column and the statuses that reach it."""


def stamp_milestones(target: Any, status: str) -> None:
    """Stamp ``target``'s milestones that ``status`` reaches and that are still empty with the current time.

    An attribute that is not loaded (an expired object) is written as ``COALESCE(column, now)`` so
    the database keeps an earlier value; nothing is read here, so no lazy load happens.
    """
    state = sa.inspect(target)
    now = clock.now()
    for name, statuses in MILESTONES:
        if str(status) not in statuses:
            continue
        if name in state.dict:
            if state.dict[name] is None:
                setattr(target, name, now)
        elif state.transient or state.pending:
            setattr(target, name, now)
        else:
            setattr(target, name, sa.func.coalesce(getattr(type(target), name), now))
