"""Form inputs, validated values and JSON shapes of the outgoing-document pages and API.

Forms are lenient ``msgspec`` structs (all text, with defaults, because browsers omit empty
fields); the services validate and report every problem at once. Repeated fields (recipients)
arrive as a list, or as a single string when one is ticked, hence ``list[str] | str``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec
from litestar.datastructures import UploadFile

from backend.db.models import Urgency
from backend.db.models.outgoing import ReplaceKind
from backend.errors import InvalidInputError
from backend.lib.i18n import t
from backend.lib.int_bounds import Id, Version

__all__ = [
    "ApiBatchSignRequest", "ApiTransitionRequest", "BatchSignForm", "DraftData", "DraftForm", "ImageForm",
    "PaperForm", "TapForm", "TransitionForm", "UploadForm", "as_list", "tap_from_form",
]


def as_list(value: list[str] | str) -> list[str]:
    """A repeated field's values as a list whatever the browser sent."""
    return [value] if isinstance(value, str) else list(value)


class DraftForm(msgspec.Struct, forbid_unknown_fields=False):
    """The multipart "new outgoing document" form (also the JSON API's multipart create request)."""

    file: UploadFile | None = None
    appendix: UploadFile | None = None
    appendix_title: str = ""
    document_type_id: str = ""
    summary: str = ""
    urgency: str = "normal"
    confidentiality: str = "none"
    reply_by_on: str = ""
    signer_id: str = ""
    signing_authority: str = ""
    recipient_agencies: list[str] | str = []
    recipient_units: list[str] | str = []
    recipient_axis: list[str] | str = []
    """Agencies outside the deployment, by agency-directory id (sent over the national axis)."""
    reply_to_incoming_id: str = ""
    replaces_id: str = ""
    """An issued document of the agency this draft amends or replaces (Đ.18.3); empty for neither."""
    replace_kind: str = ""
    """``amend`` (sửa đổi, bổ sung) or ``replace`` (thay thế) when ``replaces_id`` is given."""
    description: str = ""


@dataclass(frozen=True, slots=True)
class DraftData:
    """Validated metadata of a new outgoing document (domain.md §4.3)."""

    document_type_id: int
    summary: str
    urgency: Urgency
    reply_by_on: date | None
    signer_id: int
    signer_name: str
    signer_position: str
    signing_authority: str
    agency_ids: tuple[int, ...]
    unit_ids: tuple[int, ...]
    reply_to_incoming_id: int | None
    description: str
    replaces_id: int | None = None
    replace_kind: ReplaceKind | None = None
    axis_ids: tuple[int, ...] = ()
    """Agency-directory ids of recipients reached over the national axis."""


class UploadForm(msgspec.Struct, forbid_unknown_fields=False):
    """A new version of the main file (``kind=version``) or an appendix (``kind=appendix``)."""

    file: UploadFile | None = None
    kind: str = "version"
    note: str = ""
    title: str = ""
    version: str = ""


class TransitionForm(msgspec.Struct, forbid_unknown_fields=False):
    """A workflow button: the event, an optional comment, the OTP when signing, the version seen."""

    event: str = ""
    reason: str = ""
    otp: str = ""
    version: str = ""


class BatchSignForm(msgspec.Struct, forbid_unknown_fields=False):
    """The leader ticks several documents awaiting their signature and types one OTP."""

    doc_id: list[str] | str = []
    otp: str = ""


class TapForm(msgspec.Struct, forbid_unknown_fields=False):
    """Where the user tapped on a page image (fractions 0..1 of its width and height, y from the top)."""

    what: str = "signature"
    page: str = "1"
    x: str = ""
    y: str = ""


def _number(raw: object, default: float, *, positive: bool = False) -> float:
    """A finite number from a form field (``default`` when empty); positive when asked."""
    text = "" if raw is None else str(raw).strip()
    try:
        value = float(text) if text else default
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise InvalidInputError(field_errors={"tap": t("outgoing.tap.invalid")})
    return value


def tap_from_form(form: Mapping[str, Any]) -> TapForm:
    """The tap of a placement form: ``p<page>.x``/``.y`` pixels of an image ``w`` px wide and ``h<page>``
    px high (an ``<input type=image>``), else ``page``/``x``/``y`` fractions (checked by the service).

    Raises:
        InvalidInputError: a size or coordinate that is not a number, negative, or a zero size.
    """
    what = str(form.get("what", "signature"))
    for key in form:
        if key.startswith("p") and key.endswith(".x") and key[1:-2].isdigit():
            page = key[1:-2]
            width = _number(form.get("w"), 360.0, positive=True)
            height = _number(form.get(f"h{page}"), width * 1.4142, positive=True)
            x, y = _number(form[key], 0.0), _number(form.get(f"p{page}.y"), 0.0)
            return TapForm(what=what, page=page, x=str(x / width), y=str(y / height))
    return TapForm(what=what, page=str(form.get("page", "1")), x=str(form.get("x", "")), y=str(form.get("y", "")))


class PaperForm(msgspec.Struct, forbid_unknown_fields=False):
    note: str = ""


class ImageForm(msgspec.Struct, forbid_unknown_fields=False):
    """A signature or seal PNG upload; ``size_mm`` is the seal's real diameter."""

    image: UploadFile | None = None
    size_mm: str = ""


class ApiTransitionRequest(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /api/v1/outgoing/{id}/transitions``."""

    event: str
    reason: str = ""
    otp: str = ""
    version: Version | None = None


class ApiBatchSignRequest(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /api/v1/outgoing/sign-batch``: several documents, one OTP."""

    doc_ids: list[Id]
    otp: str
