"""Bounded integers for the controller edge: ids, versions, years and counts.

Every id, version and count column is a 32-bit ``INTEGER`` (SQLite stores 64 bits, PostgreSQL 32), so
a larger value can never name a row or be stored. Declaring the bound where a request is parsed
refuses it there -- a 400 whose problem body names the field -- instead of letting the database
driver overflow into a 500, and the OpenAPI schema states the bound (``minimum``/``maximum``).

Use ``Id``/``Version``/``Year``/``Count`` for fields of msgspec request structs (also as list items and
optional fields) and ``PathId``/``PathYear`` for path parameters (``doc_id: PathId``). Each body type
carries the bound twice: ``msgspec.Meta`` validates, Litestar's ``KwargDefinition`` puts it in the schema
(Litestar reads ``Meta`` only on a struct's own fields, not inside ``list[...]``, and drops a lower bound
of 0 on optional fields, hence ``gt=-1`` there).
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.params import KwargDefinition, PathParameter

from backend.lib.bounds import MAX_ID

__all__ = ["MAX_ID", "MAX_YEAR", "MIN_YEAR", "Count", "Id", "PathId", "PathYear", "Version", "Year"]

MIN_YEAR, MAX_YEAR = 1900, 2999
"""Years a register, catalogue or file can belong to (dates stay far from ``date.max``)."""

Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID), KwargDefinition(ge=1, le=MAX_ID, description="Row id")]
Version = Annotated[int, msgspec.Meta(ge=0, le=MAX_ID),
                    KwargDefinition(gt=-1, le=MAX_ID, description="The version last seen (optimistic lock)")]
Year = Annotated[int, msgspec.Meta(ge=MIN_YEAR, le=MAX_YEAR), KwargDefinition(ge=MIN_YEAR, le=MAX_YEAR)]
Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_ID), KwargDefinition(gt=-1, le=MAX_ID)]
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="Row id")]
PathYear = Annotated[int, PathParameter(ge=MIN_YEAR, le=MAX_YEAR)]
