"""A 2,000-document file exports without loading it whole (issue 14, Bad input).

* ``.xml``: written while the members are read 200 at a time. The export is written out chunk by chunk, as the
  HTTP response sends it; ``tracemalloc`` measures the peak of Python allocations meanwhile, which must stay
  below half of what holding every member at once costs and below the export's own size.
* ``.pdf``: after the contents pages (one line per document, held; made here for the first lines only, see
  below), each original is read from the blob store only once the consumer has received every byte before it --
  the store is watched, not replaced -- so at most one original is in flight, whatever the file's size.
  (``tracemalloc`` over 2,000 blob reads takes ~25 s on the CI machine; the bench
  ``tests/perf/bench_workfile_export.py`` measures the PDF's peak with large originals.)
"""

from __future__ import annotations

import hashlib
import subprocess
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

from backend.db.models import WorkFile
from backend.domain.documents.files import blob_store
from backend.domain.workfiles.export_pdf import iter_pdf, read_entries, toc_pdf
from backend.domain.workfiles.export_xml import iter_xml
from backend.domain.workfiles.members import iter_members
from backend.lib.storage import BlobStoreBase
from tests.support.incoming import make_pdf
from tests.support.workfiles import arrange_large_file

DOCUMENTS, NOTE_EVERY, TOC_LINES = 2000, 100, 40


async def _traced(chunks: AsyncIterator[bytes], sink: Path) -> tuple[int, int]:
    """(bytes, peak traced bytes) of an export written to ``sink`` chunk by chunk."""
    size = 0
    tracemalloc.start()
    try:
        with sink.open("wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                out.write(chunk)
        return size, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class _Watched:
    """The real blob store, noting how many bytes the consumer had received when each original was opened."""

    def __init__(self, store: BlobStoreBase) -> None:
        self.store, self.received, self.opened_at = store, 0, list[int]()

    async def iter_chunks(self, sha256: str) -> AsyncIterator[bytes]:
        self.opened_at.append(self.received)
        async for chunk in self.store.iter_chunks(sha256):
            yield chunk


async def test_export_of_2000_documents_streams(demo: Any, db_sessionmaker: Any, settings: Any,
                                                tmp_path: Path) -> None:
    agency = await demo.agency_id("000.00.00.H41")
    owner = (await demo.user("chuyenvien.tinh")).id
    pdf = make_pdf(1, "Công văn dùng chung") + b"%" + b"x" * 8191 + b"\n"
    file_id = await arrange_large_file(db_sessionmaker, settings, agency, owner, documents=DOCUMENTS, pdf=pdf,
                                       note_every=NOTE_EVERY)
    async with db_sessionmaker() as db:
        work_file = await db.get(WorkFile, file_id)
        assert work_file is not None

        async def everything() -> AsyncIterator[bytes]:  # the yardstick: every member held at once
            members = [m async for m in iter_members(db, file_id)]
            assert len(members) == DOCUMENTS + DOCUMENTS // NOTE_EVERY
            yield b""

        _, held_peak = await _traced(everything(), tmp_path / "nothing")
        xml_size, xml_peak = await _traced(iter_xml(db, work_file, organ_id="000.00.00.H41", creator="Người Thử"),
                                           tmp_path / "ho-so.xml")
        assert xml_size > 2_000_000
        # below what holding every member costs (read whole) and below the export itself (written whole)
        assert xml_peak < held_peak / 2 and xml_peak < xml_size * 0.75, (xml_peak, xml_size, held_peak)
        text = (tmp_path / "ho-so.xml").read_text()
        assert text.count("<Document>") == DOCUMENTS and text.count("<Note>") == DOCUMENTS // NOTE_EVERY
        assert f"<DocOrdinal>{DOCUMENTS}</DocOrdinal>" in text and "<DocTotal>" in text

        entries = await read_entries(iter_members(db, file_id))
        assert len(entries) == DOCUMENTS + DOCUMENTS // NOTE_EVERY
        # contents pages for the first lines only: fpdf2 takes ~15 s for 2,000 lines on a loaded CI machine, and
        # what is checked here is what follows them (the full contents are timed by the bench)
        toc = toc_pdf(work_file, "CƠ QUAN THỬ", entries[:TOC_LINES])
    watched = _Watched(blob_store(settings))
    with (tmp_path / "ho-so.pdf").open("wb") as out:
        async for chunk in iter_pdf(cast(BlobStoreBase, watched), toc, entries):
            watched.received += len(chunk)
            out.write(chunk)
    assert len(watched.opened_at) == DOCUMENTS
    # when the k-th original is opened, the contents and the k-1 originals before it have already gone out
    assert all(at >= len(toc) + k * len(pdf) for k, at in enumerate(watched.opened_at)), watched.opened_at[:3]
    assert watched.received > DOCUMENTS * len(pdf)
    listing = subprocess.run(["pdfdetach", "-list", str(tmp_path / "ho-so.pdf")], check=True, capture_output=True,
                             text=True).stdout
    assert listing.startswith(f"{DOCUMENTS} embedded files")
    subprocess.run(["pdfdetach", "-save", str(DOCUMENTS), "-o", str(tmp_path / "last.pdf"),
                    str(tmp_path / "ho-so.pdf")], check=True, capture_output=True)
    assert hashlib.sha256((tmp_path / "last.pdf").read_bytes()).digest() == hashlib.sha256(pdf).digest()
