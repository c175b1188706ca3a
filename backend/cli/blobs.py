"""``python -m backend check``, second half: the blob invariant, reported for an operator.

Reads the store and the rows that reference it shard by shard (:func:`backend.domain.documents.blob_hygiene.scan`,
read-only sessions), so it runs on a province of any size and never blocks the application. It prints:

* an error, with the table, id and key of each (the first :data:`SHOW` of them), for every row whose
  blob is missing — data was lost, restore the files from a backup — and the command exits 1;
* a warning with the count and total size of the blobs no row references (abandoned uploads; the
  daily sweep deletes them after ``BLOB_ORPHAN_GRACE_HOURS``), which does not change the exit code.
"""

from __future__ import annotations

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_read_sessionmaker
from backend.domain.documents.blob_hygiene import MissingBlob, scan
from backend.domain.documents.files import blob_store

__all__ = ["SHOW", "check_blobs"]

SHOW = 50
"""Missing rows listed one per line; the rest are counted."""


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count} B"


async def check_blobs(settings: Settings) -> int:
    """Check both halves of the blob invariant; print what was found; 1 if a row's blob is missing."""
    engine = create_engine(settings.database_url, pool=False)
    missing: list[MissingBlob] = []
    missing_count = stored = orphans = orphan_bytes = 0
    try:
        async for report in scan(create_read_sessionmaker(engine), blob_store(settings)):
            stored += report.stored
            missing_count += len(report.missing)
            missing += report.missing[: max(0, SHOW - len(missing))]
            orphans += len(report.orphans)
            orphan_bytes += sum(info.size for info in report.orphans)
    finally:
        await engine.dispose()
    if missing_count:
        print(f"LỖI / ERROR: {missing_count} bản ghi không còn tệp trong kho (dữ liệu đã mất). Khôi phục các tệp "
              f"từ bản sao lưu: python -m backend restore. [{missing_count} row(s) whose blob is missing.]")
        for item in missing:
            print(f"  {item.table} {item.row_id}: {item.sha256}")
        if missing_count > len(missing):
            print(f"  … và {missing_count - len(missing)} bản ghi khác [and {missing_count - len(missing)} more]")
    if orphans:
        print(f"CẢNH BÁO / WARNING: {orphans} tệp ({_size(orphan_bytes)}) không thuộc bản ghi nào (tải lên bị bỏ dở); "
              f"việc dọn kho hằng đêm xoá chúng sau {settings.blob_orphan_grace_hours} giờ "
              f"(BLOB_ORPHAN_GRACE_HOURS). [{orphans} orphaned blob(s), {orphan_bytes} bytes.]")
    if not missing_count:
        print(f"Kho tệp: OK, {stored} tệp, mọi bản ghi đều có tệp [blob store: every row has its blob]")
    return 1 if missing_count else 0
