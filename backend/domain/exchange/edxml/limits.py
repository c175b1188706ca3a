"""QCVN 102 field limits in one table, the package size cap, and the checks that use them.

The lengths are those of QCVN 102:2016 as ND 30 PL VI repeats them (domain.md §4.3, §4.4), with
``OrganId`` widened to 35 by SĐ1:2022 (§17). Lengths count characters, not bytes. Fields the
standard leaves open carry the limit marked [IMPL] so that nothing we build is unbounded.

We refuse to *build* a package with a value that does not fit (the recipient would refuse it);
on *parsing* real traffic an over-long value is logged and kept (domain.md §16.2: be tolerant).
"""

from __future__ import annotations

import re

__all__ = [
    "FIELD_LIMITS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_ATTACHMENT_UNZIPPED_BYTES",
    "MAX_PACKAGE_BYTES",
    "MAX_TEXT_CHARS",
    "ORGAN_ID_RE",
    "SYMBOL_LIMIT",
    "over_limit",
]

MAX_PACKAGE_BYTES = 50 * 1024 * 1024
"""A package larger than this is refused before the XML parser sees a byte."""

MAX_TEXT_CHARS = 10_000_000
"""libxml2's limit on one text node when ``huge_tree`` is off (``XML_MAX_TEXT_LENGTH``): a longer
``ContentTransferEncoded`` is refused by the parser, ours and very likely the recipient's."""

MAX_ATTACHMENT_BYTES = MAX_TEXT_CHARS // 4 * 3
"""The largest attachment payload whose base64 fits :data:`MAX_TEXT_CHARS` (7.5 MB): the builder refuses more."""

MAX_ATTACHMENT_UNZIPPED_BYTES = 200 * 1024 * 1024
"""The total a zipped attachment may expand to (zip bombs) [IMPL]."""

FIELD_LIMITS: dict[str, int] = {
    "OrganId": 35,
    "OrganName": 200,
    "OrganizationInCharge": 200,  # [IMPL] as OrganName
    "OrganAdd": 300,  # [IMPL]
    "Email": 100,  # [IMPL]
    "Telephone": 20,  # [IMPL]
    "Fax": 20,  # [IMPL]
    "Website": 100,  # [IMPL]
    "CodeNumber": 11,
    "CodeNotation": 30,
    "Place": 100,  # [IMPL] the agency's place name
    "TypeName": 100,
    "Subject": 500,
    "Content": 2000,  # [IMPL]
    "Competence": 100,  # [IMPL] as Position
    "Position": 100,
    "FullName": 50,
    "ToPlaces": 1000,  # all Place entries together
    "SphereOfPromulgation": 200,  # [IMPL]
    "TyperNotation": 20,  # [IMPL] box 12 initials
    "PromulgationAmount": 3,  # Number 3 (digits)
    "PageAmount": 3,  # Number 3 (digits)
    "Appendix": 500,  # [IMPL]
    "BussinessDocReason": 500,  # [IMPL] as Description
    "Description": 500,
    "Department": 200,  # [IMPL]
    "Staff": 100,  # [IMPL]
    "Mobile": 20,  # [IMPL]
    "AttachmentName": 255,  # [IMPL] file-name length
}
"""Element name → maximum characters."""

SYMBOL_LIMIT = FIELD_LIMITS["CodeNotation"]
"""The symbol (ký hiệu, ``CodeNotation``) of a document: 30 characters."""

ORGAN_ID_RE = re.compile(r"^[0-9A-Z.]{3,35}$")
"""domain.md §17: the permissive pattern for an agency identifier (mã định danh)."""


def over_limit(field: str, value: str) -> int | None:
    """The limit ``value`` exceeds for ``field``, or ``None`` when it fits (or the field has none)."""
    limit = FIELD_LIMITS.get(field)
    return limit if limit is not None and len(value) > limit else None
