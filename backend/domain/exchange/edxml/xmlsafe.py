"""Bytes → the root element of an edXML document, safely.

The size is checked before parsing; lxml runs with entity resolution, DTD loading and network
access off and without ``huge_tree`` (which keeps libxml2's own depth and text-size guards on: one
text node, hence one base64 attachment, is at most :data:`MAX_TEXT_CHARS` characters);
a document type declaration or any entity reference left in the tree is refused, so neither an
XML bomb nor an external entity gets anywhere. The root must be ``edXML`` in the QCVN 102 namespace.
"""

from __future__ import annotations

import re

from lxml import etree

from backend.domain.exchange.edxml.errors import (
    ElementTooLargeError,
    ForbiddenConstructError,
    MalformedPackageError,
    PackageTooLargeError,
    WrongRootError,
)
from backend.domain.exchange.edxml.limits import MAX_ATTACHMENT_BYTES, MAX_PACKAGE_BYTES, MAX_TEXT_CHARS

__all__ = ["NS", "local_name", "read_root"]

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

_PROLOG_END = re.compile(rb"<!DOCTYPE|<[A-Za-z_:]")
"""The first DOCTYPE or element start: a DOCTYPE found first is refused before libxml2 reads it."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False,
        remove_comments=True, remove_pis=True,
    )


def local_name(element: etree._Element) -> str:
    """The element's name without its namespace."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def read_root(raw: bytes) -> etree._Element:
    """The ``edXML`` root element of ``raw``.

    Raises:
        PackageTooLargeError: more than :data:`MAX_PACKAGE_BYTES`.
        MalformedPackageError: empty or not well-formed.
        ForbiddenConstructError: a DOCTYPE (entity declarations) or an entity reference.
        ElementTooLargeError: one text longer than :data:`MAX_TEXT_CHARS` (a base64 attachment over 7.5 MB).
        WrongRootError: another root element or namespace.
    """
    if len(raw) > MAX_PACKAGE_BYTES:
        raise PackageTooLargeError(size=len(raw), limit=MAX_PACKAGE_BYTES)
    if not raw.strip():
        raise MalformedPackageError(detail="rỗng")
    first = _PROLOG_END.search(raw)
    if first is not None and first.group() == b"<!DOCTYPE":
        raise ForbiddenConstructError()
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        if "entity" in str(exc).lower():
            raise ForbiddenConstructError() from None
        if "text node too long" in str(exc).lower():
            raise ElementTooLargeError(limit=MAX_TEXT_CHARS, attachment=MAX_ATTACHMENT_BYTES) from None
        raise MalformedPackageError(detail=str(exc)[:200]) from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise ForbiddenConstructError()
    if next(root.iter(etree.Entity), None) is not None:
        raise ForbiddenConstructError()
    if not isinstance(root.tag, str) or etree.QName(root).namespace != NS or local_name(root) != "edXML":
        raise WrongRootError(found=str(root.tag)[:120], namespace=NS)
    return root
