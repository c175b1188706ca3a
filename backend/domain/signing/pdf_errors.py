"""Typed errors of the PDF side of signing (placement, reserved fields), with Vietnamese messages.

Raised *before* any OTP is spent (a missing signature box is detected while preparing the batch),
so the user can fix the cause and sign with the same code. ``message_key`` points into
``backend/locale/vi/signing_pdf.json``; ``detail`` is English context for logs.
"""

from __future__ import annotations

from typing import ClassVar

from backend.lib.i18n import t

__all__ = ["PdfSigningError", "ReservedFieldsMissingError", "SignatureBoxNotFoundError", "SignatureImageError"]


class PdfSigningError(ValueError):
    """Base class: the PDF cannot be prepared or completed as asked."""

    code: ClassVar[str] = "PDF_SIGNING"
    message_key: ClassVar[str] = "signing_pdf.error.generic"

    def __init__(self, detail: str, *, document_index: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.document_index = document_index
        """Position of the offending PDF in a batch (``None`` for a single PDF)."""

    @property
    def user_message(self) -> str:
        """The Vietnamese message for the user."""
        return t(self.message_key)


class SignatureBoxNotFoundError(PdfSigningError):
    """No position title / printed name pair was found: the user must tap where to sign."""

    code = "PDF_SIGNATURE_BOX_NOT_FOUND"
    message_key = "signing_pdf.error.box_not_found"


class ReservedFieldsMissingError(PdfSigningError):
    """The signed PDF has no reserved number/date fields; writing them now would break the signature."""

    code = "PDF_RESERVED_FIELDS_MISSING"
    message_key = "signing_pdf.error.fields_missing"


class SignatureImageError(PdfSigningError):
    """The signature or seal image is not a readable PNG."""

    code = "PDF_IMAGE_INVALID"
    message_key = "signing_pdf.error.image_invalid"
