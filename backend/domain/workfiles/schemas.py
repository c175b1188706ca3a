"""Inputs of the work-file use cases (the JSON API and the forms decode into these)."""

from __future__ import annotations

from datetime import date

import msgspec

from backend.lib.int_bounds import Count, Id, Version, Year

__all__ = [
    "AddDocumentRequest", "CatalogueItemRequest", "CatalogueRequest", "CloseRequest", "HeadingRequest", "ItemRequest",
    "NoteRequest", "OpenRequest", "OrderRequest", "SettlementRequest", "TransferRequest",
]


class OpenRequest(msgspec.Struct, kw_only=True):
    """Open a file from catalogue item ``catalogue_item_id``, or an ad-hoc one from the fields below."""

    catalogue_item_id: Id | None = None
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
    version: Version | None = None


class AddDocumentRequest(msgspec.Struct, kw_only=True):
    """``kind`` is ``incoming`` or ``outgoing``."""

    kind: str
    document_id: Id


class NoteRequest(msgspec.Struct, kw_only=True):
    """A short note (at most 1,000 characters) put at the end of the file's order."""

    text: str


class CatalogueItemRequest(msgspec.Struct, kw_only=True):
    """Attach an ad-hoc file to the catalogue item ``catalogue_item_id`` of the same agency and year."""

    catalogue_item_id: Id
    version: Version | None = None


class OrderRequest(msgspec.Struct, kw_only=True):
    """Every link id of the file, in the new order."""

    link_ids: list[Id]


class CloseRequest(msgspec.Struct, kw_only=True):
    end_date: date | None = None
    version: Version | None = None


class SettlementRequest(msgspec.Struct, kw_only=True):
    settlement_date: date | None = None
    version: Version | None = None


class CatalogueRequest(msgspec.Struct, kw_only=True):
    year: Year
    decision_no: str = ""


class HeadingRequest(msgspec.Struct, kw_only=True):
    """A major heading (no ``parent_id``; needs an abbreviation) or a minor one under ``parent_id``."""

    name: str
    abbreviation: str = ""
    parent_id: Id | None = None


class ItemRequest(msgspec.Struct, kw_only=True):
    heading_id: Id
    title: str
    retention: str
    creator_user_id: Id | None = None
    expected_count: Count | None = None
    note: str = ""
