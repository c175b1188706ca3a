"""Benchmark: exporting a 500-document work file to ``.xml`` and ``.pdf`` -- time and peak Python memory.

Run from the repository root: ``.venv/bin/python -m tests.perf.bench_workfile_export [--documents 500]
[--size-kb 200] [--no-write]``.

Setup (never timed), on a throwaway data dir: a migrated SQLite database, a test agency with one
specialist, ``--documents`` incoming documents each with its own PDF of about ``--size-kb`` KB in
the blob store (distinct bytes, so nothing is shared), and one work file holding all of them.

Timed once without tracemalloc (the time) and once with it (the peak): the export functions the API
streams (:func:`iter_xml` over a fresh read session; the TOC
PDF, then :func:`iter_pdf` reading each original from the blob store), every chunk written to a
file as the HTTP response would send it. ``tracemalloc`` reports the peak of Python allocations
during each export: it stays far below the sum of the PDFs (the originals are streamed).
Results are printed and written into ``docs/performance.md`` between
``<!-- bench_workfile_export:begin/end -->``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
import tracemalloc
from pathlib import Path

from backend.config.settings import load_settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.migrate import upgrade
from backend.db.models import WorkFile, WorkFileDocument, WorkFileState
from backend.domain.documents.files import blob_store
from backend.domain.workfiles.export_pdf import iter_pdf, read_entries, toc_pdf
from backend.domain.workfiles.export_xml import iter_xml
from backend.domain.workfiles.members import iter_members
from tests import factories
from tests.support.floor import machine, write_section
from tests.support.incoming import make_pdf
from tests.support.workfiles import arrange_incoming


async def _arrange(sessions: object, settings: object, documents: int, size_kb: int) -> int:
    async with sessions() as db:  # type: ignore[operator]
        staff = await factories.staff(db)
        await db.commit()
    base = make_pdf(1, "Công văn thử xuất hồ sơ")
    filler = b"%" + b"x" * 1023 + b"\n"
    ids = []
    for n in range(documents):
        pdf = base + b"%" + str(n).encode() + b"\n" + filler * size_kb
        ids.append(await arrange_incoming(sessions, settings, staff.agency.id, number=n + 1,
                                          summary=f"Văn bản thử số {n + 1} về việc xuất hồ sơ",
                                          issued_on=dt.date(2026, 1, 1) + dt.timedelta(days=n % 300), pdf=pdf))
    async with sessions() as db:  # type: ignore[operator]
        work_file = WorkFile(agency_id=staff.agency.id, state=WorkFileState.OPEN, year=2026, file_notation="01.TH",
                             title="Hồ sơ thử 500 văn bản", retention="Vĩnh viễn", rights="Hạn chế",
                             owner_user_id=staff.specialist.id, start_date=dt.date(2026, 1, 1))
        db.add(work_file)
        await db.flush()
        db.add_all([WorkFileDocument(work_file_id=work_file.id, incoming_id=doc_id, position=i)
                    for i, doc_id in enumerate(ids, start=1)])
        await db.commit()
        return work_file.id


async def _run(documents: int, size_kb: int, out: Path) -> dict[str, tuple[float, float, int]]:
    root = Path(tempfile.mkdtemp(prefix="bench-workfile-"))
    url = f"sqlite+aiosqlite:///{root / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)
    settings = load_settings({"APP_ENV": "demo", "DATA_DIR": str(root / "data"), "DATABASE_URL": url,
                              "SECRET_KEY": "b" * 64})
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    file_id = await _arrange(sessions, settings, documents, size_kb)
    results: dict[str, tuple[float, float, int]] = {}
    async with sessions() as db:
        work_file = await db.get(WorkFile, file_id)
        assert work_file is not None
        for kind in ("xml", "pdf"):
            target = out / f"export.{kind}"
            started = time.perf_counter()
            await _export(db, settings, work_file, kind, target)
            elapsed = time.perf_counter() - started
            tracemalloc.start()
            await _export(db, settings, work_file, kind, target)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            results[kind] = (elapsed, peak / 2**20, target.stat().st_size)
    await engine.dispose()
    return results


async def _export(db: object, settings: object, work_file: WorkFile, kind: str, target: Path) -> None:
    """One export written to ``target`` chunk by chunk, as the API streams it."""
    with target.open("wb") as sink:
        if kind == "xml":
            async for chunk in iter_xml(db, work_file, organ_id="999.001.99.T99", creator="Người Thử"):  # type: ignore[arg-type]
                sink.write(chunk)
            return
        entries = await read_entries(iter_members(db, work_file.id))  # type: ignore[arg-type]
        toc = toc_pdf(work_file, "CƠ QUAN THỬ", entries)
        async for chunk in iter_pdf(blob_store(settings), toc, entries):  # type: ignore[arg-type]
            sink.write(chunk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--size-kb", type=int, default=200)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="bench-workfile-out-"))
    results = asyncio.run(_run(args.documents, args.size_kb, out))
    total_mb = args.documents * args.size_kb / 1024
    lines = [f"### Work-file export ({args.documents} documents, ~{args.size_kb} KB PDF each, "
             f"~{total_mb:.0f} MB of originals; SQLite, local blob store)", "",
             f"Machine: {machine()}. `python -m tests.perf.bench_workfile_export`.", "",
             "| Export | Time (no tracing) | Peak Python memory (tracemalloc) | Output size |", "|---|---|---|---|"]
    for kind, (elapsed, peak, size) in results.items():
        lines.append(f"| `.{kind}` | {elapsed:.2f} s | {peak:.1f} MiB | {size / 2**20:.1f} MiB |")
    lines += ["", "Both exports stream: the XML reads the documents 200 at a time, the PDF copies each signed "
                  "original from the blob store in 1 MiB chunks, so the peak does not grow with the originals' "
                  "total size (the TOC and one row per document are held)."]
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        write_section("<!-- bench_workfile_export:begin -->", "<!-- bench_workfile_export:end -->", section)


if __name__ == "__main__":
    main()
