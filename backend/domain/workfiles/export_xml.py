"""The ``.xml`` export of a work file: the file's metadata (domain.md §4.9) and each document's (§4.3/§4.4, §19).

The document is written as it is read: :func:`iter_xml` yields the opening and the file's fields,
then one ``<Document>`` element per document from :func:`.members.iter_members` (batched reads),
so memory stays flat however many documents the file holds. ``docs/workfile.xsd`` is its schema.
A note of the file is a ``<Note>`` element at its place in the order: §4.9/§19 have no field for it,
so it is an element of our own namespace, and ``DocTotal``/``DocOrdinal`` count documents only.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from xml.sax.saxutils import escape

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import WorkFile
from backend.domain.workfiles._effects import totals
from backend.domain.workfiles.members import Member, iter_members

__all__ = ["NAMESPACE", "iter_xml"]

NAMESPACE = "urn:congvan:workfile:1"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str:
    return escape(_NOT_XML.sub("", str(value)))


def _el(tag: str, value: object, indent: str = "  ") -> str:
    return f"{indent}<{tag}>{_text(value)}</{tag}>\n"


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _document(member: Member, ordinal: int) -> str:
    i = "    "
    parts = [
        "  <Document>\n", _el("DocOrdinal", ordinal, i), _el("Direction", member.kind, i),
        _el("CodeNumber", member.code_number, i), _el("CodeNotation", member.code_notation, i),
    ]
    if member.issued_on:
        parts.append(_el("IssuedDate", _day(member.issued_on), i))
    parts += [
        _el("OrganName", member.issuer, i), _el("TypeName", member.type_name, i), _el("Subject", member.summary, i),
        _el("Language", member.language, i), _el("PageAmount", member.page_count, i),
        f"{i}<SignerInfo>\n", _el("Position", member.signer_position, i + "  "),
        _el("FullName", member.signer_name, i + "  "), f"{i}</SignerInfo>\n",
        _el("Description", member.description, i), _el("FileName", member.file_name, i),
        _el("Sha256", member.file_sha256, i), "  </Document>\n",
    ]
    return "".join(parts)


def _note(member: Member) -> str:
    i = "    "
    return "".join(["  <Note>\n", _el("NoteDate", _day(member.issued_on), i), _el("Text", member.summary, i),
                    "  </Note>\n"])


async def iter_xml(db: AsyncSession, work_file: WorkFile, *, organ_id: str, creator: str) -> AsyncIterator[bytes]:
    """The export as UTF-8 chunks: one for the file's fields, then one per document or note."""
    doc_total, page_total = (work_file.doc_total, work_file.page_total) if work_file.end_date else (
        await totals(db, work_file.id))
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>\n', f'<WorkFile xmlns="{NAMESPACE}">\n',
        "  <FileCode>\n", _el("OrganId", organ_id, "    "), _el("FileCatalog", work_file.year, "    "),
        _el("FileNotation", work_file.file_notation, "    "), "  </FileCode>\n",
        _el("Title", work_file.title), _el("Maintenance", work_file.retention), _el("Rights", work_file.rights),
        _el("Creator", creator), _el("Language", work_file.language), _el("StartDate", _day(work_file.start_date)),
    ]
    if work_file.end_date:
        head.append(_el("EndDate", _day(work_file.end_date)))
    head += [_el("DocTotal", doc_total), _el("PageTotal", page_total), _el("Description", work_file.description)]
    yield "".join(head).encode()
    ordinal = 0
    async for member in iter_members(db, work_file.id):
        if member.is_note:
            yield _note(member).encode()
            continue
        ordinal += 1
        yield _document(member, ordinal).encode()
    yield b"</WorkFile>\n"
