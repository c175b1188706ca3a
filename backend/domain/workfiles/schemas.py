"""Inputs of the work-file use cases (the JSON API and the forms decode into these)."""

from __future__ import annotations

from datetime import date

import msgspec

__all__ = [
    "AddDocumentRequest", "CatalogueRequest", "CloseRequest", "HeadingRequest", "ItemRequest", "OpenRequest",
    "OrderRequest", "SettlementRequest", "TransferRequest",
]


class OpenRequest(msgspec.Struct, kw_only=True):
    """Open a file from catalogue item ``catalogue_item_id``, or an ad-hoc one from the fields below."""

    catalogue_item_id: int | None = None
    title: str = ""
    file_notation: str = ""
    retention: str = ""
    rights: str = "Hạn chế"
    description: str = ""
    start_date: date | None = None
    capital_construction: bool = False
    settlement_date: date | None = None


class TransferRequest(msgspec.Struct, kw_only=True):
    """Submit, keep back (``until`` and ``reason``), accept or return (``reason``) a file."""

    reason: str = ""
    until: date | None = None
    version: int | None = None


class AddDocumentRequest(msgspec.Struct, kw_only=True):
    """``kind`` is ``incoming`` or ``outgoing``."""

    kind: str
    document_id: int


class OrderRequest(msgspec.Struct, kw_only=True):
    """Every link id of the file, in the new order."""

    link_ids: list[int]


class CloseRequest(msgspec.Struct, kw_only=True):
    end_date: date | None = None
    version: int | None = None


class SettlementRequest(msgspec.Struct, kw_only=True):
    settlement_date: date | None = None
    version: int | None = None


class CatalogueRequest(msgspec.Struct, kw_only=True):
    year: int
    decision_no: str = ""


class HeadingRequest(msgspec.Struct, kw_only=True):
    """A major heading (no ``parent_id``; needs an abbreviation) or a minor one under ``parent_id``."""

    name: str
    abbreviation: str = ""
    parent_id: int | None = None


class ItemRequest(msgspec.Struct, kw_only=True):
    heading_id: int
    title: str
    retention: str
    creator_user_id: int | None = None
    expected_count: int | None = None
    note: str = ""
