"""Typed refusals of an edXML package; each carries the Vietnamese reason for a status 02 message.

``reason`` is the bare cause ("thiếu trường bắt buộc …"), fit for ``StatusMessage.description``;
``message`` (from :class:`~backend.errors.InvalidInputError`) prefixes it for a user-facing page.
"""

from __future__ import annotations

from typing import Any

from backend.errors import InvalidInputError
from backend.lib.i18n import t

__all__ = [
    "AttachmentError",
    "EdxmlError",
    "ElementTooLargeError",
    "FieldTooLongError",
    "ForbiddenConstructError",
    "InvalidValueError",
    "MalformedPackageError",
    "MissingFieldError",
    "PackageTooLargeError",
    "WrongRootError",
]


class EdxmlError(InvalidInputError):
    """A package (or a value going into one) that we refuse."""

    code = "EDXML_REFUSED"
    reason_key = "edxml.malformed"

    def __init__(self, **params: Any) -> None:
        self.params = params
        self.reason = t(self.reason_key, **params)
        super().__init__(t("edxml.refused", reason=self.reason))


class PackageTooLargeError(EdxmlError):
    """More bytes than :data:`~.limits.MAX_PACKAGE_BYTES`; refused before parsing."""

    reason_key = "edxml.too_large"


class ElementTooLargeError(PackageTooLargeError):
    """One element's text (in practice a base64 attachment) longer than the parser takes."""

    reason_key = "edxml.text_too_long"


class MalformedPackageError(EdxmlError):
    """Not well-formed XML (or empty)."""

    reason_key = "edxml.malformed"


class ForbiddenConstructError(EdxmlError):
    """A DOCTYPE, entity declaration or entity reference (XML bombs, external entities)."""

    reason_key = "edxml.doctype"


class WrongRootError(EdxmlError):
    """The root is not ``{QCVN_102_2016}edXML`` or the envelope is missing."""

    reason_key = "edxml.wrong_root"


class MissingFieldError(EdxmlError):
    """A required element is absent or empty."""

    reason_key = "edxml.missing"


class InvalidValueError(EdxmlError):
    """A value of the wrong form: a date, an integer, a business type, an identifier."""

    def __init__(self, reason_key: str, **params: Any) -> None:
        self.reason_key = reason_key
        super().__init__(**params)


class AttachmentError(InvalidValueError):
    """An attachment whose base64 does not decode, whose zip is broken (CRC) or that the manifest does not list."""


class FieldTooLongError(EdxmlError):
    """A value longer than QCVN 102 allows (we refuse to build such a package)."""

    reason_key = "edxml.too_long"
