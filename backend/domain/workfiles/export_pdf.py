"""The ``.pdf`` export of a work file: a table-of-contents PDF carrying the documents' signed originals.

The signed PDFs are never re-rendered (that would break their signatures): they are embedded,
byte for byte, as attached files (ISO 32000 §7.11.4) of a generated PDF whose pages are the table
of contents, in the file's order (notes of the file are lines of the table, without an attachment).
The generated PDF (fpdf2, small: text only) is followed by one
incremental update, written here by hand, that adds per document an ``EmbeddedFile`` stream and a
``Filespec``, and a new catalogue naming them in its ``EmbeddedFiles`` tree (``PageMode
UseAttachments`` so viewers open the attachment pane). The update streams each original from the
blob store in chunks; only the table of contents and the byte offsets are held in memory.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass

from backend.db.models import WorkFile
from backend.domain.workfiles.members import Member
from backend.lib.i18n import t
from backend.lib.pdf_table import Table, centred, new_pdf
from backend.lib.storage import BlobStoreBase

__all__ = ["Entry", "entries_of", "iter_pdf", "read_entries", "toc_pdf"]


@dataclass(frozen=True, slots=True)
class Entry:
    """What the export needs of one member: its TOC line and, for a document, its stored original.

    A note has ordinal 0 (documents are numbered 1..n without the notes, like DocOrdinal) and no original.
    """

    ordinal: int
    reference: str
    issued_on: str
    issuer: str
    summary: str
    page_count: int
    sha256: str
    size: int

    @classmethod
    def of(cls, member: Member, ordinal: int) -> Entry:
        day = member.issued_on.strftime("%d/%m/%Y") if member.issued_on else ""
        if member.is_note:
            return cls(0, t("workfiles.note.label"), day, "", member.summary, 0, "", 0)
        return cls(ordinal, member.reference, day, member.issuer, member.summary, member.page_count,
                   member.file_sha256, member.file_size)

    @property
    def is_note(self) -> bool:
        return not self.sha256

    @property
    def attachment_name(self) -> str:
        return "" if self.is_note else f"{self.ordinal:04d}.pdf"


class _Numbering:
    """Numbers documents 1..n in the file's order; notes get 0."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, member: Member) -> Entry:
        if not member.is_note:
            self.count += 1
        return Entry.of(member, 0 if member.is_note else self.count)


def entries_of(members: Iterable[Member]) -> list[Entry]:
    """The export entries of ``members`` (documents numbered, notes not)."""
    numbering = _Numbering()
    return [numbering(member) for member in members]


async def read_entries(members: AsyncIterable[Member]) -> list[Entry]:
    """:func:`entries_of` over an async stream of members (holding only the entries)."""
    numbering = _Numbering()
    return [numbering(member) async for member in members]


def toc_pdf(work_file: WorkFile, heading: str, entries: Sequence[Entry]) -> bytes:
    """The table-of-contents pages (A4, FreeSerif for Vietnamese text)."""
    pdf = new_pdf(work_file.title)
    pdf.set_font("FreeSerif", "B", 13)
    centred(pdf, 7, heading)
    centred(pdf, 7, t("workfiles.export.toc_title"))
    pdf.set_font("FreeSerif", "", 11)
    centred(pdf, 6, f"Hồ sơ số {work_file.file_notation}: {work_file.title}")
    documents = sum(1 for entry in entries if not entry.is_note)
    centred(pdf, 6, f"Thời hạn bảo quản: {work_file.retention}. Số văn bản: {documents}. "
                    f"Các văn bản là tệp đính kèm của tệp PDF này, giữ nguyên bản đã ký số.")
    pdf.ln(3)
    pdf.set_font("FreeSerif", "", 10)
    table = Table(pdf, ("STT", "Số, ký hiệu", "Ngày", "Tác giả", "Trích yếu nội dung", "Tệp"),
                  (10.0, 30.0, 20.0, 40.0, 60.0, 15.0))
    for entry in entries:
        table.row((str(entry.ordinal or ""), entry.reference, entry.issued_on, entry.issuer, entry.summary,
                   entry.attachment_name))
    return bytes(pdf.output())


def _utf16(value: str) -> bytes:
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


def _base_facts(base: bytes) -> tuple[int, int, bytes, bytes]:
    """(``/Size``, previous ``startxref``, root reference number, the root's entries and trailer extras)."""
    from pypdf import PdfReader
    from pypdf.generic import NameObject

    reader = PdfReader(io.BytesIO(base))
    size = int(reader.trailer["/Size"])  # type: ignore[call-overload]
    prev = int(base[base.rindex(b"startxref") + 9:].split()[0])
    root_ref = reader.trailer.raw_get("/Root")
    out = io.BytesIO()
    for key, value in reader.trailer["/Root"].get_object().items():  # type: ignore[union-attr]
        if key not in ("/Names", "/PageMode"):
            NameObject(key).write_to_stream(out)
            out.write(b" ")
            value.write_to_stream(out)
            out.write(b"\n")
    extras = io.BytesIO()
    for key in ("/Info", "/ID"):
        if key in reader.trailer:
            NameObject(key).write_to_stream(extras)
            extras.write(b" ")
            reader.trailer.raw_get(key).write_to_stream(extras)
            extras.write(b"\n")
    return size, prev, f"{root_ref.idnum}".encode() + b"\n" + out.getvalue(), extras.getvalue()


async def iter_pdf(store: BlobStoreBase, toc: bytes, entries: Sequence[Entry]) -> AsyncIterator[bytes]:
    """The export: the TOC PDF, then an incremental update embedding every document's original (streamed)."""
    entries = [entry for entry in entries if not entry.is_note]
    size, prev, root, extras = _base_facts(toc)
    root_num, root_entries = root.split(b"\n", 1)
    base = toc if toc.endswith(b"\n") else toc + b"\n"
    yield base
    offset = len(base)
    offsets: list[int] = []
    names: list[bytes] = []
    for index, entry in enumerate(entries):
        stream_num, spec_num = size + 2 * index, size + 2 * index + 1
        head = (f"{stream_num} 0 obj\n<< /Type /EmbeddedFile /Subtype /application#2Fpdf /Length {entry.size} "
                f"/Params << /Size {entry.size} >> >>\nstream\n").encode()
        offsets.append(offset)
        yield head
        offset += len(head)
        async for chunk in store.iter_chunks(entry.sha256):
            yield chunk
            offset += len(chunk)
        label = f"{entry.ordinal}. {entry.reference} — {entry.summary}"[:300]
        tail = (b"\nendstream\nendobj\n" + f"{spec_num} 0 obj\n<< /Type /Filespec /F ({entry.attachment_name}) "
                f"/UF ".encode() + _utf16(entry.attachment_name) + b" /Desc " + _utf16(label)
                + f" /EF << /F {stream_num} 0 R /UF {stream_num} 0 R >> /AFRelationship /Source >>\nendobj\n".encode())
        offsets.append(offset + len(b"\nendstream\nendobj\n"))
        yield tail
        offset += len(tail)
        names.append(f"({entry.attachment_name[:4]}) {spec_num} 0 R".encode())
    catalog_offset = offset
    catalog = (root_num + b" 0 obj\n<< " + root_entries + b"/Names << /EmbeddedFiles << /Names ["
               + b" ".join(names) + b"] >> >> /PageMode /UseAttachments >>\nendobj\n")
    yield catalog
    offset += len(catalog)
    new_size = size + 2 * len(entries)
    xref = [b"xref\n", root_num + b" 1\n", b"%010d 00000 n \n" % catalog_offset]
    if entries:
        xref.append(b"%d %d\n" % (size, 2 * len(entries)))
        xref += [b"%010d 00000 n \n" % at for at in offsets]
    xref.append(b"trailer\n<< /Size %d /Root %s 0 R /Prev %d\n" % (new_size, root_num, prev) + extras + b">>\n")
    xref.append(b"startxref\n%d\n%%%%EOF\n" % offset)
    yield b"".join(xref)
