"""Errors of outgoing-document effects (all are user errors: nothing was changed)."""

from __future__ import annotations

from backend.domain.signing.errors import SigningServiceError
from backend.domain.signing.pdf_errors import PdfSigningError
from backend.errors import ConflictError, InvalidInputError

__all__ = ["DeliveryPendingError", "NumberTakenError", "SignatureRefusedError"]


class SignatureRefusedError(InvalidInputError):
    """The signature (or the number/date fill) did not happen; the message says why, nothing changed."""

    code = "OUT_SIGNATURE_REFUSED"

    def __init__(self, error: SigningServiceError | PdfSigningError, doc_id: int | None = None) -> None:
        message = error.user_message
        field = "tap" if error.code == "PDF_SIGNATURE_BOX_NOT_FOUND" else "otp"
        super().__init__(message, field_errors={field: message})
        self.reason_code = error.code
        self.doc_id = doc_id


class DeliveryPendingError(InvalidInputError):
    """The original cannot be filed yet: some recipients' delivery is still queued (nothing changed)."""

    code = "OUT_DELIVERY_PENDING"


class NumberTakenError(ConflictError):
    """The number the counter gave is already another document's (the counter was set back): 409, nothing changed."""

    code = "OUT_NUMBER_TAKEN"
    message_key = "outgoing.error.number_taken"
