"""edXML bytes → :class:`~.model.Package` or :class:`~.model.StatusMessage` (domain.md §16).

Tolerant of real traffic: both date forms, empty signer fields, any signature algorithm (the
``Signature`` element is kept as received, never interpreted here), elements in the QCVN 102
namespace or in none, and codes we do not know (logged and kept). Everything that would make the
package unusable is refused with an :class:`~.errors.EdxmlError` whose ``reason`` names the cause;
no other exception escapes :func:`parse`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date

from lxml import etree
from lxml.etree import _Element

from backend.domain.exchange.edxml.attachments import decode_payload
from backend.domain.exchange.edxml.codes import BusinessDocType, Priority, StatusCode
from backend.domain.exchange.edxml.dates import parse_date, parse_timestamp
from backend.domain.exchange.edxml.errors import (
    AttachmentError,
    EdxmlError,
    InvalidValueError,
    MalformedPackageError,
    MissingFieldError,
    WrongRootError,
)
from backend.domain.exchange.edxml.limits import ORGAN_ID_RE, over_limit
from backend.domain.exchange.edxml.model import (
    ZIP_CONTENT_TYPE,
    Attachment,
    Business,
    BusinessDocumentInfo,
    Code,
    DocumentType,
    Organ,
    OtherInfo,
    Package,
    ReceiverChange,
    Replacement,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusMessage,
    TraceHeader,
)
from backend.domain.exchange.edxml.xmlsafe import NS, local_name, read_root

__all__ = ["parse", "parse_package", "parse_status"]

log = logging.getLogger(__name__)



def _children(parent: _Element | None, name: str) -> Iterator[_Element]:
    """The children named ``name`` in the QCVN 102 namespace or in none."""
    if parent is None:
        return
    wanted = (f"{{{NS}}}{name}", name)
    for child in parent:
        if child.tag in wanted:
            yield child


def _child(parent: _Element | None, name: str) -> _Element | None:
    return next(_children(parent, name), None)


def _text(parent: _Element | None, name: str) -> str:
    """The stripped text of ``parent/name`` ("" when absent); over-long values are logged."""
    element = _child(parent, name)
    value = "" if element is None or element.text is None else element.text.strip()
    limit = over_limit(name, value)
    if limit is not None:
        log.warning("edXML %s is %d characters (QCVN 102 limit %d); kept", name, len(value), limit)
    return value


def _required(parent: _Element | None, name: str, path: str) -> str:
    value = _text(parent, name)
    if not value:
        raise MissingFieldError(field=path)
    return value


def _organ_id(value: str, path: str) -> str:
    if not ORGAN_ID_RE.match(value):
        raise InvalidValueError("edxml.bad_organ_id", field=path, value=value[:40])
    return value


def _int(parent: _Element | None, name: str, path: str) -> int | None:
    value = _text(parent, name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidValueError("edxml.bad_integer", field=path, value=value[:40]) from None


def _date(parent: _Element | None, name: str, path: str) -> date | None:
    value = _text(parent, name)
    return parse_date(value, path) if value else None


def _organ(element: _Element, path: str) -> Organ:
    return Organ(
        organ_id=_organ_id(_required(element, "OrganId", f"{path}/OrganId"), f"{path}/OrganId"),
        name=_text(element, "OrganName"),
        organization_in_charge=_text(element, "OrganizationInCharge"),
        address=_text(element, "OrganAdd"),
        email=_text(element, "Email"),
        telephone=_text(element, "Telephone"),
        fax=_text(element, "Fax"),
        website=_text(element, "Website"),
    )


def _staff(element: _Element | None) -> StaffInfo | None:
    if element is None:
        return None
    return StaffInfo(department=_text(element, "Department"), staff=_text(element, "Staff"),
                     email=_text(element, "Email"), mobile=_text(element, "Mobile"))


def _response_for(element: _Element, path: str) -> ResponseFor:
    return ResponseFor(
        organ_id=_required(element, "OrganId", f"{path}/OrganId"),
        code=_text(element, "Code"),
        promulgation_date=_date(element, "PromulgationDate", f"{path}/PromulgationDate"),
        document_id=_text(element, "DocumentId"),
    )


def _other_info(element: _Element | None) -> OtherInfo:
    if element is None:
        return OtherInfo()
    priority = _int(element, "Priority", "OtherInfo/Priority") or 0
    if priority not in Priority._value2member_map_:
        log.warning("edXML unknown Priority %r; kept", priority)
    direction_text = _text(element, "Direction").lower()
    direction = {"true": True, "1": True, "false": False, "0": False}.get(direction_text)
    if direction is None and direction_text:
        log.warning("edXML unknown Direction %r; ignored", direction_text)
    return OtherInfo(
        priority=priority,
        sphere_of_promulgation=_text(element, "SphereOfPromulgation"),
        typer_notation=_text(element, "TyperNotation"),
        promulgation_amount=_int(element, "PromulgationAmount", "OtherInfo/PromulgationAmount"),
        page_amount=_int(element, "PageAmount", "OtherInfo/PageAmount"),
        direction=direction,
        appendixes=tuple(v for e in _children(_child(element, "Appendixes"), "Appendix")
                         if (v := (e.text or "").strip())),
    )


def _business(element: _Element | None) -> Business:
    if element is None:
        log.warning("edXML package without TraceHeaderList/Bussiness; read as a new document")
        return Business()
    raw_type = _text(element, "BussinessDocType") or "0"
    try:
        doc_type = BusinessDocType(int(raw_type))
    except ValueError:
        raise InvalidValueError("edxml.bad_business_type", value=raw_type[:20]) from None
    info_element = _child(element, "BussinessDocumentInfo")
    info = None
    if info_element is not None:
        info = BusinessDocumentInfo(
            document_info=_text(info_element, "DocumentInfo"),
            document_receiver=_text(info_element, "DocumentReceiver"),
            receivers=tuple(
                ReceiverChange(
                    organ_id=_required(r, "OrganId", "ReceiverList/Receiver/OrganId"),
                    receiver_type=_int(r, "ReceiverType", "ReceiverList/Receiver/ReceiverType") or 0,
                )
                for r in _children(_child(info_element, "ReceiverList"), "Receiver")
            ),
        )
    replacements = tuple(
        Replacement(
            document_id=_required(r, "DocumentId", "ReplacementInfo/DocumentId"),
            organ_ids=tuple(v for o in _children(_child(r, "OrganIdList"), "OrganId")
                            if (v := (o.text or "").strip())),
        )
        for r in _children(_child(element, "ReplacementInfoList"), "ReplacementInfo")
    )
    return Business(
        doc_type=doc_type,
        document_id=_text(element, "DocumentId"),
        reason=_text(element, "BussinessDocReason"),
        paper=_int(element, "Paper", "Bussiness/Paper") or 0,
        document_info=info,
        staff=_staff(_child(element, "StaffInfo")),
        replacements=replacements,
    )


def _attachments(root: _Element, body: _Element | None) -> tuple[Attachment, ...]:
    manifest = {
        _text(ref, "ContentId"): ref for ref in _children(_child(body, "edXMLManifest"), "Reference")
    }
    found: list[Attachment] = []
    for element in _children(_child(root, "AttachmentEncoded"), "Attachment"):
        content_id = _text(element, "ContentId")
        reference = manifest.pop(content_id, None)
        if reference is None:
            raise AttachmentError("edxml.attachment_unlisted", content_id=content_id[:80])
        name = _text(element, "AttachmentName") or _text(reference, "AttachmentName") or content_id
        content_type = _text(element, "ContentType") or _text(reference, "ContentType") or "application/octet-stream"
        encoded = _child(element, "ContentTransferEncoded")
        if encoded is None:
            raise MissingFieldError(field="Attachment/ContentTransferEncoded")
        data = decode_payload(encoded.text or "", name, content_type == ZIP_CONTENT_TYPE)
        found.append(Attachment(content_id=content_id, name=name, data=data, content_type=content_type,
                                description=_text(element, "Description") or _text(reference, "Description")))
    if manifest:
        raise AttachmentError("edxml.manifest_unmatched", content_id=next(iter(manifest))[:80])
    return tuple(found)


def _signature(header: _Element) -> bytes | None:
    for child in header:
        if isinstance(child.tag, str) and local_name(child) == "Signature":
            return bytes(etree.tostring(child))
    return None


def _envelope_parts(root: _Element) -> tuple[_Element, _Element, _Element | None]:
    envelope = _child(root, "edXMLEnvelope")
    header = _child(envelope, "edXMLHeader")
    message = _child(header, "MessageHeader")
    if envelope is None or header is None or message is None:
        raise WrongRootError(found=f"{local_name(root)} (thiếu edXMLEnvelope/edXMLHeader/MessageHeader)",
                             namespace=NS)
    return header, message, _child(envelope, "edXMLBody")


def _package(root: _Element) -> Package:
    header, message, body = _envelope_parts(root)
    sender_element = _child(message, "From")
    if sender_element is None:
        raise MissingFieldError(field="From")
    recipients = tuple(_organ(e, "To") for e in _children(message, "To"))
    if not recipients:
        raise MissingFieldError(field="To")
    code = _child(message, "Code")
    promulgation = _child(message, "PromulgationInfo")
    promulgation_date = _date(promulgation, "PromulgationDate", "PromulgationInfo/PromulgationDate")
    if promulgation_date is None:
        raise MissingFieldError(field="PromulgationInfo/PromulgationDate")
    document_type = _child(message, "DocumentType")
    signer = _child(message, "SignerInfo")
    steering = _int(message, "SteeringType", "SteeringType")
    if steering is not None and steering not in (0, 1, 2, 3):
        log.warning("edXML unknown SteeringType %r; kept", steering)
    traces = _child(header, "TraceHeaderList")
    return Package(
        sender=_organ(sender_element, "From"),
        recipients=recipients,
        document_id=_required(message, "DocumentId", "DocumentId"),
        code=Code(number=_required(code, "CodeNumber", "Code/CodeNumber"),
                  notation=_required(code, "CodeNotation", "Code/CodeNotation")),
        promulgation_place=_text(promulgation, "Place"),
        promulgation_date=promulgation_date,
        document_type=DocumentType(type=_text(document_type, "Type"), type_detail=_text(document_type, "TypeDetail"),
                                   type_name=_text(document_type, "TypeName")),
        subject=_text(message, "Subject"),
        content=_text(message, "Content"),
        signer=SignerInfo(competence=_text(signer, "Competence"), position=_text(signer, "Position"),
                          full_name=_text(signer, "FullName")),
        due_date=_date(message, "DueDate", "DueDate"),
        to_places=tuple(v for e in _children(_child(message, "ToPlaces"), "Place") if (v := (e.text or "").strip())),
        other_info=_other_info(_child(message, "OtherInfo")),
        response_for=tuple(_response_for(e, "ResponseFor") for e in _children(message, "ResponseFor")),
        steering_type=steering,
        traces=tuple(
            TraceHeader(organ_id=_required(e, "OrganId", "TraceHeader/OrganId"),
                        timestamp=parse_timestamp(_required(e, "Timestamp", "TraceHeader/Timestamp"),
                                                  "TraceHeader/Timestamp"))
            for e in _children(traces, "TraceHeader")
        ),
        business=_business(_child(traces, "Bussiness")),
        attachments=_attachments(root, body),
        signature=_signature(header),
    )


def _status(root: _Element) -> StatusMessage:
    _, message, _ = _envelope_parts(root)
    sender_element = _child(message, "From")
    if sender_element is None:
        raise MissingFieldError(field="From")
    response = _child(message, "ResponseFor")
    if response is None:
        raise MissingFieldError(field="ResponseFor")
    code = _required(message, "StatusCode", "StatusCode")
    if len(code) != 2 or not code.isdigit():
        raise InvalidValueError("edxml.bad_status_code", value=code[:20])
    if code not in StatusCode._value2member_map_:
        log.warning("edXML unknown StatusCode %r; kept", code)
    response_for = _response_for(response, "ResponseFor")
    if not response_for.document_id:
        raise MissingFieldError(field="ResponseFor/DocumentId")
    return StatusMessage(
        sender=_organ(sender_element, "From"),
        response_for=response_for,
        status_code=code,
        timestamp=parse_timestamp(_required(message, "Timestamp", "Timestamp"), "Timestamp"),
        description=_text(message, "Description"),
        staff=_staff(_child(message, "StaffInfo")),
    )


def parse(raw: bytes) -> Package | StatusMessage:
    """A package or a status message (a ``MessageHeader`` with ``StatusCode`` is a status).

    Raises:
        EdxmlError: the refusal, with ``reason`` for a status 02 message. Nothing else escapes.
    """
    try:
        root = read_root(raw)
        _, message, _ = _envelope_parts(root)
        return _status(root) if _child(message, "StatusCode") is not None else _package(root)
    except EdxmlError:
        raise
    except Exception as exc:  # the boundary: whatever else a hostile package provokes is a refusal too
        log.exception("edXML refused on an unexpected %s", type(exc).__name__)
        raise MalformedPackageError(detail=type(exc).__name__) from None


def parse_package(raw: bytes) -> Package:
    """Like :func:`parse`, refusing a status message (the field ``DocumentId`` is then missing)."""
    parsed = parse(raw)
    if not isinstance(parsed, Package):
        raise MissingFieldError(field="DocumentId")
    return parsed


def parse_status(raw: bytes) -> StatusMessage:
    """Like :func:`parse`, refusing a document package (the field ``StatusCode`` is then missing)."""
    parsed = parse(raw)
    if not isinstance(parsed, StatusMessage):
        raise MissingFieldError(field="StatusCode")
    return parsed
