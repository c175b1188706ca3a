"""Value objects of an edXML package and a status message (domain.md §16).

Plain frozen dataclasses: the parser produces them, the builder consumes them, and a package we
build parses back into an equal object. Strings the standard allows to be empty are ``""``;
dates are :class:`date`; timestamps are naive Vietnam local time (the wire format has no zone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from backend.domain.exchange.edxml.codes import BusinessDocType

__all__ = [
    "Attachment",
    "Business",
    "BusinessDocumentInfo",
    "Code",
    "DocumentType",
    "Organ",
    "OtherInfo",
    "Package",
    "ReceiverChange",
    "Replacement",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "StatusMessage",
    "TraceHeader",
    "document_id",
]

ZIP_CONTENT_TYPE = "application/zip"


def document_id(organ_id: str, promulgated_on: date, code_number: str, code_notation: str) -> str:
    """The ``DocumentId`` as the standard builds it: ``<OrganId>,<yyyy/MM/dd>,<number>/<notation>``.

    >>> document_id("000.00.00.G22", date(2015, 9, 30), "7816", "VPCP-TTĐT")
    '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT'
    """
    return f"{organ_id},{promulgated_on:%Y/%m/%d},{code_number}/{code_notation}"


@dataclass(frozen=True, slots=True)
class Organ:
    """``From`` / ``To``: an agency on the axis."""

    organ_id: str
    name: str = ""
    organization_in_charge: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True, slots=True)
class Code:
    """``Code``: number and symbol (without the number)."""

    number: str
    notation: str


@dataclass(frozen=True, slots=True)
class DocumentType:
    """``DocumentType``: type code, sub-code and name (always send the name, §3.9)."""

    type: str = ""
    type_detail: str = ""
    type_name: str = ""


@dataclass(frozen=True, slots=True)
class SignerInfo:
    """``SignerInfo``: authority and head's title, own title, name (empty in some real traffic)."""

    competence: str = ""
    position: str = ""
    full_name: str = ""


@dataclass(frozen=True, slots=True)
class OtherInfo:
    """``OtherInfo``: priority (kept raw when unknown), scope, typist, copies, pages, appendices."""

    priority: int = 0
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    direction: bool | None = None
    appendixes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResponseFor:
    """``ResponseFor``: the document answered (or, in a status message, the package reported on)."""

    organ_id: str
    code: str = ""
    promulgation_date: date | None = None
    document_id: str = ""


@dataclass(frozen=True, slots=True)
class TraceHeader:
    """One system the package passed through."""

    organ_id: str
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class StaffInfo:
    """The clerk who sent the package or the status."""

    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass(frozen=True, slots=True)
class ReceiverChange:
    """An update package's recipient change: ``receiver_type`` 0 removed, 1 added."""

    organ_id: str
    receiver_type: int


@dataclass(frozen=True, slots=True)
class BusinessDocumentInfo:
    """What an update package changes: document info, recipient list, and the recipient changes."""

    document_info: str = ""
    document_receiver: str = ""
    receivers: tuple[ReceiverChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Replacement:
    """A replace package's ``ReplacementInfo``: the document replaced, for these agencies."""

    document_id: str
    organ_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Business:
    """``TraceHeaderList/Bussiness``: new, recall, update or replace, with its reason."""

    doc_type: BusinessDocType = BusinessDocType.NEW
    document_id: str = ""
    reason: str = ""
    paper: int = 0
    document_info: BusinessDocumentInfo | None = None
    staff: StaffInfo | None = None
    replacements: tuple[Replacement, ...] = ()


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment: ``data`` is the decoded payload (a zip archive when ``content_type`` says so)."""

    content_id: str
    name: str
    data: bytes = field(repr=False)
    content_type: str = "application/octet-stream"
    description: str = ""

    @property
    def zipped(self) -> bool:
        """Whether the payload is a zip archive of the file(s)."""
        return self.content_type == ZIP_CONTENT_TYPE


@dataclass(frozen=True, slots=True)
class Package:
    """A document package (new, recall, update or replace)."""

    sender: Organ
    recipients: tuple[Organ, ...]
    document_id: str
    code: Code
    promulgation_place: str
    promulgation_date: date
    document_type: DocumentType
    subject: str
    business: Business
    content: str = ""
    signer: SignerInfo = SignerInfo()
    due_date: date | None = None
    to_places: tuple[str, ...] = ()
    other_info: OtherInfo = OtherInfo()
    response_for: tuple[ResponseFor, ...] = ()
    steering_type: int | None = None
    traces: tuple[TraceHeader, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    signature: bytes | None = field(default=None, compare=False, repr=False)
    """The ``Signature`` element as received (serialised), kept for verification; never built here."""


@dataclass(frozen=True, slots=True)
class StatusMessage:
    """A status message about a package (domain.md §16.3); ``status_code`` kept even when unknown."""

    sender: Organ
    response_for: ResponseFor
    status_code: str
    timestamp: datetime
    description: str = ""
    staff: StaffInfo | None = None
