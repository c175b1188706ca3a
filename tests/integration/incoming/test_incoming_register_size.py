"""The register export of a province clerk's month: more rows than a statement may bind parameters (32,767)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from backend.cli.bulk import BulkLoader
from backend.db.engine import create_engine
from backend.db.models import Assignment, DocumentType, IncomingDocument, StoredFile, Unit, User
from backend.lib import clock
from backend.lib.clock import VN_TZ

ROWS = 33_000


async def _bulk_register(database_url: str, clerk: str) -> tuple[str, str]:
    """``ROWS`` registered documents received yesterday by ``clerk``'s agency; returns the day twice (ISO)."""
    day = clock.to_local(clock.now()).date() - timedelta(days=1)
    start = datetime.combine(day, time(7, 0), VN_TZ).astimezone(UTC)
    engine = create_engine(database_url, pool=False)
    async with engine.begin() as conn:
        user = (await conn.execute(sa.select(User.id, User.agency_id).where(User.username == clerk))).one()
        unit_id = await conn.scalar(sa.select(Unit.id).where(Unit.agency_id == user.agency_id).limit(1))
        type_id = await conn.scalar(sa.select(DocumentType.id).limit(1))
        file_id = await conn.scalar(sa.insert(StoredFile).values(
            sha256="a" * 64, size=1, content_type="application/pdf", filename="x.pdf", created_at=start)
            .returning(StoredFile.id))
        first = int(await conn.scalar(sa.select(sa.func.coalesce(sa.func.max(IncomingDocument.id), 0)))) + 1
        first_assignment = int(await conn.scalar(sa.select(sa.func.coalesce(sa.func.max(Assignment.id), 0)))) + 1

        def document(n: int) -> dict[str, Any]:
            received = start + timedelta(seconds=n)
            return {"id": first + n, "agency_id": user.agency_id, "state": "registered", "urgency": "normal",
                    "priority": 0, "source": "paper", "document_type_id": type_id, "code_number": str(n + 1),
                    "code_notation": "UBND-VP", "issuer_name": "UBND huyện Nghi Lộc",
                    "issuer_key": "ubnd huyen nghi loc",
                    "issued_on": day, "summary": f"Văn bản thứ {n + 1}", "language": "Tiếng Việt", "page_count": 1,
                    "description": "", "signer_position": "", "signer_name": "Hồ Minh Vinh", "file_id": file_id,
                    "classification": "unclassified", "arrival_year": day.year, "arrival_number": 10_000 + n,
                    "received_at": received, "registered_at": received, "return_reason": "", "result": "",
                    "reply_reference": "", "search_text": "", "version": 1, "created_at": received,
                    "updated_at": received}

        def assignment(n: int) -> dict[str, Any]:
            return {"id": first_assignment + n, "incoming_id": first + n * 100, "role": "lead",
                    "assignee_unit_id": unit_id, "assigned_by_id": user.id, "instruction": "", "assigned_at": start,
                    "status": "pending", "proposal": "", "version": 1, "created_at": start, "updated_at": start}

        loader = BulkLoader(conn)
        await loader.load(IncomingDocument.__table__, (document(n) for n in range(ROWS)))  # type: ignore[arg-type]
        await loader.load(Assignment.__table__, (assignment(n) for n in range(ROWS // 100)))  # type: ignore[arg-type]
        await loader.finish()
    await engine.dispose()
    return day.isoformat(), day.isoformat()


async def test_register_csv_above_the_parameter_limit(client: Any, login: Any, database_url: str) -> None:
    start, end = await _bulk_register(database_url, "vanthu.xanghiphong")
    await login(client, "vanthu.xanghiphong")
    response = await client.get(f"/incoming/book.csv?from={start}&to={end}")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    body = lines[1:]
    assert len(body) == ROWS
    assert [int(line[1]) for line in body] == list(range(10_000, 10_000 + ROWS))
    with_recipient = [line for line in body if line[6]]
    assert len(with_recipient) == ROWS // 100
