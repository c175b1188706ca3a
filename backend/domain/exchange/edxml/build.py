""":class:`~.model.Package` / :class:`~.model.StatusMessage` → edXML, unsigned.

The element order follows the real packages (domain.md §16.1). Every value is checked against
:data:`~.limits.FIELD_LIMITS` and agency identifiers against the §17 pattern: a package the
recipient would refuse is refused here, with :class:`~.errors.FieldTooLongError` or
:class:`~.errors.InvalidValueError`.

Signing hook: :func:`build_tree` returns the unsigned tree; the enveloped XML signature goes as
the last child of :func:`signature_parent` (``edXMLHeader``), then :func:`to_bytes` serialises.
:func:`build` is the two steps without a signature.
"""

from __future__ import annotations

from lxml import etree
from lxml.etree import _Element

from backend.domain.exchange.edxml.attachments import encode_payload
from backend.domain.exchange.edxml.dates import format_date, format_timestamp
from backend.domain.exchange.edxml.errors import (
    ElementTooLargeError,
    FieldTooLongError,
    InvalidValueError,
    MissingFieldError,
)
from backend.domain.exchange.edxml.limits import (
    FIELD_LIMITS,
    MAX_ATTACHMENT_BYTES,
    MAX_TEXT_CHARS,
    ORGAN_ID_RE,
    over_limit,
)
from backend.domain.exchange.edxml.model import Organ, Package, ResponseFor, StaffInfo, StatusMessage
from backend.domain.exchange.edxml.xmlsafe import NS

__all__ = ["build", "build_tree", "signature_parent", "to_bytes"]



def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _sub(parent: _Element, name: str, value: str | None = None) -> _Element:
    element = etree.SubElement(parent, _q(name))
    if value is not None:
        limit = over_limit(name, value)
        if limit is not None:
            raise FieldTooLongError(field=name, length=len(value), limit=limit)
        try:
            element.text = value
        except ValueError:  # a control character XML cannot carry
            raise InvalidValueError("edxml.bad_text", field=name) from None
    return element


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _organ_id(value: str, field: str) -> str:
    if not ORGAN_ID_RE.match(value):
        raise InvalidValueError("edxml.bad_organ_id", field=field, value=value[:40])
    return value


def _organ(parent: _Element, tag: str, organ: Organ) -> None:
    element = _sub(parent, tag)
    _sub(element, "OrganId", _organ_id(organ.organ_id, f"{tag}/OrganId"))
    _sub(element, "OrganizationInCharge", organ.organization_in_charge)
    _sub(element, "OrganName", organ.name)
    _sub(element, "OrganAdd", organ.address)
    _sub(element, "Email", organ.email)
    _sub(element, "Telephone", organ.telephone)
    _sub(element, "Fax", organ.fax)
    _sub(element, "Website", organ.website)


def _response_for(parent: _Element, response: ResponseFor) -> None:
    element = _sub(parent, "ResponseFor")
    _sub(element, "OrganId", _organ_id(response.organ_id, "ResponseFor/OrganId"))
    _sub(element, "Code", response.code)
    _sub(element, "PromulgationDate",
         format_date(response.promulgation_date) if response.promulgation_date else "")
    _sub(element, "DocumentId", response.document_id)


def _staff(parent: _Element, staff: StaffInfo | None) -> None:
    if staff is None:
        return
    element = _sub(parent, "StaffInfo")
    _sub(element, "Department", staff.department)
    _sub(element, "Staff", staff.staff)
    _sub(element, "Email", staff.email)
    _sub(element, "Mobile", staff.mobile)


def _skeleton() -> tuple[_Element, _Element, _Element, _Element]:
    root = etree.Element(_q("edXML"), nsmap={None: NS})
    envelope = etree.SubElement(root, _q("edXMLEnvelope"), nsmap={"edXML": NS})
    header = _sub(envelope, "edXMLHeader")
    return root, envelope, header, _sub(header, "MessageHeader")


def _message_header(message: _Element, package: Package) -> None:
    _organ(message, "From", package.sender)
    for recipient in package.recipients:
        _organ(message, "To", recipient)
    _sub(message, "DocumentId", package.document_id)
    code = _sub(message, "Code")
    _sub(code, "CodeNumber", package.code.number)
    _sub(code, "CodeNotation", package.code.notation)
    promulgation = _sub(message, "PromulgationInfo")
    _sub(promulgation, "Place", package.promulgation_place)
    _sub(promulgation, "PromulgationDate", format_date(package.promulgation_date))
    doc_type = _sub(message, "DocumentType")
    _sub(doc_type, "Type", package.document_type.type)
    _sub(doc_type, "TypeDetail", package.document_type.type_detail)
    _sub(doc_type, "TypeName", package.document_type.type_name)
    _sub(message, "Subject", package.subject)
    _sub(message, "Content", package.content)
    signer = _sub(message, "SignerInfo")
    _sub(signer, "Competence", package.signer.competence)
    _sub(signer, "Position", package.signer.position)
    _sub(signer, "FullName", package.signer.full_name)
    _sub(message, "DueDate", format_date(package.due_date) if package.due_date else "")
    places = _sub(message, "ToPlaces")
    if sum(len(p) for p in package.to_places) > FIELD_LIMITS["ToPlaces"]:
        raise FieldTooLongError(field="ToPlaces", length=sum(len(p) for p in package.to_places),
                                limit=FIELD_LIMITS["ToPlaces"])
    for place in package.to_places:
        _sub(places, "Place", place)
    info = package.other_info
    other = _sub(message, "OtherInfo")
    _sub(other, "Priority", str(info.priority))
    _sub(other, "SphereOfPromulgation", info.sphere_of_promulgation)
    _sub(other, "TyperNotation", info.typer_notation)
    _sub(other, "PromulgationAmount", _number(info.promulgation_amount))
    _sub(other, "PageAmount", _number(info.page_amount))
    _sub(other, "Direction", "" if info.direction is None else str(info.direction).lower())
    appendixes = _sub(other, "Appendixes")
    for appendix in info.appendixes:
        _sub(appendixes, "Appendix", appendix)
    for response in package.response_for:
        _response_for(message, response)
    if package.steering_type is not None:
        _sub(message, "SteeringType", str(package.steering_type))


def _trace_list(header: _Element, package: Package) -> None:
    traces = _sub(header, "TraceHeaderList")
    for trace in package.traces:
        element = _sub(traces, "TraceHeader")
        _sub(element, "OrganId", trace.organ_id)
        _sub(element, "Timestamp", format_timestamp(trace.timestamp))
    business = package.business
    element = _sub(traces, "Bussiness")
    _sub(element, "DocumentId", business.document_id)
    _sub(element, "BussinessDocType", str(int(business.doc_type)))
    _sub(element, "BussinessDocReason", business.reason)
    _sub(element, "Paper", str(business.paper))
    if business.document_info is not None:
        info = _sub(element, "BussinessDocumentInfo")
        _sub(info, "DocumentInfo", business.document_info.document_info)
        _sub(info, "DocumentReceiver", business.document_info.document_receiver)
        receivers = _sub(info, "ReceiverList")
        for change in business.document_info.receivers:
            receiver = _sub(receivers, "Receiver")
            _sub(receiver, "OrganId", _organ_id(change.organ_id, "Receiver/OrganId"))
            _sub(receiver, "ReceiverType", str(change.receiver_type))
    _staff(element, business.staff)
    if business.replacements:
        replacements = _sub(element, "ReplacementInfoList")
        for replacement in business.replacements:
            info = _sub(replacements, "ReplacementInfo")
            _sub(info, "DocumentId", replacement.document_id)
            organs = _sub(info, "OrganIdList")
            for organ_id in replacement.organ_ids:
                _sub(organs, "OrganId", _organ_id(organ_id, "ReplacementInfo/OrganId"))


def _attachments(root: _Element, envelope: _Element, package: Package) -> None:
    manifest = _sub(_sub(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = _sub(root, "AttachmentEncoded")
    for attachment in package.attachments:
        if len(attachment.data) > MAX_ATTACHMENT_BYTES:
            raise ElementTooLargeError(limit=MAX_TEXT_CHARS, attachment=MAX_ATTACHMENT_BYTES)
        reference = _sub(manifest, "Reference")
        attached = _sub(encoded, "Attachment")
        for element in (reference, attached):
            _sub(element, "ContentId", attachment.content_id)
            _sub(element, "ContentType", attachment.content_type)
            _sub(element, "Description", attachment.description)
            _sub(element, "AttachmentName", attachment.name)
        _sub(attached, "ContentTransferEncoded", encode_payload(attachment.data))


def _package_tree(package: Package) -> _Element:
    if not package.recipients:
        raise MissingFieldError(field="To")
    if len({a.content_id for a in package.attachments}) != len(package.attachments):
        raise InvalidValueError("edxml.attachment_unlisted", content_id="(trùng)")
    root, envelope, header, message = _skeleton()
    _message_header(message, package)
    _trace_list(header, package)
    _attachments(root, envelope, package)
    return root


def _status_tree(status: StatusMessage) -> _Element:
    root, _, _, message = _skeleton()
    _organ(message, "From", status.sender)
    _response_for(message, status.response_for)
    _staff(message, status.staff)
    _sub(message, "StatusCode", status.status_code)
    _sub(message, "Description", status.description)
    _sub(message, "Timestamp", format_timestamp(status.timestamp))
    return root


def build_tree(value: Package | StatusMessage) -> _Element:
    """The unsigned ``edXML`` root element.

    Raises:
        FieldTooLongError: a value longer than QCVN 102 allows.
        ElementTooLargeError: an attachment over :data:`~.limits.MAX_ATTACHMENT_BYTES`.
        InvalidValueError: an agency identifier outside the §17 pattern.
        MissingFieldError: a package without a recipient.
    """
    return _status_tree(value) if isinstance(value, StatusMessage) else _package_tree(value)


def signature_parent(root: _Element) -> _Element:
    """Where the enveloped package signature goes (as the last child): ``edXMLHeader``."""
    header = root.find(f"{_q('edXMLEnvelope')}/{_q('edXMLHeader')}")
    assert header is not None, "not a tree from build_tree"
    return header


def to_bytes(root: _Element) -> bytes:
    """UTF-8 bytes with the XML declaration."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def build(value: Package | StatusMessage) -> bytes:
    """The unsigned package or status message as bytes (``to_bytes(build_tree(value))``)."""
    return to_bytes(build_tree(value))
